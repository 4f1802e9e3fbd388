"""Who changed what, when and why — on the object's own admin History page.

Uses Django admin's LogEntry (the history the admin already shows) rather
than a parallel audit table. Services call it for every change a success
manager makes outside a plain admin form (reassignments, credit changes,
waivers, pause decisions).
"""

from django.contrib.admin.models import CHANGE, LogEntry


def audit_record(*, actor, obj, message: str) -> None:
    if actor is None or not getattr(actor, "pk", None):
        return  # system changes (sweeps) are recorded in their own tables
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[obj], action_flag=CHANGE, change_message=message[:2000], single_object=True,
    )
