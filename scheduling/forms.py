from datetime import datetime, timezone

from django import forms

from .models import ServiceType


def parse_start(value: str | None) -> datetime | None:
    """A slot id is its UTC start in ISO 8601 (e.g. 2026-12-03T14:00:00Z)."""
    if not value or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))  # '+' arrives as ' ' in a query string
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(timezone.utc)


class SlotField(forms.CharField):
    default_error_messages = {"invalid": "That time isn't a valid slot. Pick one from the list."}

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
        "invalid": "This booking page is out of date. Please pick the time again.",
        "required": "This booking page is out of date. Please pick the time again.",
    })
    weeks = forms.TypedChoiceField(
        coerce=int, initial=1, label="Repeat",
        help_text="Book the same weekday and time every week. Each session uses its own credit.",
    )

    def __init__(self, *args, max_weeks: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(1, "Just this once")] + [(n, f"Every week for {n} weeks") for n in range(2, max_weeks + 1)]
        self.fields["weeks"].choices = choices


class CancelForm(forms.Form):
    # What the confirm page promised; if the deadline passes meanwhile the
    # service refuses rather than forfeiting silently.
    expect_forfeit = forms.TypedChoiceField(
        choices=[("0", "refund"), ("1", "forfeit")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(required=False, max_length=300, label="Reason (optional)",
                             widget=forms.Textarea(attrs={"rows": 2}))


class RescheduleForm(forms.Form):
    start = SlotField(widget=forms.HiddenInput)


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", "Completed"), ("no", "Student didn't attend")], coerce=lambda v: v == "yes",
        error_messages={"invalid_choice": "Choose whether the session took place."},
    )


class NotesForm(forms.Form):
    notes = forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}),
                            label="Session notes (the student can read them)")


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(str(n), f"{n} ★") for n in range(5, 0, -1)], coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5.", "invalid_choice": "Choose a rating from 1 to 5."},
    )
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class OfferedServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple, required=False,
        label="Services you offer",
    )


class PauseRequestForm(forms.Form):
    starts_on = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "Enter the first day as a date, e.g. 2027-01-31."})
    ends_on = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "Enter the last day as a date, e.g. 2027-02-14."})
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Only your success manager sees this.")
