"""Validation and user-facing messages for the mentorship pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from accounts.models import User

from . import photos, weekgrid
from .models import (
    BIO_MAX_LENGTH,
    Language,
    MentorProfile,
    Skill,
    language_code_for,
    language_display_name,
    validate_https_url,
)

MAX_TIME_OFF_DAYS = 366


class GridForm(forms.Form):
    """The weekly grid: one checkbox per hour, posted as repeated `cell=<index>`."""

    def clean(self):
        raw = self.data.getlist("cell") if hasattr(self.data, "getlist") else self.data.get("cell", [])
        if len(raw) > weekgrid.CELLS:
            raise ValidationError(
                _("Nothing was saved: a week has %(cells)s hours, the form sent %(sent)s.")
                % {"cells": weekgrid.CELLS, "sent": len(raw)}
            )
        try:
            self.cleaned_data["cells"] = weekgrid.cells_from_indices(raw)
        except weekgrid.GridError as exc:
            raise ValidationError(_("Nothing was saved: %(error)s") % {"error": exc}) from exc
        return self.cleaned_data


class TimeOffForm(forms.Form):
    starts_on = forms.DateField(label=gettext_lazy("First day off"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Last day off"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        max_length=200, required=False, label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Optional; only you and the success team see it."),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("The last day off must be on or after the first."))
            elif (ends_on - starts_on).days >= MAX_TIME_OFF_DAYS:
                self.add_error("ends_on", _("Time off can cover at most a year at once."))
            elif self.today and ends_on < self.today:
                self.add_error("ends_on", _("That time off is already over."))
        return data


class MentorProfileForm(forms.ModelForm):
    # Name and time zone are edited in one place for everyone: Settings → Profile & time zone.
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Skills"), help_text=gettext_lazy("Ask your success manager to add a skill that is missing."),
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Languages"),
    )
    bio = forms.CharField(
        required=False, max_length=BIO_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}),
        label=gettext_lazy("Bio"),  # help text in __init__: it names the limit
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video room URL"), max_length=300, required=False, assume_scheme="https",
        help_text=gettext_lazy("Your designated room; students join your sessions here. https only."),
        widget=forms.URLInput(attrs={"placeholder": "https://meet.example.com/your-room"}),
    )
    photo = forms.ImageField(
        required=False, widget=forms.FileInput(attrs={"accept": "image/*"}), label=gettext_lazy("Photo"),
        help_text=gettext_lazy("Optional, up to 2 MB and 25 megapixels. Without one we show your initials."),
    )
    clear_photo = forms.BooleanField(required=False, label=gettext_lazy("Remove my photo"))

    MAX_PHOTO_BYTES = 2 * 1024 * 1024
    field_order = ["headline", "bio", "skills", "languages", "years_experience",
                   "video_url", "accepting_new_students", "capacity", "photo", "clear_photo"]

    class Meta:
        model = MentorProfile
        fields = ["headline", "bio", "years_experience", "video_url", "accepting_new_students", "capacity"]
        # Here rather than as the model's verbose names, which would need a migration for no change.
        labels = {
            "headline": gettext_lazy("Headline"),
            "years_experience": gettext_lazy("Years experience"),
            "accepting_new_students": gettext_lazy("Accepting new students"),
            "capacity": gettext_lazy("Capacity"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bio"].help_text = _("Plain text (no HTML), up to %(max)s characters.") % {"max": BIO_MAX_LENGTH}
        if not self.instance.photo:
            del self.fields["clear_photo"]
        if not self.is_bound:
            if self.instance.pk:
                self.initial["skills"] = list(self.instance.skills.all())
                self.initial["languages"] = list(self.instance.languages.all())

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo  # nothing new uploaded
        if getattr(photo, "size", 0) > self.MAX_PHOTO_BYTES:
            raise ValidationError(_("That photo is larger than 2 MB; please choose a smaller one."))
        # A small file can still hold a huge image (a 12,000 × 12,000 PNG is a
        # few kilobytes): refuse by pixels, then store only what pages show.
        try:
            return photos.normalise(photo)
        except photos.PhotoError as exc:
            raise ValidationError(str(exc)) from exc
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ValidationError(_("We couldn't read that image; please choose a JPEG or PNG photo.")) from exc

    def clean_video_url(self):
        url = self.cleaned_data.get("video_url", "").strip()
        if url:
            validate_https_url(url)
        return url


class InterestsForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Skills you want to work on"),
        help_text=gettext_lazy("We prefer mentors who teach them when pairing you."),
    )


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    return "".join(f" {escape(k)}" if v is True else f' {escape(k)}="{escape(str(v))}"'
                   for k, v in attrs.items() if v is not False)


class PlainSelect(forms.Select):
    """A Select written out in Python: the same markup as Django's select.html and select_option.html, without
    a template include per option (the directory renders two lists of every skill and language per visit)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{escape(group_name)}">')
            out.extend(f'\n  <option value="{escape(str(o["value"]))}"{_attrs(o["attrs"])}>'
                       f'{conditional_escape(o["label"])}</option>\n' for o in options)
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))


class DirectoryFilterForm(forms.Form):
    # Ids from the cached lists (`caching.choices`): the directory renders them on every visit.
    skill = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, widget=PlainSelect(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": gettext_lazy("That skill is no longer listed; pick another.")},
    )
    language = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, widget=PlainSelect(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": gettext_lazy("That language is no longer listed; pick another.")},
    )

    def __init__(self, *args, **kwargs):
        from .caching import choices_of

        super().__init__(*args, **kwargs)
        skills, languages = choices_of(Skill, Language)
        self.fields["skill"].choices = [("", _("Any skill")), *skills]
        # The cached list holds the names as managed; show each in the reader's language, in its order.
        languages = [(pk, language_display_name(language_code_for(name), name)) for pk, name in languages]
        self.fields["language"].choices = [("", _("Any language")), *sorted(languages, key=lambda c: c[1].lower())]
    accepting = forms.BooleanField(
        required=False, label=gettext_lazy("Accepting new students"), widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )


class ReassignForm(forms.Form):
    mentor = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label=gettext_lazy("New mentor"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Required. Kept in the student's history and quoted in the emails."),
    )
    override_capacity = forms.BooleanField(
        required=False, label=gettext_lazy("Override capacity"),
        help_text=gettext_lazy("Pair them even if the mentor is full or not accepting new students."),
    )

    def __init__(self, *args, mentor_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = mentor_choices
        self.fields["mentor"].error_messages["invalid_choice"] = _("Choose one of the mentors listed.")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason for the change."))
        return reason


HOUR_CHOICES = [(h, f"{h:02d}:00") for h in range(24)]
UNTIL_CHOICES = [(h, f"{h:02d}:00" if h < 24 else gettext_lazy("24:00 (midnight)")) for h in range(1, 25)]


class DateOverrideForm(forms.Form):
    """Different hours for one date: one stretch of hours, or none at all."""

    date = forms.DateField(label=gettext_lazy("Date"),
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": gettext_lazy("Enter a date, e.g. 2027-01-31."),
                                           "required": gettext_lazy("Choose a date.")})
    from_hour = forms.TypedChoiceField(choices=HOUR_CHOICES, coerce=int, initial=9, label=gettext_lazy("From"))
    until_hour = forms.TypedChoiceField(choices=UNTIL_CHOICES, coerce=int, initial=17, label=gettext_lazy("Until"))
    unavailable = forms.BooleanField(required=False, label=gettext_lazy("No hours that day (unavailable)"))
    note = forms.CharField(required=False, max_length=200, label=gettext_lazy("Note (optional)"))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day and self.today and day < self.today:
            self.add_error("date", _("That date has passed. Pick today or a later date."))
        if not data.get("unavailable"):
            start, end = data.get("from_hour"), data.get("until_hour")
            if start is not None and end is not None and end <= start:
                self.add_error("until_hour", _("“Until” must be later than “From”."))
        return data

    def hours(self) -> str:
        data = self.cleaned_data
        if data.get("unavailable"):
            return "0" * 24
        return "".join("1" if data["from_hour"] <= h < data["until_hour"] else "0" for h in range(24))
