"""The pure grid maths: parsing, expansion to UTC across DST changes, and the fast bitmasks."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship import weekgrid
from mentorship.weekgrid import GridError, cell_index, cells_from_indices, expand_to_utc

NEW_YORK, KOLKATA, LONDON = "America/New_York", "Asia/Kolkata", "Europe/London"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def grid(hours_by_day: dict[int, range]) -> str:
    return cells_from_indices(cell_index(d, h) for d, hours in hours_by_day.items() for h in hours)


def every_day(hours: range) -> str:
    return grid({d: hours for d in range(7)})


def intersect(a, b):
    """Intersection of two sorted, merged interval lists: the oracle the expansions are checked against."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


# --- Parsing -------------------------------------------------------------------


def test_cells_from_indices_builds_the_string_and_refuses_bad_numbers():
    cells = cells_from_indices(["0", 167, " 25 "])
    assert len(cells) == 168 and cells[0] == cells[167] == cells[25] == "1" and cells.count("1") == 3
    for bad in ["168", "-1", "abc", "1.5", ""]:
        with pytest.raises(GridError, match="not an hour of the week"):
            cells_from_indices([bad])


def test_validate_cells_refuses_wrong_length_or_characters():
    weekgrid.validate_cells("0" * 168)
    for bad in ["0" * 167, "0" * 169, "2" + "0" * 167, "1" * 167 + " "]:
        with pytest.raises(GridError):
            weekgrid.validate_cells(bad)


def test_labels_name_the_day_and_hour():
    assert weekgrid.cell_label(cell_index(TUE, 9)) == "Tuesday 09:00–10:00"
    assert weekgrid.cell_label(167) == "Sunday 23:00–00:00"


# --- expand_to_utc --------------------------------------------------------------


def test_expand_merges_adjacent_hours_and_clips_to_the_window():
    cells = grid({MON: range(9, 12)})
    # Monday 8 March 2027, New York still on EST (UTC-5).
    got = expand_to_utc(cells, NEW_YORK, utc(2027, 3, 8, 15, 0), utc(2027, 3, 9))
    assert got == [(utc(2027, 3, 8, 15), utc(2027, 3, 8, 17))]


def test_spring_forward_gap_hour_does_not_exist():
    # 02:00–03:00 on Sunday 14 March 2027 never happens in New York.
    cells = grid({SUN: range(1, 4)})
    got = expand_to_utc(cells, NEW_YORK, utc(2027, 3, 14), utc(2027, 3, 15))
    # 01:00 EST = 06:00Z; then the clock jumps to 03:00 EDT = 07:00Z; 04:00 EDT = 08:00Z.
    assert got == [(utc(2027, 3, 14, 6), utc(2027, 3, 14, 8))]
    assert sum((e - s for s, e in got), timedelta()) == timedelta(hours=2)


def test_fall_back_repeated_hour_counts_both_times():
    # 01:00–02:00 happens twice on Sunday 7 November 2027 in New York.
    cells = grid({SUN: range(1, 2)})
    got = expand_to_utc(cells, NEW_YORK, utc(2027, 11, 7), utc(2027, 11, 8))
    # 01:00 EDT = 05:00Z and 01:00 EST = 06:00Z: two real hours, merged.
    assert got == [(utc(2027, 11, 7, 5), utc(2027, 11, 7, 7))]


def test_half_hour_zone_expands_exactly():
    cells = grid({MON: range(18, 20)})
    got = expand_to_utc(cells, KOLKATA, utc(2027, 3, 8), utc(2027, 3, 9))
    assert got == [(utc(2027, 3, 8, 12, 30), utc(2027, 3, 8, 14, 30))]


# --- NY mentor × Kolkata student across both 2027 US changes ---------------------

# Mentor: weekdays 09:00–12:00 New York. Student: every day 18:00–22:00 Kolkata (UTC+5:30, no DST)
# = 12:30–16:30Z. On EST the mentor is 14:00–17:00Z → overlap 14:00–16:30 (2.5 h); on EDT 13:00–16:00Z → 3 h.
MENTOR_NY = grid({d: range(9, 12) for d in range(5)})
STUDENT_KOLKATA = every_day(range(18, 22))


def daily_overlaps(mentor_cells, mentor_zone, student_cells, student_zone, first_day, days):
    start = utc(*first_day)
    end = start + timedelta(days=days)
    both = intersect(
        expand_to_utc(mentor_cells, mentor_zone, start, end), expand_to_utc(student_cells, student_zone, start, end)
    )
    return both


def test_ny_mentor_and_kolkata_student_across_march_2027_change():
    got = daily_overlaps(MENTOR_NY, NEW_YORK, STUDENT_KOLKATA, KOLKATA, (2027, 3, 8), 14)
    expected = []
    for day in [8, 9, 10, 11, 12]:  # week before: EST
        expected.append((utc(2027, 3, day, 14), utc(2027, 3, day, 16, 30)))
    for day in [15, 16, 17, 18, 19]:  # the week of the change (Sunday 14th) onwards: EDT
        expected.append((utc(2027, 3, day, 13), utc(2027, 3, day, 16)))
    assert got == expected


def test_ny_mentor_and_kolkata_student_across_november_2027_change():
    got = daily_overlaps(MENTOR_NY, NEW_YORK, STUDENT_KOLKATA, KOLKATA, (2027, 11, 1), 14)
    expected = [(utc(2027, 11, d, 13), utc(2027, 11, d, 16)) for d in [1, 2, 3, 4, 5]]  # EDT
    expected += [(utc(2027, 11, d, 14), utc(2027, 11, d, 16, 30)) for d in [8, 9, 10, 11, 12]]  # EST from 7th
    assert got == expected


def test_weekly_shared_hours_with_bitmasks_follow_the_change():
    before = weekgrid.window_start_for(utc(2027, 3, 8))
    after = weekgrid.window_start_for(utc(2027, 3, 15))
    assert weekgrid.shared_hours(MENTOR_NY, NEW_YORK, STUDENT_KOLKATA, KOLKATA, before) == 12.5
    assert weekgrid.shared_hours(MENTOR_NY, NEW_YORK, STUDENT_KOLKATA, KOLKATA, after) == 15
    # A window straddling the change: Wed 10 – Wed 17 March → Wed–Fri on EST, Mon–Tue on EDT.
    straddle = weekgrid.window_start_for(utc(2027, 3, 10))
    assert weekgrid.shared_hours(MENTOR_NY, NEW_YORK, STUDENT_KOLKATA, KOLKATA, straddle) == 3 * 2.5 + 2 * 3


# --- London student × NY mentor when US and UK clocks differ -----------------------
# Usually 5 hours apart; 4 hours apart from 14 to 28 March 2027 (US moved, UK not yet)
# and from 31 October to 7 November 2027 (UK moved back, US not yet).

STUDENT_LONDON = grid({d: range(14, 16) for d in range(5)})  # 14:00–16:00 London on weekdays


@pytest.mark.parametrize(
    "monday, london_to_ny_hours",
    [
        ((2027, 3, 8), 5),  # both on winter time
        ((2027, 3, 15), 4),  # US on summer time, UK not yet
        ((2027, 3, 22), 4),
        ((2027, 3, 29), 5),  # both on summer time
        ((2027, 10, 25), 5),
        ((2027, 11, 1), 4),  # UK back on winter time, US not yet
        ((2027, 11, 8), 5),
    ],
)
def test_london_student_with_ny_mentor_in_the_weeks_clocks_differ(monday, london_to_ny_hours):
    # Mentor: 09:00–11:00 New York. 14:00 London is 09:00 New York when 5 h apart (2 shared hours
    # a day) and 10:00 New York when 4 h apart (only 10:00–11:00 NY shared: 1 hour a day).
    mentor = grid({d: range(9, 11) for d in range(5)})
    got = daily_overlaps(mentor, NEW_YORK, STUDENT_LONDON, LONDON, monday, 5)
    per_day = {s.date(): (e - s) for s, e in got}
    assert len(per_day) == 5
    expected = timedelta(hours=2 if london_to_ny_hours == 5 else 1)
    assert set(per_day.values()) == {expected}
    window = weekgrid.window_start_for(utc(*monday))
    assert weekgrid.shared_hours(mentor, NEW_YORK, STUDENT_LONDON, LONDON, window) == 5 * expected.seconds / 3600


# --- Bitmasks agree with expand_to_utc -------------------------------------------

ZONES = [NEW_YORK, KOLKATA, LONDON, "Asia/Kathmandu", "Australia/Lord_Howe", "Australia/Adelaide",
         "Pacific/Chatham", "America/St_Johns", "UTC"]


def mask_from_intervals(intervals, window_start):
    mask = 0
    for start, end in intervals:
        first = int((start - window_start) / weekgrid.QUARTER)
        last = int((end - window_start) / weekgrid.QUARTER)
        for q in range(first, last):
            mask |= 1 << q
    return mask


@settings(max_examples=60, deadline=None)
@given(
    cells=st.sets(st.integers(0, 167), max_size=40).map(cells_from_indices),
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
)
def test_week_mask_equals_the_expanded_intervals(cells, zone, start):
    window_start = weekgrid.window_start_for(start.replace(tzinfo=UTC))
    expected = mask_from_intervals(
        expand_to_utc(cells, zone, window_start, window_start + weekgrid.WEEK), window_start
    )
    assert weekgrid.week_mask(cells, zone, window_start) == expected
    assert weekgrid.overlaps_with(weekgrid.FULL_WEEK_MASK, [(cells, zone)], window_start) == [expected.bit_count()]


@settings(max_examples=40, deadline=None)
@given(
    cells=st.sets(st.integers(0, 167), max_size=60).map(cells_from_indices),
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(1, 60 * 24 * 10),
)
def test_expansion_of_any_window_is_the_clipped_expansion_of_a_wider_one(cells, zone, start, minutes):
    start = start.replace(tzinfo=UTC)
    end = start + timedelta(minutes=minutes)
    wide = expand_to_utc(cells, zone, start - timedelta(days=2), end + timedelta(days=2))
    assert expand_to_utc(cells, zone, start, end) == intersect(wide, [(start, end)])


def test_dst_weeks_in_zones_with_odd_offsets_are_exact():
    # Lord Howe moves by 30 minutes; Chatham sits at +12:45/+13:45.
    for zone, day in [("Australia/Lord_Howe", utc(2027, 4, 1)), ("Pacific/Chatham", utc(2027, 9, 23))]:
        cells = every_day(range(0, 24))
        window_start = weekgrid.window_start_for(day)
        expected = mask_from_intervals(expand_to_utc(cells, zone, window_start, window_start + weekgrid.WEEK),
                                       window_start)
        assert weekgrid.week_mask(cells, zone, window_start) == expected


def test_kathmandu_overlap_is_fractional():
    # Kathmandu is UTC+5:45: its 09:00–10:00 is 03:15–04:15Z; London (winter) 03:00–04:00 shares 45 minutes.
    window = weekgrid.window_start_for(utc(2027, 1, 4))
    nepal, london = grid({MON: range(9, 10)}), grid({MON: range(3, 4)})
    assert weekgrid.shared_hours(nepal, "Asia/Kathmandu", london, LONDON, window) == 0.75
    assert weekgrid.format_hours(0.75) == "0.75" and weekgrid.format_hours(9.5) == "9.5"
    assert weekgrid.format_hours(12.0) == "12"
