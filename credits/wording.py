"""Sentences about credits that students read, in their own time zone."""

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _


def short_date(instant: dt.datetime, tz) -> str:
    """"1 Dec" ("1 dic" in Spanish): day and month in the active language."""
    return dateformat.format(instant.astimezone(tz), _("j M"))


def no_credits_message(enrolment, *, student) -> str:
    plan = enrolment.plan
    if plan.sessions == 0 and not plan.is_unlimited:
        return _(
            "Your plan (%(plan)s) doesn't include one-to-one sessions. "
            "Use “Get more sessions” on your credits page to ask your success manager about one that does."
        ) % {"plan": plan.name}
    if plan.is_monthly and enrolment.next_reset_at is not None:
        return _("No sessions left this month — your credits reset on %(date)s.") % {
            "date": short_date(enrolment.next_reset_at, student.tzinfo)}
    return _("No sessions left in your pack — use “Get more sessions” on your credits page to ask for more.")


def no_group_credits_message(enrolment, *, student) -> str:
    plan = enrolment.plan
    if not plan.has_group or (plan.group_sessions == 0 and not plan.group_is_unlimited):
        return _(
            "Your plan (%(plan)s) doesn't include group sessions. "
            "Use “Get more sessions” on your credits page to ask your success manager about one that does."
        ) % {"plan": plan.name}
    if plan.group_is_monthly and enrolment.next_reset_at is not None:
        return _("No group sessions left this month — they reset on %(date)s.") % {
            "date": short_date(enrolment.next_reset_at, student.tzinfo)}
    return _("No group sessions left in your pack — use “Get more sessions” on your credits page to ask for more.")
