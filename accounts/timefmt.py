"""One way to write a moment for people: "Mon 30 Nov, 14:00 (America/New_York)".

In the active language: "lun 30 nov, 14:00 (America/New_York)" in Spanish (the
formats are translatable strings, the day and month names Django's own).

Every admin page and email shows a time in the zone of the person it concerns
(a student's session in the student's zone), names that zone, and keeps the UTC
instant one hover away (`<time datetime=... title=...>`). The year appears only
when it is not the current one in that zone, so a ledger line from last
December doesn't read as next month's.
"""

import zoneinfo
from datetime import datetime, tzinfo
from html import escape

from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from . import datefmt

UTC = zoneinfo.ZoneInfo("UTC")


def _zone(zone) -> tzinfo:
    """A zone from a ZoneInfo, an IANA name, or anything with `.tzinfo` (a User)."""
    if zone is None:
        return timezone.get_current_timezone()
    if isinstance(zone, str):
        return zoneinfo.ZoneInfo(zone)
    if isinstance(zone, tzinfo):
        return zone
    return getattr(zone, "tzinfo", None) or timezone.get_current_timezone()


def zone_name(zone) -> str:
    z = _zone(zone)
    return getattr(z, "key", None) or str(z)


def format_when(value: datetime | None, zone=None, *, now: datetime | None = None, with_zone: bool = True) -> str:
    """"Mon 30 Nov, 14:00 (America/New_York)"; "—" for no time."""
    if value is None:
        return "—"
    z = _zone(zone)
    local = value.astimezone(z)
    this_year = (now or timezone.now()).astimezone(z).year
    if local.year != this_year:
        text = dateformat.format(local, pgettext("date and time with year", "D j M Y, H:i"))
    else:
        text = dateformat.format(local, pgettext("date and time", "D j M, H:i"))
    if with_zone:
        text += f" ({zone_name(z)})"
    return text


def format_span(starts_at: datetime, ends_at: datetime, zone=None, *, now: datetime | None = None) -> str:
    """"Mon 30 Nov, 14:00–15:00 (America/New_York)" (the end's date too when it is another day)."""
    z = _zone(zone)
    start = format_when(starts_at, z, now=now, with_zone=False)
    end_local = ends_at.astimezone(z)
    if end_local.date() == starts_at.astimezone(z).date():
        end = dateformat.format(end_local, "H:i")
    else:
        end = format_when(ends_at, z, now=now, with_zone=False)
    return f"{start}–{end} ({zone_name(z)})"


def utc_text(value: datetime) -> str:
    return dateformat.format(value.astimezone(UTC), pgettext("date and time with year", "D j M Y, H:i")) + " UTC"


def when_html(value: datetime | None, zone=None, *, ends_at: datetime | None = None, now: datetime | None = None):
    """The HTML form: a <time> carrying the instant, its UTC reading on hover."""
    if value is None:
        return "—"
    text = format_span(value, ends_at, zone, now=now) if ends_at is not None else format_when(value, zone, now=now)
    return format_html('<time datetime="{}" title="{}">{}</time>',
                       value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), utc_text(value), text)


class Moments:
    """`when_html` for many moments in one zone (a page's table rows): the zone, its name, the current year, the
    translated formats and the day and month names are looked up once instead of once per row. The same text
    as the functions above, written by accounts.datefmt."""

    def __init__(self, zone=None, *, now: datetime | None = None):
        self.zone = _zone(zone)
        self.zone_name = zone_name(self.zone)
        self.this_year = (now or timezone.now()).astimezone(self.zone).year
        self._names = datefmt.day_and_month_names()
        self.with_year = self.compile(pgettext("date and time with year", "D j M Y, H:i"))
        self.without_year = self.compile(pgettext("date and time", "D j M, H:i"))
        self.hour = self.compile("H:i")

    def compile(self, fmt: str):
        """dateformat.format(·, fmt) as a function of the value, the names looked up once (accounts.datefmt)."""
        names = self._names
        return lambda value: datefmt.format(value, fmt, names)

    def _text(self, local: datetime) -> str:
        return (self.without_year if local.year == self.this_year else self.with_year)(local)

    def html(self, value: datetime | None, ends_at: datetime | None = None):
        if value is None:
            return "—"
        local = value.astimezone(self.zone)
        text = self._text(local)
        if ends_at is not None:
            end_local = ends_at.astimezone(self.zone)
            end = self.hour(end_local) if end_local.date() == local.date() else self._text(end_local)
            text = f"{text}–{end}"
        utc = value.astimezone(UTC)
        # format_html's output, written directly (the page calls this for every row).
        return mark_safe(f'<time datetime="{utc.strftime("%Y-%m-%dT%H:%M:%SZ")}" '
                         f'title="{escape(self.with_year(utc) + " UTC")}">{escape(f"{text} ({self.zone_name})")}</time>')


