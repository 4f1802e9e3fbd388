import pytest
from django.core.management import call_command

from accounts.models import Role, User
from mentorship.models import AvailabilityGrid, MentorAssignment, MentorProfile, Skill, TimeOff

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_grids_profiles_and_pairings_and_can_run_again(mailoutbox):
    call_command("seed_demo")
    call_command("seed_demo")
    assert AvailabilityGrid.objects.count() == 8
    assert len({g.user.timezone for g in AvailabilityGrid.objects.select_related("user")}) >= 4
    assert MentorProfile.objects.count() == 3 and Skill.objects.count() == 8
    assert MentorAssignment.objects.current().count() == 3 == MentorAssignment.objects.count()
    assert TimeOff.objects.count() == 1
    paired = MentorAssignment.objects.current().values("student_id")
    unpaired = User.objects.filter(role=Role.STUDENT).exclude(pk__in=paired)
    assert set(unpaired.values_list("email", flat=True)) == {"lucas@example.com", "mia@example.com"}
    assert mailoutbox == []  # seeding announces nothing


def test_the_demo_shows_each_stage_of_a_sessions_life():
    from django.utils import timezone

    from mentorship.models import DateOverride
    from scheduling.models import RescheduleProposal, Session
    from scheduling.wording import phase

    call_command("seed_demo")
    now = timezone.now()
    phases = {phase(s, now) for s in Session.objects.select_related("feedback")}
    assert {"in_progress", "awaiting_attendance", "awaiting_feedback", "upcoming", "done", "closed"} <= phases
    assert RescheduleProposal.objects.filter(status="pending", by_mentor=True,
                                             session__student__email="sam@example.com").exists()
    assert DateOverride.objects.filter(user__email="ada@example.com").count() == 1
