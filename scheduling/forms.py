from datetime import datetime, timezone

from django import forms
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import ServiceType

# No real slot or meeting lies outside these years; anything beyond is refused
# before date arithmetic (a start plus its duration, a zone's offset) can
# overflow Python's datetime range.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


def parse_start(value: str | None) -> datetime | None:
    """A slot id is its UTC start in ISO 8601 (e.g. 2026-12-03T14:00:00Z)."""
    if not value or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))  # '+' arrives as ' ' in a query string
    except ValueError:
        return None
    if parsed.tzinfo is None or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return None
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


class SlotField(forms.CharField):
    default_error_messages = {"invalid": gettext_lazy("That time isn't a valid slot. Pick one from the list.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        parsed = parse_start(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class BookingForm(forms.Form):
    start = SlotField(widget=forms.HiddenInput)
    booking_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "invalid": gettext_lazy("This booking page is out of date. Please pick the time again."),
        "required": gettext_lazy("This booking page is out of date. Please pick the time again."),
    })
    weeks = forms.TypedChoiceField(
        coerce=int, initial=1, label=gettext_lazy("Repeat"),
        help_text=gettext_lazy("Book the same weekday and time every week. Each session uses its own credit."),
    )

    def __init__(self, *args, max_weeks: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(1, _("Just this once"))] + [
            (n, ngettext("Every week for %(n)d week", "Every week for %(n)d weeks", n) % {"n": n})
            for n in range(2, max_weeks + 1)
        ]
        self.fields["weeks"].choices = choices


class CancelForm(forms.Form):
    # What the confirm page promised; if the deadline passes meanwhile the
    # service refuses rather than forfeiting silently.
    expect_forfeit = forms.TypedChoiceField(
        choices=[("0", "refund"), ("1", "forfeit")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(required=False, max_length=300, label=gettext_lazy("Reason (optional)"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class RescheduleForm(forms.Form):
    start = SlotField(widget=forms.HiddenInput)


class ProposalForm(forms.Form):
    start = SlotField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=500, label=gettext_lazy("Note (optional)"),
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("Why the new time, in a line."))


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", gettext_lazy("Completed")), ("no", gettext_lazy("Student didn't attend"))],
        coerce=lambda v: v == "yes",
        error_messages={"invalid_choice": gettext_lazy("Choose whether the session took place.")},
    )


class NotesForm(forms.Form):
    notes = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}),
                            label=gettext_lazy("Session notes (the student can read them)"))


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(str(n), f"{n} ★") for n in range(5, 0, -1)], coerce=int, widget=forms.RadioSelect,
        label=gettext_lazy("Rating"),
        error_messages={"required": gettext_lazy("Choose a rating from 1 to 5."),
                        "invalid_choice": gettext_lazy("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              label=gettext_lazy("Comment"))


class OfferedServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple, required=False,
        label=gettext_lazy("Services you offer"),
    )


class PauseRequestForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": gettext_lazy("Enter the first day as a date, e.g. 2027-01-31.")})
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": gettext_lazy("Enter the last day as a date, e.g. 2027-02-14.")})
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Reason"),
                             help_text=gettext_lazy("Only your success manager sees this."))


# --- flash requests -------------------------------------------------------------

LOCAL_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


def local_to_utc(value: datetime, tz) -> datetime:
    """A wall-clock time in `tz` as a UTC instant, refusing the times daylight
    saving skips (they never happen) and the ones it repeats (they happen twice)."""
    # "14:30 on 31 January 2027": the format is translated, the month named in the active language.
    when = dateformat.format(value, _("H:i \\o\\n j F Y"))
    first, second = value.replace(tzinfo=tz, fold=0), value.replace(tzinfo=tz, fold=1)
    if first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != value:
        raise forms.ValidationError(
            _("%(when)s doesn't exist in %(zone)s: the clocks jump forward that night. Pick a time outside the jump.")
            % {"when": when, "zone": tz.key},
            code="nonexistent",
        )
    if first.utcoffset() != second.utcoffset():
        raise forms.ValidationError(
            _("%(when)s happens twice in %(zone)s: the clocks go back that night. Pick a time outside that hour.")
            % {"when": when, "zone": tz.key},
            code="ambiguous",
        )
    return first.astimezone(timezone.utc)


class LocalDateTimeField(forms.Field):
    """A `<input type="datetime-local">` value: a wall-clock time without a zone.
    The form turns it into UTC in the zone it was shown in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "invalid": gettext_lazy("Enter a date and time, e.g. 2027-01-31 14:30."),
        "required": gettext_lazy("Choose a date and time."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        value = str(value).strip()
        for fmt in LOCAL_INPUT_FORMATS if len(value) <= 19 else ():
            try:
                parsed = datetime.strptime(value, fmt)
            except ValueError:
                continue
            if parsed.second:
                raise forms.ValidationError(_("Pick a time in whole minutes."), code="seconds")
            if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
                raise forms.ValidationError(_("%(year)s is far from today. Pick a time in the coming weeks.")
                                            % {"year": f"{parsed:%Y}"}, code="out_of_range")
            return parsed
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class _ZonedStartForm(forms.Form):
    """Shared by the student's request and the mentor's counter: the start is
    typed in the viewer's own zone and cleaned to UTC as `starts_at`."""

    def __init__(self, *args, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["start_local"].help_text = _("In your time zone, %(zone)s.") % {"zone": tz.key}

    def clean(self):
        data = super().clean()
        local = data.get("start_local")
        if local is not None:
            try:
                data["starts_at"] = local_to_utc(local, self.tz)
            except forms.ValidationError as exc:
                self.add_error("start_local", exc)
        return data


class FlashRequestForm(_ZonedStartForm):
    service = forms.ModelChoiceField(queryset=ServiceType.objects.none(), empty_label=None,
                                     label=gettext_lazy("Service"),
                                     error_messages={
                                         "invalid_choice": gettext_lazy("Choose one of the services this mentor offers."),
                                         "required": gettext_lazy("Choose a service.")})
    start_local = LocalDateTimeField(label=gettext_lazy("Date and time"))
    topic = forms.CharField(max_length=120, label=gettext_lazy("Topic"),
                            help_text=gettext_lazy("What you'd like to talk about, in a line."),
                            error_messages={"required": gettext_lazy("Say briefly what you'd like to talk about.")})
    message = forms.CharField(required=False, max_length=1000, label=gettext_lazy("Message to the mentor (optional)"),
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean_topic(self):
        topic = self.cleaned_data["topic"].strip()
        if not topic:
            raise forms.ValidationError(_("Say briefly what you'd like to talk about."))
        return topic


class FlashCounterForm(_ZonedStartForm):
    start_local = LocalDateTimeField(label=gettext_lazy("Another time"))
    note = forms.CharField(required=False, max_length=500, label=gettext_lazy("Note to the student (optional)"),
                           widget=forms.Textarea(attrs={"rows": 2}))


class FlashDeclineForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label=gettext_lazy("Note to the student (optional)"),
                           widget=forms.Textarea(attrs={"rows": 2}))
