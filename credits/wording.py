"""Sentences about credits that students read, in their own time zone."""

import datetime as dt
import re
from collections.abc import Callable

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


# --- Ledger notes: stored in English as the record, worded for each reader ----------------------------

# Notes other apps write (scheduling's "cancelled 3 h before start"), worded by the app that writes them;
# registered at start-up (credits never imports scheduling).
_NOTE_WORDINGS: list[Callable[[str], str]] = []


def register_note_wording(wording: Callable[[str], str]) -> None:
    if wording not in _NOTE_WORDINGS:
        _NOTE_WORDINGS.append(wording)


# The notes credits' own callers write, by the entry kinds that carry them: a manager's reason (an
# adjustment) is never matched, so a person's own words are shown as written.
_MOVED = re.compile(r"^moved to (?P<plan>.+)$", re.DOTALL)
_BOOKED = re.compile(r"^(?P<what>.+) with (?P<who>[^\n]+)$", re.DOTALL)
_MISSED = re.compile(r"^did not attend “(?P<title>.+)”$", re.DOTALL)


def ledger_note(note: str, kind: str) -> str:
    """A stored ledger note in the active language ("1-1 Coding with Ada" -> "1-1 Coding con Ada")."""
    if not note:
        return note
    match = _MOVED.match(note)
    if match and kind in ("expire", "grant", "group_expire", "group_grant"):
        return _("moved to %(plan)s") % match.groupdict()
    match = _BOOKED.match(note)
    if match and kind in ("consume", "group_consume"):
        return _("%(what)s with %(who)s") % match.groupdict()
    match = _MISSED.match(note)
    if match:
        return _("did not attend “%(title)s”") % match.groupdict()
    for wording in _NOTE_WORDINGS:
        worded = wording(note)
        if worded != note:
            return worded
    return note
