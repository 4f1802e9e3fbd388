"""Forms for group sessions: validation and the messages people read."""

from django import forms

from mentorship.models import Skill

from .forms import LocalDateTimeField, _ZonedStartForm
from .group_models import MAX_SEATS, MIN_SEATS
from .services.group import MAX_WEEKS


class GroupScheduleForm(_ZonedStartForm):
    title = forms.CharField(max_length=120, error_messages={"required": "Give the group session a title."})
    topic = forms.CharField(max_length=200, required=False, label="Topic (optional)",
                            help_text="What it is about, in a line.")
    skills = forms.ModelMultipleChoiceField(queryset=Skill.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple, label="Skills (optional)")
    description = forms.CharField(required=False, max_length=4000, label="Description (optional)",
                                  widget=forms.Textarea(attrs={"rows": 3}))
    start_local = LocalDateTimeField(label="Starts")
    duration_minutes = forms.TypedChoiceField(
        label="Length", coerce=int, initial=60,
        choices=[(30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"), (90, "1½ hours"), (120, "2 hours")],
    )
    seats = forms.IntegerField(min_value=MIN_SEATS, max_value=MAX_SEATS, initial=10,
                               help_text=f"Between {MIN_SEATS} and {MAX_SEATS}.")
    video_url = forms.URLField(required=False, label="Video room (optional)", assume_scheme="https",
                               help_text="Leave empty to use the room on your profile.")
    weeks = forms.TypedChoiceField(label="Repeat", coerce=int, initial=1,
                                   choices=[(1, "Just this once")] + [(n, f"Every week for {n} weeks")
                                                                        for n in range(2, MAX_WEEKS + 1)])


class GroupFilterForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), required=False, empty_label="Any skill",
                                   widget=forms.Select(attrs={"class": "form-select"}))
    mentor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Mentor",
                                    widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, mentors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", "Any mentor")] + [(m.pk, m.get_full_name()) for m in mentors]


class GroupCancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300, label="Reason (everyone with a seat reads it)",
                             widget=forms.Textarea(attrs={"rows": 2}))


class SeatCancelForm(forms.Form):
    expect_forfeit = forms.TypedChoiceField(
        choices=[("0", "refund"), ("1", "forfeit")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )


class SeatAttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(choices=[("1", "Attended"), ("0", "No-show")], coerce=lambda v: v == "1",
                                      error_messages={"required": "Choose attended or no-show."})


class GroupEditForm(forms.Form):
    title = forms.CharField(max_length=120, error_messages={"required": "Give the group session a title."})
    topic = forms.CharField(max_length=200, required=False, label="Topic (optional)")
    description = forms.CharField(required=False, max_length=4000, label="Description (optional)",
                                  widget=forms.Textarea(attrs={"rows": 3}))
    video_url = forms.URLField(required=False, label="Video room", assume_scheme="https")
