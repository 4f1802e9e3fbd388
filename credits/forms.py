from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EntryKind, Plan


class CreditRequestForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Anything your success manager should know? (optional)"),
        help_text=_("E.g. an interview coming up, or a project you want more help with."),
    )


class CreditChangeForm(forms.Form):
    """A success manager's grant, top-up or adjustment; the service re-checks under the lock."""

    KIND_CHOICES = [
        (EntryKind.TOPUP.value, _("Top-up — add credits (e.g. a purchased pack)")),
        (EntryKind.GRANT.value, _("Grant — add credits as a goodwill gesture")),
        (EntryKind.ADJUST.value, _("Adjustment — correct the balance up or down")),
        (EntryKind.GROUP_TOPUP.value, _("Group top-up — add group-session seats")),
        (EntryKind.GROUP_ADJUST.value, _("Group adjustment — correct the group balance up or down")),
    ]
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial=EntryKind.TOPUP.value)
    amount = forms.IntegerField(
        label=_("Amount"), min_value=-1000, max_value=1000,
        help_text=_("Top-ups and grants: a positive number. Adjustments: negative takes credits away."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=True, strip=True,
        help_text=_("Required. The student sees it in their credit history."),
        error_messages={"required": _("Give a reason; the student sees it in their credit history.")},
    )

    def clean(self):
        data = super().clean()
        kind, amount = data.get("kind"), data.get("amount")
        if amount is None or kind is None:
            return data
        if kind in (EntryKind.TOPUP, EntryKind.GRANT, EntryKind.GROUP_TOPUP) and amount <= 0:
            self.add_error("amount", _("A top-up or grant adds credits: enter a positive number "
                                       "(use an adjustment to take credits away)."))
        if kind in (EntryKind.ADJUST, EntryKind.GROUP_ADJUST) and amount == 0:
            self.add_error("amount", _("An adjustment of 0 changes nothing."))
        return data


class EnrolmentStartForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.filter(is_active=True), empty_label=None)
