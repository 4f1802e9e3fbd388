from django import forms

from .models import EntryKind, Plan


class CreditRequestForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything your success manager should know? (optional)",
        help_text="E.g. an interview coming up, or a project you want more help with.",
    )


class CreditChangeForm(forms.Form):
    """A success manager's grant, top-up or adjustment; the service re-checks under the lock."""

    KIND_CHOICES = [
        (EntryKind.TOPUP.value, "Top-up — add credits (e.g. a purchased pack)"),
        (EntryKind.GRANT.value, "Grant — add credits as a goodwill gesture"),
        (EntryKind.ADJUST.value, "Adjustment — correct the balance up or down"),
        (EntryKind.GROUP_TOPUP.value, "Group top-up — add group-session seats"),
        (EntryKind.GROUP_ADJUST.value, "Group adjustment — correct the group balance up or down"),
    ]
    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.RadioSelect, initial=EntryKind.TOPUP.value)
    amount = forms.IntegerField(
        min_value=-1000, max_value=1000,
        help_text="Top-ups and grants: a positive number. Adjustments: negative takes credits away.",
    )
    reason = forms.CharField(
        max_length=300, required=True, strip=True,
        help_text="Required. The student sees it in their credit history.",
        error_messages={"required": "Give a reason; the student sees it in their credit history."},
    )

    def clean(self):
        data = super().clean()
        kind, amount = data.get("kind"), data.get("amount")
        if amount is None or kind is None:
            return data
        if kind in (EntryKind.TOPUP, EntryKind.GRANT, EntryKind.GROUP_TOPUP) and amount <= 0:
            self.add_error("amount", "A top-up or grant adds credits: enter a positive number "
                                     "(use an adjustment to take credits away).")
        if kind in (EntryKind.ADJUST, EntryKind.GROUP_ADJUST) and amount == 0:
            self.add_error("amount", "An adjustment of 0 changes nothing.")
        return data


class EnrolmentStartForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True), empty_label=None)
