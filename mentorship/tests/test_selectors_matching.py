"""Ranking mentors for a student, with explanations, on hand-computed cases."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from mentorship import selectors
from mentorship.models import MentorAssignment, StudentInterest, TimeOff

from .factories import make_mentor, make_student, skill, weekdays

pytestmark = pytest.mark.django_db

# A week with no DST change anywhere involved: Monday 11 January 2027, 00:00 UTC.
NOW = datetime(2027, 1, 11, tzinfo=UTC)


def assign(student, mentor):
    MentorAssignment.objects.create(student=student, mentor=mentor, started_at=NOW, reason="test")


def test_ranking_on_hand_computed_cases():
    # Student: London (UTC+0 in January), weekdays 09:00–18:00, wants Python, Django, SQL.
    student = make_student(timezone_name="Europe/London", hours=weekdays(range(9, 18)), full_name="Stu Dent")
    for name in ["Python", "Django", "SQL"]:
        StudentInterest.objects.create(student=student, skill=skill(name))

    # Alice, London 09:00–11:00 weekdays: 2 h × 5 = 10 h; Python + Django; capacity 3, none taken.
    make_mentor(timezone_name="Europe/London", hours=weekdays(range(9, 11)), capacity=3,
                        skills=["Python", "Django"], full_name="Alice")
    # Bob, New York 08:00–12:00 = 13:00–17:00Z: 4 h × 5 = 20 h; only SQL; capacity 2.
    make_mentor(timezone_name="America/New_York", hours=weekdays(range(8, 12)), capacity=2,
                      skills=["SQL"], full_name="Bob")
    # Chandra, Kolkata 14:00–16:00 = 08:30–10:30Z: shared 09:00–10:30 = 1.5 h × 5 = 7.5 h; all three skills;
    # capacity 1 and already full.
    chandra = make_mentor(timezone_name="Asia/Kolkata", hours=weekdays(range(14, 16)), capacity=1,
                          skills=["Python", "Django", "SQL"], full_name="Chandra")
    assign(make_student(), chandra)
    # Dora, Sydney 10:00–12:00 = 23:00–01:00Z: nothing shared, though she teaches everything.
    make_mentor(timezone_name="Australia/Sydney", hours=weekdays(range(10, 12)), capacity=5,
                       skills=["Python", "Django", "SQL"], full_name="Dora")
    # Eve, London 17:00–18:00 weekdays = 5 h; Python + Django, like Alice, but fewer hours; 1 seat left of 2.
    eve = make_mentor(timezone_name="Europe/London", hours=weekdays(range(17, 18)), capacity=2,
                      skills=["Python", "Django"], full_name="Eve")
    assign(make_student(), eve)

    ranked = selectors.rank_mentors(student, now=NOW)
    by_name = {m.full_name: m for m in ranked}
    assert [m.full_name for m in ranked] == ["Alice", "Eve", "Bob", "Chandra", "Dora"]
    assert [m.rank for m in ranked] == [1, 2, 3, 4, 5]
    assert by_name["Alice"].explanation == "10 shared hours a week · 2 of 3 skills · 3 seats left"
    assert by_name["Eve"].explanation == "5 shared hours a week · 2 of 3 skills · 1 seat left"
    assert by_name["Bob"].explanation == "20 shared hours a week · 1 of 3 skills · 2 seats left"
    assert by_name["Chandra"].explanation == "7.5 shared hours a week · 3 of 3 skills · full (1 of 1 students)"
    assert by_name["Dora"].explanation == "No shared hours this week · 3 of 3 skills · 5 seats left"
    assert by_name["Chandra"].shared_hours == 7.5


def test_without_wanted_skills_more_shared_hours_rank_first_and_not_accepting_goes_down():
    student = make_student(timezone_name="America/New_York", hours=weekdays(range(9, 17)))
    few = make_mentor(timezone_name="America/New_York", hours=weekdays(range(9, 10)), full_name="Few")
    many = make_mentor(timezone_name="America/New_York", hours=weekdays(range(9, 13)), full_name="Many")
    closed = make_mentor(timezone_name="America/New_York", hours=weekdays(range(9, 17)), accepting=False,
                         full_name="Closed")
    none = make_mentor(timezone_name="America/New_York", full_name="No grid")  # never filled in a grid
    ranked = selectors.rank_mentors(student, now=NOW)
    assert [m.full_name for m in ranked] == ["Many", "Few", "Closed", "No grid"]
    assert ranked[0].explanation == "20 shared hours a week · 5 seats left"
    assert ranked[1].explanation == "5 shared hours a week · 5 seats left"
    assert ranked[2].explanation == "40 shared hours a week · not accepting new students"
    assert ranked[3].explanation == "No shared hours this week · 5 seats left"
    assert {m.mentor_id for m in ranked} == {few.pk, many.pk, closed.pk, none.pk}


def test_a_mentor_without_a_profile_ranks_with_the_defaults():
    from accounts.tests.factories import MentorFactory

    from .factories import give_grid

    student = make_student(hours=weekdays(range(9, 10)))
    bare = MentorFactory(timezone="Europe/London", full_name="Bare")
    give_grid(bare, weekdays(range(9, 10)))
    [match] = selectors.rank_mentors(student, now=NOW)
    assert match.explanation == "5 shared hours a week · 5 seats left"


def test_a_student_without_hours_shares_none_with_anyone():
    student = make_student()
    make_mentor(hours=weekdays(range(0, 24)))
    [match] = selectors.rank_mentors(student, now=NOW)
    assert match.shared_hours == 0 and match.explanation.startswith("No shared hours this week")


def test_rank_mentors_query_count_does_not_grow(django_assert_max_num_queries):
    student = make_student(hours=weekdays(range(9, 12)))
    StudentInterest.objects.create(student=student, skill=skill("Python"))
    for _ in range(3):
        make_mentor(hours=weekdays(range(9, 10)), skills=["Python"])
    # At most 5: the student's grid comes from the cache once it has been read.
    with django_assert_max_num_queries(5):
        assert len(selectors.rank_mentors(student, now=NOW)) == 3
    for _ in range(20):
        make_mentor(hours=weekdays(range(10, 11)))
    with django_assert_max_num_queries(5):
        assert len(selectors.rank_mentors(student, now=NOW)) == 23


def test_time_off_utc_is_whole_local_days_clipped_to_the_window():
    mentor = make_mentor(timezone_name="America/New_York")
    # 13–14 March 2027 in New York: the 14th is the 23-hour spring-forward day.
    TimeOff.objects.create(user=mentor, starts_on=datetime(2027, 3, 13).date(), ends_on=datetime(2027, 3, 14).date(),
                           created_at=timezone.now())
    window = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 31, tzinfo=UTC))
    assert selectors.time_off_utc(mentor, *window) == [
        (datetime(2027, 3, 13, 5, tzinfo=UTC), datetime(2027, 3, 15, 4, tzinfo=UTC))
    ]
    clipped = selectors.time_off_utc(mentor, datetime(2027, 3, 14, tzinfo=UTC), datetime(2027, 3, 14, 12, tzinfo=UTC))
    assert clipped == [(datetime(2027, 3, 14, tzinfo=UTC), datetime(2027, 3, 14, 12, tzinfo=UTC))]
    assert selectors.time_off_utc(mentor, datetime(2027, 4, 1, tzinfo=UTC), datetime(2027, 4, 8, tzinfo=UTC)) == []
    assert (selectors.time_off_utc(mentor, *window)[0][1] - selectors.time_off_utc(mentor, *window)[0][0]) == timedelta(hours=47)


def test_current_mentor_and_students():
    mentor = make_mentor()
    student = make_student()
    assert selectors.current_mentor(student) is None
    assign(student, mentor)
    assert selectors.current_mentor(student) == mentor
    assert list(selectors.current_students(mentor)) == [student]


def test_a_mentor_who_speaks_the_students_language_ranks_first_and_the_ranking_says_so():
    """Two mentors alike in hours and room: the one who speaks Spanish comes
    first for a student who reads the site in Spanish, and each line says why."""
    from django.utils import translation

    from mentorship.models import Language

    spanish, english = Language.objects.create(name="Spanish"), Language.objects.create(name="English")
    assert (spanish.code, english.code) == ("es", "en")
    student = make_student(timezone_name="Europe/London", hours=weekdays(range(9, 17)), full_name="Lucía")
    student.language = "es"
    student.save(update_fields=["language"])
    anglo = make_mentor(timezone_name="Europe/London", hours=weekdays(range(9, 17)), full_name="Aaron")
    hispano = make_mentor(timezone_name="Europe/London", hours=weekdays(range(9, 17)), full_name="Zoe")
    anglo.mentor_profile.languages.set([english])
    hispano.mentor_profile.languages.set([spanish, english])

    ranked = selectors.rank_mentors(student, now=NOW)
    assert [m.full_name for m in ranked[:2]] == ["Zoe", "Aaron"]  # by name alone, Aaron would come first
    with translation.override("en"):
        assert ranked[0].explanation.endswith("40 shared hours a week · speaks Spanish · 5 seats left")
        assert "doesn't list Spanish" in ranked[1].explanation
    with translation.override("es"):
        assert "habla español" in ranked[0].explanation  # the language named as the reader's language writes it
