"""Weekly availability grids: 7 × 24 wall-clock hours in the owner's zone.

A grid is a string of 168 characters '0'/'1'; index = weekday * 24 + hour,
Monday = 0, hours on the owner's wall clock. Keeping wall-clock hours (not UTC)
is what makes daylight saving right: "Mondays 9–10" stays 9–10 local when the
clocks change, and only its UTC instant moves.

Daylight-saving rules, used identically by `expand_to_utc` and the bitmasks:
- spring-forward gap: a wall-clock hour that does not exist that day (02:00 in
  New York on the second Sunday of March) gives no time at all;
- fall-back repeat: a wall-clock hour that happens twice (01:00 in New York on
  the first Sunday of November) counts both times, so the owner is available
  for the two real hours their clock shows 01:xx.
Both follow from one definition: a UTC instant is available when the owner's
wall clock at that instant reads a selected hour.

This module is pure (no ORM) so it is cheap to test and to call in bulk.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.utils.translation import gettext, pgettext_lazy

DAYS = 7
HOURS = 24
CELLS = DAYS * HOURS  # 168
EMPTY = "0" * CELLS
# Lazy: read in each person's language when a page shows them. A context of their own, as the
# grid's headings and cell labels ("Lunes"), apart from Django's names inside dates ("lunes").
DAY_NAMES = [
    pgettext_lazy("weekday heading", "Monday"), pgettext_lazy("weekday heading", "Tuesday"),
    pgettext_lazy("weekday heading", "Wednesday"), pgettext_lazy("weekday heading", "Thursday"),
    pgettext_lazy("weekday heading", "Friday"), pgettext_lazy("weekday heading", "Saturday"),
    pgettext_lazy("weekday heading", "Sunday"),
]

# Quarter hours: every UTC offset in use today is a multiple of 15 minutes
# (+05:30 India, +05:45 Nepal, +08:45 Eucla), so a week of quarter-hour bits
# compares any two zones exactly.
QUARTER = timedelta(minutes=15)
QUARTERS_PER_HOUR = 4
WEEK_QUARTERS = CELLS * QUARTERS_PER_HOUR  # 672
WEEK = timedelta(days=7)
FULL_WEEK_MASK = (1 << WEEK_QUARTERS) - 1
# Any Monday 00:00 as a naive wall-clock reference for "quarter of the week".
_WALL_MONDAY = datetime(2001, 1, 1)

# One hex digit is four bits: "1" → "f" spreads an hour over its four quarters.
_HOUR_TO_NIBBLE = str.maketrans("01", "0f")


class GridError(ValueError):
    """A grid payload that is not 168 cells of 0/1, or an out-of-range hour."""


def validate_cells(cells: str) -> str:
    if not isinstance(cells, str) or len(cells) != CELLS or cells.strip("01"):
        raise GridError(f"An availability grid is {CELLS} cells of 0 or 1.")
    return cells


def cells_from_indices(indices: Iterable[int | str]) -> str:
    """Build a grid from selected cell numbers (0–167); refuse anything else."""
    chosen = bytearray(b"0" * CELLS)
    for raw in indices:
        try:
            index = int(str(raw).strip(), 10)
        except ValueError:
            raise GridError(_not_an_hour(raw)) from None
        if not 0 <= index < CELLS:
            raise GridError(_not_an_hour(raw))
        chosen[index] = ord("1")
    return chosen.decode()


def _not_an_hour(raw) -> str:
    # Shown to the person who posted the grid (after "Nothing was saved:").
    return gettext("“%(value)s” is not an hour of the week (expected a number from 0 to %(last)s).") % {
        "value": raw, "last": CELLS - 1}


def selected_indices(cells: str) -> list[int]:
    return [i for i, c in enumerate(cells) if c == "1"]


def hours_selected(cells: str | None) -> int:
    return (cells or "").count("1")


def cell_index(weekday: int, hour: int) -> int:
    return weekday * HOURS + hour


def cell_label(index: int) -> str:
    day, hour = divmod(index, HOURS)
    return f"{DAY_NAMES[day]} {hour:02d}:00–{(hour + 1) % 24:02d}:00"  # the names follow the active language


def as_zone(tz: zoneinfo.ZoneInfo | str) -> zoneinfo.ZoneInfo:
    return tz if isinstance(tz, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(tz)


def merge_intervals(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sort and join overlapping or touching intervals."""
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract_intervals(
    a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """`a` minus `b`, both sorted and merged (e.g. the weekly hours minus an overridden date)."""
    out = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def offset_segments(
    zone: zoneinfo.ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """Split [start, end) (UTC) into stretches where the zone's UTC offset is constant.

    No zone changes its offset twice within a day, and every current change
    falls on a UTC quarter hour: so we look once a day and binary-search a
    change down to its quarter hour.
    """
    def offset(at: datetime) -> timedelta:
        return at.astimezone(zone).utcoffset()

    segments = []
    seg_start, seg_offset = start, offset(start)
    probe = start
    while probe < end:
        nxt = min(probe + timedelta(days=1), end)
        if offset(nxt) != seg_offset or (nxt == end and offset(end - timedelta(microseconds=1)) != seg_offset):
            # First quarter hour after `probe` with the new offset.
            base = probe.replace(minute=probe.minute - probe.minute % 15, second=0, microsecond=0)
            lo, hi = 1, int((nxt - base) / QUARTER) + 1
            while lo < hi:
                mid = (lo + hi) // 2
                if offset(base + QUARTER * mid) != seg_offset:
                    hi = mid
                else:
                    lo = mid + 1
            change = base + QUARTER * lo
            if change < end:
                segments.append((seg_start, change, seg_offset))
                seg_start, seg_offset = change, offset(change)
                probe = change
                continue
        probe = nxt
    segments.append((seg_start, end, seg_offset))
    return [s for s in segments if s[0] < s[1]]


def _runs(cells: str) -> list[list[tuple[int, int]]]:
    """Per weekday, the runs of consecutive selected hours as (first hour, end hour)."""
    runs = []
    for day in range(DAYS):
        row, day_runs, hour = cells[day * HOURS:(day + 1) * HOURS], [], 0
        while hour < HOURS:
            if row[hour] == "1":
                first = hour
                while hour < HOURS and row[hour] == "1":
                    hour += 1
                day_runs.append((first, hour))
            else:
                hour += 1
        runs.append(day_runs)
    return runs


def expand_to_utc(
    cells: str, tz: zoneinfo.ZoneInfo | str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The UTC intervals within [start, end) when the grid's owner is available.

    Sorted, merged, UTC-aware. An instant is available when the owner's wall
    clock reads a selected hour then: so a spring-forward gap hour gives
    nothing and a fall-back repeated hour counts both times (module docstring).
    """
    validate_cells(cells)
    zone = as_zone(tz)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("expand_to_utc needs aware datetimes.")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start or "1" not in cells:
        return []
    runs = _runs(cells)
    pieces = []
    one_day = timedelta(days=1)
    for seg_start, seg_end, offset in offset_segments(zone, start, end):
        # With a constant offset, wall time = UTC + offset: walk the local days
        # this stretch covers and map each run of selected hours back.
        wall_start = (seg_start + offset).replace(tzinfo=None)
        wall_end = (seg_end + offset).replace(tzinfo=None)
        day = wall_start.replace(hour=0, minute=0, second=0, microsecond=0)
        while day < wall_end:
            for first, stop in runs[day.weekday()]:
                piece_start = max(day + timedelta(hours=first), wall_start)
                piece_end = min(day + timedelta(hours=stop), wall_end)
                if piece_start < piece_end:
                    pieces.append(((piece_start - offset).replace(tzinfo=UTC), (piece_end - offset).replace(tzinfo=UTC)))
            day += one_day
    return merge_intervals(pieces)


# --- Quarter-hour bitmasks for fast matching ---------------------------------
#
# Over one real week [window_start, window_start + 7 days) bit q stands for the
# UTC quarter hour window_start + 15 min × q. While a zone's offset stays the
# same, UTC quarter q reads as wall-clock quarter (q + k) mod 672 of the local
# week, so a person's UTC mask is their local mask rotated by k. A week holds
# at most a couple of offset changes, so a mask is a few big-integer shifts,
# not 168 date conversions: that is what keeps ranking 1,000 mentors fast.


def local_week_mask(cells: str) -> int:
    """Bit i = wall-clock quarter i of the week (Monday 00:00–00:15 is bit 0)."""
    # int(..., 16) reads the most significant digit first, hence the reversal.
    return int(cells.translate(_HOUR_TO_NIBBLE)[::-1], 16) if "1" in cells else 0


def _rotate_right(mask: int, k: int) -> int:
    k %= WEEK_QUARTERS
    if k == 0:
        return mask
    return ((mask >> k) | (mask << (WEEK_QUARTERS - k))) & FULL_WEEK_MASK


def window_start_for(now: datetime) -> datetime:
    """The coming real week starts at the current UTC quarter hour."""
    now = now.astimezone(UTC)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


@lru_cache(maxsize=2048)
def zone_segments(zone_name: str, window_start: datetime) -> tuple[tuple[int, int, int], ...]:
    """(first quarter, end quarter, rotation) for each stretch of constant offset in the week.

    Zone rules never change while the process runs, so this is cached per
    (zone, week).
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    segments: list[list[int]] = []
    previous = None
    for q in range(WEEK_QUARTERS):
        instant = window_start + QUARTER * q
        offset = instant.astimezone(zone).utcoffset()
        if offset != previous:
            wall = (instant + offset).replace(tzinfo=None)
            local_q = (wall - _WALL_MONDAY) // QUARTER
            rotation = (local_q - q) % WEEK_QUARTERS
            segments.append([q, WEEK_QUARTERS, rotation])
            if len(segments) > 1:
                segments[-2][1] = q
            previous = offset
    return tuple(tuple(s) for s in segments)


def week_mask(cells: str | None, zone_name: str, window_start: datetime) -> int:
    """The owner's available UTC quarter hours in the week from `window_start`."""
    if not cells or "1" not in cells:
        return 0
    local = local_week_mask(cells)
    segments = zone_segments(zone_name, window_start)
    if len(segments) == 1:
        return _rotate_right(local, segments[0][2])
    mask = 0
    for first, stop, rotation in segments:
        span = ((1 << stop) - 1) ^ ((1 << first) - 1)
        mask |= _rotate_right(local, rotation) & span
    return mask


def overlaps_with(mask: int, people: Iterable[tuple[str | None, str]], window_start: datetime) -> list[int]:
    """Shared quarter hours between `mask` and each (cells, zone) — `week_mask` in bulk.

    The same arithmetic as `week_mask`, unrolled for the matching hot loop
    (1,000 mentors per ranking): one lookup of each zone's segments, no calls.
    """
    if not mask:
        return [0 for _ in people]
    segments_of: dict[str, tuple] = {}
    width, full, translate_table = WEEK_QUARTERS, FULL_WEEK_MASK, _HOUR_TO_NIBBLE
    out = []
    for cells, zone in people:
        if not cells or "1" not in cells:
            out.append(0)
            continue
        local = int(cells.translate(translate_table)[::-1], 16)
        segments = segments_of.get(zone)
        if segments is None:
            segments = segments_of[zone] = zone_segments(zone, window_start)
        if len(segments) == 1:
            k = segments[0][2]
            theirs = ((local >> k) | (local << (width - k))) & full if k else local
        else:
            theirs = 0
            for first, stop, k in segments:
                rotated = ((local >> k) | (local << (width - k))) & full if k else local
                theirs |= rotated & (((1 << stop) - 1) ^ ((1 << first) - 1))
        out.append((mask & theirs).bit_count())
    return out


def mask_hours(mask: int) -> float:
    """Hours covered by a quarter-hour mask (may be fractional: 9.5, 2.75)."""
    return mask.bit_count() / QUARTERS_PER_HOUR


def shared_hours(
    cells_a: str | None, zone_a: str, cells_b: str | None, zone_b: str, window_start: datetime
) -> float:
    return mask_hours(week_mask(cells_a, zone_a, window_start) & week_mask(cells_b, zone_b, window_start))


def format_hours(hours: float) -> str:
    """9 → "9", 9.5 → "9.5", 2.75 → "2.75" (with the active language's decimal mark: "9,5" in Spanish)."""
    from django.utils.formats import get_format  # only the format lookup: this module stays ORM-free

    return f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", get_format("DECIMAL_SEPARATOR"))


def plural_count(hours: float) -> int:
    """The whole number that picks the plural form for `hours` in ngettext/blocktranslate count.

    gettext wants an integer, and a fractional amount reads as plural in
    English and Spanish alike ("1.5 hours", "0,5 horas"), as 2 does.
    """
    return int(hours) if hours == int(hours) else 2
