"""Telling students their monthly credits were reset.

Kept out of the reset sweep itself: the sweep writes 100,000 grants in
seconds, set-wise; rendering an email per student belongs in its own pass.
This pass finds recent monthly grants that have no "credits_reset" email in
the outbox yet (the outbox's unique dedupe key makes it exactly once, also
when two passes overlap) and queues them in batches.
"""

import datetime as dt

from django.db.models import CharField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from accounts.emails import send_templated_email
from accounts.models import OutboundEmail

from .models import EntryKind, LedgerEntry

LOOK_BACK = dt.timedelta(days=3)


def _reset_key():
    """The outbox dedupe key send_templated_email writes: credits_reset:<enrolment>:<period>:<student>."""
    return Concat(Value("credits_reset:"), Cast("enrolment_id", CharField()), Value(":"),
                  Cast("period", CharField()), Value(":"), Cast("account__student_id", CharField()),
                  output_field=CharField())


def credits_reset_emails(*, now: dt.datetime, batch: int = 500) -> int:
    expired = LedgerEntry.objects.filter(
        kind=EntryKind.EXPIRE, enrolment_id=OuterRef("enrolment_id"), created_at=OuterRef("created_at")
    ).values("amount")[:1]
    grants = (
        LedgerEntry.objects.filter(kind=EntryKind.GRANT, actor__isnull=True, period__isnull=False,
                                   created_at__gte=now - LOOK_BACK, enrolment__isnull=False)
        # The first grant of an enrolment comes with joining the plan, not with a reset.
        .exclude(period__lte=F("enrolment__starts_on"))
        .annotate(key=_reset_key(), expired=Subquery(expired))
        .exclude(Exists(OutboundEmail.objects.filter(dedupe_key=OuterRef("key"))))
        .select_related("account__student", "enrolment__plan")
        .order_by("pk")
    )
    queued = 0
    while True:
        rows = list(grants[:batch])
        for entry in rows:
            student = entry.account.student
            send_templated_email(
                name="credits_reset", to=student,
                context={"entry": entry, "plan": entry.enrolment.plan, "expired": -(entry.expired or 0)},
                dedupe_key=f"credits_reset:{entry.enrolment_id}:{entry.period.isoformat()}",
            )
        queued += len(rows)
        if len(rows) < batch:
            return queued
