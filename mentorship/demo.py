"""Demo data for the mentorship domain: skills, grids across zones, profiles, pairings.

Safe to run again: everything is keyed by user or name and updated in place.
Lucas and Mia stay unpaired, so the "we are pairing you" state shows.
"""

from datetime import timedelta

from django.utils import timezone

from . import weekgrid
from .models import (
    AvailabilityGrid,
    DateOverride,
    Language,
    MentorAssignment,
    MentorProfile,
    Skill,
    StudentInterest,
    TimeOff,
)

SKILLS = ["Python", "Django", "JavaScript", "SQL", "System design", "Career growth", "Interview practice", "Data science"]
LANGUAGES = ["English", "French", "Hindi", "Spanish"]


def hours(days, start, end) -> set[int]:
    """Cells for wall-clock hours [start, end) on the given weekdays (Monday = 0)."""
    return {weekgrid.cell_index(d, h) for d in days for h in range(start, end)}


WEEKDAYS, WEEKEND = range(0, 5), range(5, 7)

GRIDS = {
    # Mentors
    "ada@example.com": hours(WEEKDAYS, 9, 13) | hours([1, 3], 18, 20),  # New York mornings
    "grace@example.com": hours(WEEKDAYS, 13, 18) | hours([5], 10, 12),  # London afternoons
    "ravi@example.com": hours(WEEKDAYS, 18, 23) | hours(WEEKEND, 9, 12),  # Kolkata evenings
    # Students
    "sam@example.com": hours(WEEKDAYS, 10, 12) | hours([0, 2], 19, 21),
    "olivia@example.com": hours(WEEKDAYS, 15, 19),
    "priya@example.com": hours(WEEKDAYS, 19, 22) | hours(WEEKEND, 10, 12),
    "lucas@example.com": hours([0, 1, 2], 7, 9) | hours(WEEKEND, 9, 13),
    "mia@example.com": hours([5, 6], 8, 11),
}

PROFILES = {
    "ada@example.com": {
        "headline": "Staff engineer · Python and system design",
        "bio": "Twelve years building payment systems. I like turning a vague idea into a plan you can ship.",
        "years_experience": 12, "capacity": 4, "video_url": "https://meet.example.com/ada-lovelace",
        "skills": ["Python", "System design", "Career growth"], "languages": ["English", "French"],
    },
    "grace@example.com": {
        "headline": "Engineering manager · interviews and careers",
        "bio": "I have hired over a hundred engineers. Let's practise the interview you are worried about.",
        "years_experience": 18, "capacity": 3, "video_url": "https://meet.example.com/grace-hopper",
        "skills": ["Interview practice", "Career growth", "SQL"], "languages": ["English"],
    },
    "ravi@example.com": {
        "headline": "Data engineer · Django, SQL and data science",
        "bio": "From spreadsheets to pipelines: I help people get comfortable with data.",
        "years_experience": 7, "capacity": 5, "video_url": "https://meet.example.com/ravi-menon",
        "skills": ["Django", "SQL", "Data science", "Python"], "languages": ["English", "Hindi"],
    },
}

INTERESTS = {
    "sam@example.com": ["Python", "System design"],
    "olivia@example.com": ["Interview practice"],
    "priya@example.com": ["Django", "Data science"],
    "lucas@example.com": ["JavaScript", "Career growth"],
    "mia@example.com": ["Python"],
}

ASSIGNMENTS = {
    "sam@example.com": "ada@example.com",
    "olivia@example.com": "grace@example.com",
    "priya@example.com": "ravi@example.com",
}


def seed(*, users: dict, stdout) -> None:
    now = timezone.now()
    skills = {}
    for name in SKILLS:
        skills[name] = Skill.objects.filter(name__iexact=name).first() or Skill.objects.create(name=name)
    languages = {}
    for name in LANGUAGES:
        languages[name] = Language.objects.filter(name__iexact=name).first() or Language.objects.create(name=name)

    for email, cells in GRIDS.items():
        if email in users:
            AvailabilityGrid.objects.update_or_create(
                user=users[email], defaults={"cells": weekgrid.cells_from_indices(cells), "updated_at": now}
            )

    for email, data in PROFILES.items():
        if email not in users:
            continue
        data = dict(data)
        skill_names, language_names = data.pop("skills"), data.pop("languages")
        profile, _ = MentorProfile.objects.update_or_create(user=users[email], defaults=data)
        profile.skills.set([skills[n] for n in skill_names])
        profile.languages.set([languages[n] for n in language_names])

    for email, names in INTERESTS.items():
        if email in users:
            for name in names:
                StudentInterest.objects.get_or_create(student=users[email], skill=skills[name])

    # Ada is away for a few days next month, so the time-off page has something to show.
    ada = users.get("ada@example.com")
    if ada is not None:
        start = (now.astimezone(ada.tzinfo) + timedelta(days=30)).date()
        if not TimeOff.objects.filter(user=ada, reason="Conference").exists():
            TimeOff.objects.create(user=ada, starts_on=start, ends_on=start + timedelta(days=2),
                                   reason="Conference", created_at=now)

    # And keeps one evening open for a clinic: different hours for one date.
    if ada is not None:
        clinic = (now.astimezone(ada.tzinfo) + timedelta(days=6)).date()
        if not DateOverride.objects.filter(user=ada, note="Evening clinic").exists():
            DateOverride.objects.create(user=ada, date=clinic, hours="0" * 18 + "111" + "0" * 3,
                                        note="Evening clinic", updated_at=now)

    manager = users.get("manager@example.com")
    for student_email, mentor_email in ASSIGNMENTS.items():
        student, mentor = users.get(student_email), users.get(mentor_email)
        if student is None or mentor is None:
            continue
        if not MentorAssignment.objects.current().filter(student=student).exists():
            # Written directly (not through assignment_change) so seeding sends no emails.
            MentorAssignment.objects.create(
                student=student, mentor=mentor, started_at=now, reason="Demo pairing", assigned_by=manager
            )
    stdout.write(
        f"mentorship: {len(GRIDS)} availability grids, {len(PROFILES)} mentor profiles, "
        f"{len(ASSIGNMENTS)} pairings (Lucas and Mia wait to be paired)"
    )
