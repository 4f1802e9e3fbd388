"""Sentences about credits that students read, in their own time zone."""

import datetime as dt


def short_date(instant: dt.datetime, tz) -> str:
    local = instant.astimezone(tz)
    return f"{local.day} {local:%b}"


def no_credits_message(enrolment, *, student) -> str:
    plan = enrolment.plan
    if plan.sessions == 0 and not plan.is_unlimited:
        return (
            f"Your plan ({plan.name}) doesn't include one-to-one sessions. "
            "Use “Get more sessions” on your credits page to ask your success manager about one that does."
        )
    if plan.is_monthly and enrolment.next_reset_at is not None:
        return (
            f"No sessions left this month — your credits reset on "
            f"{short_date(enrolment.next_reset_at, student.tzinfo)}."
        )
    return "No sessions left in your pack — use “Get more sessions” on your credits page to ask for more."


def no_group_credits_message(enrolment, *, student) -> str:
    plan = enrolment.plan
    if not plan.has_group or (plan.group_sessions == 0 and not plan.group_is_unlimited):
        return (
            f"Your plan ({plan.name}) doesn't include group sessions. "
            "Use “Get more sessions” on your credits page to ask your success manager about one that does."
        )
    if plan.group_is_monthly and enrolment.next_reset_at is not None:
        return (
            f"No group sessions left this month — they reset on "
            f"{short_date(enrolment.next_reset_at, student.tzinfo)}."
        )
    return "No group sessions left in your pack — use “Get more sessions” on your credits page to ask for more."
