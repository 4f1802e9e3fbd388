"""Writes in the mentorship domain: one transaction each, keyword-only, taking `now`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.emails import send_templated_email
from accounts.locks import lock_calendars
from accounts.models import Role, User

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


class MentorshipError(Exception):
    """A rule of the domain said no; `message` is fit to show the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CapacityError(MentorshipError):
    """The mentor is full or not taking new students (a manager may override knowingly)."""


# --- Availability ---------------------------------------------------------------


def grid_save(*, user: User, cells: str, now: datetime) -> AvailabilityGrid:
    """Replace the user's weekly hours in one write (all cells or none)."""
    weekgrid.validate_cells(cells)
    grid, _created = AvailabilityGrid.objects.update_or_create(user=user, defaults={"cells": cells, "updated_at": now})
    return grid


def time_off_add(*, user: User, starts_on: date, ends_on: date, reason: str, now: datetime) -> TimeOff:
    if ends_on < starts_on:
        raise MentorshipError(_("Time off must end on or after the day it starts."))
    return TimeOff.objects.create(user=user, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(), created_at=now)


def date_override_save(*, user: User, day: date, hours: str, note: str, now: datetime) -> DateOverride:
    """Set (or replace) the user's hours for one date, wall-clock hours in their zone."""
    if user.role != Role.MENTOR:
        raise MentorshipError(_("Only mentors set hours for a date."))
    if len(hours) != 24 or set(hours) - {"0", "1"}:
        raise MentorshipError(_("Hours for a date are 24 cells of 0 or 1."))
    override, _created = DateOverride.objects.update_or_create(
        user=user, date=day, defaults={"hours": hours, "note": note.strip()[:200], "updated_at": now})
    return override


def date_override_delete(*, user: User, override_id: int) -> bool:
    deleted, _by_model = DateOverride.objects.filter(user=user, pk=override_id).delete()
    return bool(deleted)


def time_off_delete(*, user: User, time_off_id: int) -> bool:
    """Remove one of the user's own time-off entries; False if there was none (already gone)."""
    deleted, _by_model = TimeOff.objects.filter(user=user, pk=time_off_id).delete()
    return bool(deleted)


# --- Profiles and interests -------------------------------------------------------


def mentor_profile_get_or_create(*, mentor: User) -> MentorProfile:
    """Every mentor has a profile the first time anything needs one."""
    profile, _created = MentorProfile.objects.get_or_create(user=mentor)
    return profile


PROFILE_FIELDS = ("headline", "bio", "years_experience", "video_url", "accepting_new_students", "capacity")


@transaction.atomic
def mentor_profile_update(
    *, mentor: User, fields: dict, skills: Iterable[Skill], languages: Iterable[Language], photo=None,
    clear_photo: bool = False,
) -> MentorProfile:
    """Save a mentor's public profile (their name and zone live in Settings → Profile & time zone)."""
    if mentor.role != Role.MENTOR:
        raise MentorshipError(_("Only mentors have a mentor profile."))
    profile = mentor_profile_get_or_create(mentor=mentor)
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(profile, name, fields[name])
    if (clear_photo or photo) and profile.photo:
        # Remove the old file only once the change is committed, so a failed
        # save never leaves a profile pointing at a deleted file.
        old_name, storage = profile.photo.name, profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))
        profile.photo = None
    if photo:
        profile.photo = photo
    profile.full_clean(exclude=["user", "skills", "languages"])
    profile.save()
    profile.skills.set(skills)
    profile.languages.set(languages)
    return profile


@transaction.atomic
def interests_set(*, student: User, skills: Iterable[Skill]) -> None:
    wanted = {s.pk for s in skills}
    StudentInterest.objects.filter(student=student).exclude(skill_id__in=wanted).delete()
    have = set(StudentInterest.objects.filter(student=student).values_list("skill_id", flat=True))
    StudentInterest.objects.bulk_create([StudentInterest(student=student, skill_id=pk) for pk in wanted - have])


# --- Assignment -------------------------------------------------------------------


def assignment_change(
    *, student: User, mentor: User, reason: str, actor: User | None, now: datetime, override_capacity: bool = False
) -> MentorAssignment:
    """Pair `student` with `mentor`, ending any current pairing, and tell all three.

    Locks both people's calendars (advisory locks, the mentor first — the order
    every booking uses, so two changes never deadlock; a profile save waits on
    nothing), re-reads them, re-checks the rules under the lock, then writes.
    The emails go after commit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise MentorshipError(_("Give a reason for the change; it is kept in the student's history."))
    if student.pk == mentor.pk:
        raise MentorshipError(_("A student cannot mentor themselves."))

    with transaction.atomic():
        lock_calendars(mentors=[mentor.pk], students=[student.pk])
        locked = User.objects.in_bulk([student.pk, mentor.pk])
        student, mentor = locked[student.pk], locked[mentor.pk]
        if student.role != Role.STUDENT:
            raise MentorshipError(_("%(name)s is not a student.") % {"name": student.get_full_name()})
        if mentor.role != Role.MENTOR or not mentor.is_active:
            raise MentorshipError(_("%(name)s is not an active mentor.") % {"name": mentor.get_full_name()})

        current = MentorAssignment.objects.current().filter(student=student).select_related("mentor").first()
        if current is not None and current.mentor_id == mentor.pk:
            raise MentorshipError(_("%(mentor)s is already %(student)s's mentor.")
                                 % {"mentor": mentor.get_full_name(), "student": student.get_full_name()})

        profile = mentor_profile_get_or_create(mentor=mentor)
        active = MentorAssignment.objects.current().filter(mentor=mentor).count()
        if not override_capacity:
            if not profile.accepting_new_students:
                raise CapacityError(
                    _("%(mentor)s is not accepting new students. Tick “override capacity” to pair them anyway.")
                    % {"mentor": mentor.get_full_name()}
                )
            if active >= profile.capacity:
                raise CapacityError(
                    _("%(mentor)s is full (%(active)s of %(capacity)s students). Tick “override capacity” to pair "
                      "them anyway.") % {"mentor": mentor.get_full_name(), "active": active, "capacity": profile.capacity}
                )

        old_mentor = None
        if current is not None:
            old_mentor = current.mentor
            # Never end a pairing before it began (a clock step back would break the constraint).
            current.ended_at = max(now, current.started_at)
            current.save(update_fields=["ended_at"])
        assignment = MentorAssignment.objects.create(
            student=student, mentor=mentor, started_at=now, reason=reason, assigned_by=actor
        )

        context = {"student": student, "mentor": mentor, "old_mentor": old_mentor, "assignment": assignment,
                   "profile": profile}
        send_templated_email(name="mentor_assigned", to=student, context=context)
        send_templated_email(name="mentor_student_joined", to=mentor, context=context)
        if old_mentor is not None:
            send_templated_email(name="mentor_student_left", to=old_mentor, context=context)
    return assignment

