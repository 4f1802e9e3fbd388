"""Reads: current pairings, time off in UTC, shared hours, ranking and the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from operator import itemgetter

from babel import Locale, UnknownLocaleError
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

from accounts.models import Role, User
from config.prepared import Prepared, PreparedShapes, first_of, ids_in

from . import weekgrid
from .models import AvailabilityGrid, Language, MentorAssignment, MentorProfile, Skill, StudentInterest, TimeOff

DEFAULT_CAPACITY = MentorProfile._meta.get_field("capacity").default


# --- Pairings ----------------------------------------------------------------


def current_mentor(student: User) -> User | None:
    assignment = MentorAssignment.objects.current().filter(student=student).select_related("mentor").first()
    return assignment.mentor if assignment else None


def current_students(mentor: User) -> QuerySet[User]:
    return User.objects.filter(
        mentor_assignments__mentor=mentor, mentor_assignments__ended_at__isnull=True
    ).order_by("full_name", "email")


def assignment_history(student: User) -> QuerySet[MentorAssignment]:
    return MentorAssignment.objects.filter(student=student).select_related("mentor", "assigned_by")


def _active_students_subquery():
    return Coalesce(
        Subquery(
            MentorAssignment.objects.current()
            .filter(mentor=OuterRef("pk"))
            .order_by()
            .values("mentor")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


# --- Time ---------------------------------------------------------------------


def grid_cells(user: User) -> str:
    """The user's grid, or an empty one (no row means no hours). Cached, see `caching`."""
    from .caching import grid_cells as cached

    return cached(user.pk)


def time_off_utc(user: User, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The owner's time off as UTC intervals clipped to [start, end)."""
    zone = user.tzinfo
    first_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    rows = TimeOff.objects.filter(user=user, ends_on__gte=first_day, starts_on__lte=last_day).values_list(
        "starts_on", "ends_on"
    )
    return days_to_utc(rows, zone, start, end)


def days_to_utc(days, zone, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Whole local days (first, last inclusive) as UTC intervals clipped to [start, end).

    Each day runs from local midnight to the next local midnight, so a DST day
    is 23 or 25 real hours, as the owner lives it.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    intervals = []
    for starts_on, ends_on in days:
        local_start = datetime.combine(starts_on, time(0), tzinfo=zone).astimezone(UTC)
        local_end = datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        piece = (max(local_start, start), min(local_end, end))
        if piece[0] < piece[1]:
            intervals.append(piece)
    return weekgrid.merge_intervals(intervals)


def with_date_overrides(hours: list[tuple[datetime, datetime]], overrides, zone, start: datetime,
                        end: datetime) -> list[tuple[datetime, datetime]]:
    """Weekly-grid `hours` (UTC) with each overridden local date replaced by that date's own hours.

    `overrides` is [(date, "24 cells")]. A date's hours are wall-clock hours
    in the owner's zone, expanded through `expand_to_utc` like the weekly grid,
    so a DST day keeps its local hours.
    """
    if not overrides:
        return hours
    days = [(day, day) for day, _ in overrides]
    result = weekgrid.subtract_intervals(weekgrid.merge_intervals(hours), days_to_utc(days, zone, start, end))
    for day, cells in overrides:
        if "1" not in cells:
            continue
        week = ["0" * 24] * 7
        week[day.weekday()] = cells
        day_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        lo, hi = max(day_start, start.astimezone(UTC)), min(day_end, end.astimezone(UTC))
        if lo < hi:
            result.extend(weekgrid.expand_to_utc("".join(week), zone, lo, hi))
    return weekgrid.merge_intervals(result)


def mentor_date_overrides(mentor: User, *, today):
    """Overrides from today on, in the owner's zone."""
    from .models import DateOverride

    return DateOverride.objects.filter(user=mentor, date__gte=today)


def matching_window(now: datetime) -> tuple[datetime, datetime]:
    """The coming real week that shared hours are counted over."""
    start = weekgrid.window_start_for(now)
    return start, start + weekgrid.WEEK


def shared_hours_between(a: User, b: User, *, now: datetime, cells_a: str | None = None,
                         cells_b: str | None = None) -> float:
    start, _ = matching_window(now)
    cells_a = grid_cells(a) if cells_a is None else cells_a
    cells_b = grid_cells(b) if cells_b is None else cells_b
    return weekgrid.shared_hours(cells_a, a.timezone, cells_b, b.timezone, start)


# --- Matching -----------------------------------------------------------------


@dataclass(slots=True)
class MentorMatch:
    mentor_id: int
    full_name: str
    timezone: str
    shared_hours: float
    skills_matched: int
    skills_wanted: int
    capacity: int
    active_students: int
    accepting: bool
    # Speaks the language the student reads the site in (User.language);
    # language_code is that language, set when the mentor lists any (else
    # there is nothing to say either way).
    shares_language: bool = False
    language_code: str = ""
    rank: int = 0
    mentor: User | None = field(default=None, repr=False)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.active_students, 0)

    @property
    def has_room(self) -> bool:
        return self.accepting and self.seats_left > 0

    def sort_key(self):
        # Mentors with no shared hours come last whatever else they offer: a
        # pairing with nowhere to meet is no pairing. Then mentors with room,
        # then a shared language (sessions are conversations), then skills
        # matched, then more shared hours, then more seats left.
        seats_left = self.capacity - self.active_students
        if seats_left < 0:
            seats_left = 0
        return (
            self.shared_hours <= 0,
            not (self.accepting and seats_left > 0),
            not self.shares_language,
            -self.skills_matched,
            -self.shared_hours,
            -seats_left,
            self.full_name,
            self.mentor_id,
        )

    @property
    def explanation(self) -> str:
        """In the active language: read when a page shows it, never stored."""
        parts = []
        if self.shared_hours > 0:
            hours = weekgrid.format_hours(self.shared_hours)
            parts.append(ngettext("%(hours)s shared hour a week", "%(hours)s shared hours a week",
                                  weekgrid.plural_count(self.shared_hours)) % {"hours": hours})
        else:
            parts.append(_("No shared hours this week"))
        language = language_in_text(self.language_code) if self.language_code else ""
        if language and self.shares_language:
            parts.append(_("speaks %(language)s") % {"language": language})
        elif language:
            parts.append(_("doesn't list %(language)s") % {"language": language})
        if self.skills_wanted:
            parts.append(ngettext("%(matched)s of %(wanted)s skill", "%(matched)s of %(wanted)s skills",
                                  self.skills_wanted) % {"matched": self.skills_matched, "wanted": self.skills_wanted})
        if not self.accepting:
            parts.append(_("not accepting new students"))
        elif self.seats_left:
            parts.append(ngettext("%(seats)s seat left", "%(seats)s seats left", self.seats_left)
                         % {"seats": self.seats_left})
        else:
            parts.append(_("full (%(active)s of %(capacity)s students)")
                         % {"active": self.active_students, "capacity": self.capacity})
        return " · ".join(parts)


def language_in_text(code: str) -> str:
    """A language's name as it reads mid-sentence in the active language, from CLDR
    (through Babel): "Spanish" in English, "español" in Spanish."""
    return _cldr_language_names(get_language() or "en").get(code) or code


@lru_cache(maxsize=8)  # one lookup per ranked mentor: parse each reader's locale once
def _cldr_language_names(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).languages)
    except (UnknownLocaleError, ValueError):
        return {}


def _fetch_rows(queryset) -> list[tuple]:
    """Run a values_list query's SQL on a plain cursor.

    The hot path of matching reads ~1,000 rows per ranking, and Django's
    per-row handling costs more than the query itself; these columns (ids,
    text, integers, booleans) need no conversion.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rank_mentors(student: User, *, now: datetime, exclude_mentor_ids: tuple[int, ...] = ()) -> list[MentorMatch]:
    """Every active mentor ranked for one student, each with a plain-words explanation.

    Three queries whatever the number of mentors; the overlap itself is
    bitmask arithmetic (see weekgrid), so 1,000 mentors rank in milliseconds.
    """
    window_start, _ = matching_window(now)
    student_mask = weekgrid.week_mask(grid_cells(student), student.timezone, window_start)
    wanted = set(StudentInterest.objects.filter(student=student).values_list("skill_id", flat=True))
    language = student.language or "en"

    rows = (
        User.objects.filter(role=Role.MENTOR, is_active=True)
        .exclude(pk__in=exclude_mentor_ids)
        .annotate(
            speaks=Exists(MentorProfile.languages.through.objects.filter(
                mentorprofile_id=OuterRef("mentor_profile__id"), language__code=language)),
            lists_languages=Exists(MentorProfile.languages.through.objects.filter(
                mentorprofile_id=OuterRef("mentor_profile__id"))),
        )
        .order_by()
        .values_list(
            "pk", "full_name", "timezone", "availability_grid__cells",
            "mentor_profile__capacity", "mentor_profile__accepting_new_students", "mentor_profile__id",
            "speaks", "lists_languages",
        )
    )
    active_by_mentor = dict(
        _fetch_rows(MentorAssignment.objects.current().order_by().values_list("mentor_id").annotate(n=Count("pk")))
    )
    # Counted per profile straight from the through table (no join): the ids
    # are mapped to mentors through the main query's profile id.
    matched_by_profile: dict[int, int] = {}
    if wanted:
        matched_by_profile = dict(
            _fetch_rows(
                MentorProfile.skills.through.objects.filter(skill_id__in=wanted)
                .order_by()
                .values_list("mentorprofile_id")
                .annotate(n=Count("skill_id"))
            )
        )

    rows = _fetch_rows(rows)
    overlaps = weekgrid.overlaps_with(student_mask, ((row[3], row[2]) for row in rows), window_start)
    skills_wanted = len(wanted)
    keyed = []
    for (pk, name, zone, _cells, capacity, accepting, profile_id, speaks, lists), overlap in zip(
            rows, overlaps, strict=True):
        # A mentor who never filled in a profile gets the defaults.
        capacity = DEFAULT_CAPACITY if capacity is None else capacity
        accepting = True if accepting is None else accepting
        active = active_by_mentor.get(pk, 0)
        seats_left = capacity - active if capacity > active else 0
        skills = matched_by_profile.get(profile_id, 0)
        # The same order as MentorMatch.sort_key, computed inline: this loop runs for every mentor.
        key = (overlap == 0, not (accepting and seats_left), not speaks, -skills, -overlap, -seats_left, name, pk)
        keyed.append((key, MentorMatch(pk, name, zone, overlap / 4, skills, skills_wanted, capacity, active, accepting,
                                       bool(speaks), language if lists else "")))
    keyed.sort(key=itemgetter(0))
    matches = [match for _, match in keyed]
    for position, match in enumerate(matches, start=1):
        match.rank = position
    return matches


def attach_mentors(matches: list[MentorMatch]) -> list[MentorMatch]:
    """Load the User (with profile) of each match in one query, for display."""
    users = User.objects.select_related("mentor_profile").in_bulk([m.mentor_id for m in matches])
    for match in matches:
        match.mentor = users.get(match.mentor_id)
    return matches


# --- Directory and profiles -----------------------------------------------------


@dataclass
class DirectoryEntry:
    mentor: User
    profile: MentorProfile | None
    skills: list[Skill]
    languages: list[Language]
    shared_hours: float
    active_students: int

    @property
    def capacity(self) -> int:
        return self.profile.capacity if self.profile else DEFAULT_CAPACITY

    @property
    def accepting(self) -> bool:
        return self.profile.accepting_new_students if self.profile else True

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.active_students, 0)

    @property
    def shared_hours_label(self) -> str:
        return weekgrid.format_hours(self.shared_hours)

    @property
    def shared_hours_plural(self) -> int:
        """For `blocktranslate count`: picks "hour" or "hours" for the label (9.5 → plural)."""
        return weekgrid.plural_count(self.shared_hours)


# What a mentor's card in the directory reads (mentorship/_avatar.html, portal/directory.html).
CARD_FIELDS = ("full_name", "email", "timezone", "role", "mentor_profile__headline", "mentor_profile__photo",
               "mentor_profile__capacity", "mentor_profile__accepting_new_students")


def _card_queryset() -> QuerySet[User]:
    """Mentors with only what their directory cards show, their skills' names (in name order) in the same
    query: no whole user, profile and grid rows, no prefetch queries for the skills and languages."""
    names = Skill.objects.filter(mentor_profiles=OuterRef("mentor_profile")).order_by("name").values("name")
    return (User.objects.filter(role=Role.MENTOR, is_active=True).select_related("mentor_profile")
            .only(*CARD_FIELDS).annotate(skill_names=ArraySubquery(names)))


def _skills_of(mentor: User) -> list[Skill]:
    return [Skill(name=name) for name in mentor.skill_names]


DIRECTORY_PAGE_SIZE = 12


@dataclass
class DirectoryPage:
    entries: list[DirectoryEntry]
    number: int
    num_pages: int
    total: int
    viewer_hours: int  # the viewer's own hours a week (0: they marked none)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def directory(viewer: User, *, now: datetime, skill: Skill | int | None = None, language: Language | int | None = None,
              accepting_only: bool = False, page: int = 1, per_page: int = DIRECTORY_PAGE_SIZE) -> DirectoryPage:
    """One page of mentors with shared hours with `viewer`, most shared first.

    Every matching mentor is ranked from one narrow query (id, name, zone,
    grid, seats) with the bulk overlap arithmetic; only the page's mentors are
    then read in full, with their skills and languages. A fixed number of
    queries, and Python work per mentor kept to the ranking itself.
    """
    window_start, _ = matching_window(now)
    viewer_cells = grid_cells(viewer)  # read once: the ranking and the viewer's hours both need it
    viewer_mask = weekgrid.week_mask(viewer_cells, viewer.timezone, window_start)
    filters = (skill is not None, language is not None, accepting_only)
    rows = _DIRECTORY_RANKING_READ.fetch({"skill": getattr(skill, "pk", skill) or 0,
                                          "language": getattr(language, "pk", language) or 0}, shape=filters)
    if accepting_only:
        rows = [r for r in rows if (r[4] if r[4] is not None else DEFAULT_CAPACITY) - r[5] > 0]
    shared = weekgrid.overlaps_with(viewer_mask, [(r[3], r[2]) for r in rows], window_start)
    ranked = sorted(zip(shared, rows, strict=True), key=lambda x: (-x[0], x[1][1].lower(), x[1][0]))
    num_pages = max(1, -(-len(ranked) // per_page))
    number = min(max(1, page), num_pages)
    chosen = ranked[(number - 1) * per_page:number * per_page]
    # The ranking read already has each mentor's grid (their shared hours) and active students: the page's
    # mentors are read once more only for what their cards show, skill names included (one query).
    by_pk = {mentor.pk: mentor for mentor in _DIRECTORY_CARDS_READ.fetch({"ids": [r[0] for _, r in chosen]})}
    entries = []
    for hours, (pk, *_rest, active) in chosen:
        mentor = by_pk.get(pk)
        if mentor is not None:
            profile = getattr(mentor, "mentor_profile", None)
            entries.append(DirectoryEntry(mentor=mentor, profile=profile, skills=_skills_of(mentor), languages=[],
                                          shared_hours=hours / weekgrid.QUARTERS_PER_HOUR, active_students=active))
    return DirectoryPage(entries=entries, number=number, num_pages=num_pages, total=len(ranked),
                         viewer_hours=weekgrid.hours_selected(viewer_cells))


def _directory_ranking_query(skill: int, language: int, *, shape):
    """What the ranking reads of every mentor the filters keep. `shape`: (by skill, by language, accepting only)."""
    by_skill, by_language, accepting_only = shape
    mentors = User.objects.filter(role=Role.MENTOR, is_active=True)
    if by_skill:
        mentors = mentors.filter(mentor_profile__skills=skill)
    if by_language:
        mentors = mentors.filter(mentor_profile__languages=language)
    if accepting_only:
        # No profile yet means the defaults: accepting.
        mentors = mentors.filter(Q(mentor_profile__isnull=True) | Q(mentor_profile__accepting_new_students=True))
    return mentors.annotate(active_students=_active_students_subquery()).order_by().values_list(
        "pk", "full_name", "timezone", "availability_grid__cells", "mentor_profile__capacity", "active_students")


# Both of the directory's reads are compiled once per process (config/prepared.py): building and compiling them
# took more Python than PostgreSQL took to answer, on a page every student opens.
_DIRECTORY_RANKING_READ = PreparedShapes(_directory_ranking_query, skill="int", language="int")
_DIRECTORY_CARDS_READ = Prepared(lambda ids: _card_queryset().filter(pk__in=ids_in(ids)).order_by(), ids="ints")


def mentor_detail(viewer: User, mentor_id: int, *, now: datetime, flags=None) -> DirectoryEntry | None:
    """One mentor's profile page in one query: the card's fields, bio, experience, video room, grid, skill
    and language names, active students, and (`is_viewers_mentor`) whether they are the viewer's current
    mentor. `flags`: a module-level function (viewer id) -> {name: expression} for what the page above wants
    read in the same query (the viewer's thread with them). Compiled once per process (config/prepared.py):
    building this query cost more Python than the rest of the page's reads."""
    mentor = _MENTOR_DETAIL_READ.fetch_first({"viewer": viewer.pk, "mentor": mentor_id}, shape=flags)
    if mentor is None:
        return None
    window_start, _ = matching_window(now)
    viewer_mask = weekgrid.week_mask(grid_cells(viewer), viewer.timezone, window_start)
    try:
        cells = mentor.availability_grid.cells
    except AvailabilityGrid.DoesNotExist:
        cells = None
    overlap = viewer_mask & weekgrid.week_mask(cells, mentor.timezone, window_start) if viewer_mask else 0
    return DirectoryEntry(
        mentor=mentor, profile=getattr(mentor, "mentor_profile", None), skills=_skills_of(mentor),
        languages=[Language(name=name, code=code)
                   for name, code in zip(mentor.language_names, mentor.language_codes, strict=True)],
        shared_hours=weekgrid.mask_hours(overlap), active_students=mentor.active_students,
    )


def _mentor_detail_query(viewer: int, mentor: int, *, shape):
    languages = Language.objects.filter(mentor_profiles=OuterRef("mentor_profile")).order_by("name", "pk")
    query = (
        _card_queryset().filter(pk=mentor).select_related("availability_grid")
        .only(*CARD_FIELDS, "mentor_profile__years_experience", "mentor_profile__bio",
              "mentor_profile__video_url", "availability_grid__cells")
        .annotate(active_students=_active_students_subquery(),
                  language_names=ArraySubquery(languages.values("name")),
                  language_codes=ArraySubquery(languages.values("code")),
                  is_viewers_mentor=Exists(MentorAssignment.objects.current().filter(student=viewer,
                                                                                   mentor=OuterRef("pk"))),
                  **(shape(viewer) if shape else {}))
    )
    return first_of(query)


_MENTOR_DETAIL_READ = PreparedShapes(_mentor_detail_query, viewer="int", mentor="int")


# --- Cards ----------------------------------------------------------------------


@dataclass
class MentorCard:
    mentor: User | None
    profile: MentorProfile | None
    shared_hours: float
    student_hours: int
    mentor_local_now: datetime | None

    @property
    def shared_hours_label(self) -> str:
        return weekgrid.format_hours(self.shared_hours)

    @property
    def shared_hours_plural(self) -> int:
        """For `blocktranslate count`: picks "hour" or "hours" for the label (9.5 → plural)."""
        return weekgrid.plural_count(self.shared_hours)


# What the card (and the overview's booking links) read: not the whole user, profile and grid rows.
MENTOR_CARD_FIELDS = (
    "student_id", "mentor_id", "started_at", "mentor__full_name", "mentor__email", "mentor__timezone",
    "mentor__role", "mentor__mentor_profile__headline", "mentor__mentor_profile__video_url",
    "mentor__mentor_profile__photo", "mentor__availability_grid__cells",
)


def mentor_card(student: User, *, now: datetime) -> MentorCard:
    """What the student's overview shows at the top: their mentor, or the pairing state."""
    student_cells = grid_cells(student)
    assignment = _MENTOR_CARD_READ.fetch_first({"student": student.pk})
    if assignment is None:
        return MentorCard(None, None, 0.0, weekgrid.hours_selected(student_cells), None)
    mentor = assignment.mentor
    try:
        mentor_cells = mentor.availability_grid.cells
    except AvailabilityGrid.DoesNotExist:
        mentor_cells = None
    window_start, _ = matching_window(now)
    shared = weekgrid.shared_hours(student_cells, student.timezone, mentor_cells, mentor.timezone, window_start)
    return MentorCard(
        mentor=mentor, profile=getattr(mentor, "mentor_profile", None), shared_hours=shared,
        student_hours=weekgrid.hours_selected(student_cells), mentor_local_now=now.astimezone(mentor.tzinfo),
    )


def _mentor_card_query(student: int):
    query = (MentorAssignment.objects.current().filter(student=student)
             .select_related("mentor", "mentor__mentor_profile", "mentor__availability_grid")
             .only(*MENTOR_CARD_FIELDS))
    return first_of(query)


# Compiled once per process (config/prepared.py): every view of a student's overview reads it.
_MENTOR_CARD_READ = Prepared(_mentor_card_query, student="int")


@dataclass
class StudentRow:
    student: User
    shared_hours: float
    local_now: datetime
    since: datetime

    @property
    def shared_hours_label(self) -> str:
        return weekgrid.format_hours(self.shared_hours)

    @property
    def shared_hours_plural(self) -> int:
        """For `blocktranslate count`: picks "hour" or "hours" for the label (9.5 → plural)."""
        return weekgrid.plural_count(self.shared_hours)


def students_of(mentor: User, *, now: datetime) -> list[StudentRow]:
    """The mentor's current students with their zone, local time and shared hours."""
    window_start, _ = matching_window(now)
    mentor_mask = weekgrid.week_mask(grid_cells(mentor), mentor.timezone, window_start)
    assignments = (
        MentorAssignment.objects.current()
        .filter(mentor=mentor)
        .select_related("student", "student__availability_grid")
        .order_by("student__full_name", "student__email")
    )
    rows = []
    for assignment in assignments:
        student = assignment.student
        try:
            cells = student.availability_grid.cells
        except AvailabilityGrid.DoesNotExist:
            cells = None
        overlap = mentor_mask & weekgrid.week_mask(cells, student.timezone, window_start)
        rows.append(StudentRow(student, weekgrid.mask_hours(overlap), now.astimezone(student.tzinfo), assignment.started_at))
    return rows


def mentor_time_off(mentor: User, *, today) -> QuerySet[TimeOff]:
    """Time off that has not ended yet, in the owner's zone."""
    return TimeOff.objects.filter(user=mentor, ends_on__gte=today)
