"""Forms for group sessions: validation and the messages people read."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship import caching
from mentorship.forms import PlainSelect
from mentorship.models import Skill

from .forms import LocalDateTimeField, _ZonedStartForm
from .group_models import MAX_SEATS, MIN_SEATS
from .services.group import MAX_WEEKS


class GroupScheduleForm(_ZonedStartForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120,
                            error_messages={"required": gettext_lazy("Give the group session a title.")})
    topic = forms.CharField(max_length=200, required=False, label=gettext_lazy("Topic (optional)"),
                            help_text=gettext_lazy("What it is about, in a line."))
    skills = forms.ModelMultipleChoiceField(queryset=Skill.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            label=gettext_lazy("Skills (optional)"))
    description = forms.CharField(required=False, max_length=4000, label=gettext_lazy("Description (optional)"),
                                  widget=forms.Textarea(attrs={"rows": 3}))
    start_local = LocalDateTimeField(label=gettext_lazy("Starts"))
    duration_minutes = forms.TypedChoiceField(
        label=gettext_lazy("Length"), coerce=int, initial=60,
        choices=[(30, gettext_lazy("30 minutes")), (45, gettext_lazy("45 minutes")), (60, gettext_lazy("1 hour")),
                 (90, gettext_lazy("1½ hours")), (120, gettext_lazy("2 hours"))],
    )
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=MIN_SEATS, max_value=MAX_SEATS, initial=10)
    video_url = forms.URLField(required=False, label=gettext_lazy("Video room (optional)"), assume_scheme="https",
                               help_text=gettext_lazy("Leave empty to use the room on your profile."))
    weeks = forms.TypedChoiceField(label=gettext_lazy("Repeat"), coerce=int, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Worded per request (in its language) since they carry numbers.
        self.fields["seats"].help_text = _("Between %(min)s and %(max)s.") % {"min": MIN_SEATS, "max": MAX_SEATS}
        self.fields["weeks"].choices = [(1, _("Just this once"))] + [
            (n, _("Every week for %(n)s weeks") % {"n": n}) for n in range(2, MAX_WEEKS + 1)]


class GroupFilterForm(forms.Form):
    # Plain choices from the cached skill list (mentorship/caching.py): no query per page view.
    skill = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                   widget=PlainSelect(attrs={"class": "form-select"}))
    mentor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("Mentor"),
                                    widget=PlainSelect(attrs={"class": "form-select"}))

    def __init__(self, *args, mentors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", _("Any skill"))] + caching.choices(Skill)
        self.fields["mentor"].choices = [("", _("Any mentor"))] + list(mentors)


class GroupCancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300,
                             label=gettext_lazy("Reason (everyone with a seat reads it)"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class SeatCancelForm(forms.Form):
    expect_forfeit = forms.TypedChoiceField(
        choices=[("0", "refund"), ("1", "forfeit")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )


class SeatAttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(choices=[("1", gettext_lazy("Attended")), ("0", gettext_lazy("No-show"))],
                                      coerce=lambda v: v == "1",
                                      error_messages={"required": gettext_lazy("Choose attended or no-show.")})


class GroupEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120,
                            error_messages={"required": gettext_lazy("Give the group session a title.")})
    topic = forms.CharField(max_length=200, required=False, label=gettext_lazy("Topic (optional)"))
    description = forms.CharField(required=False, max_length=4000, label=gettext_lazy("Description (optional)"),
                                  widget=forms.Textarea(attrs={"rows": 3}))
    video_url = forms.URLField(required=False, label=gettext_lazy("Video room"), assume_scheme="https")
