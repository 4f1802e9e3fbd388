"""iCalendar (RFC 5545) for sessions: email invites and private feeds.

Built with the icalendar package. Times are written in UTC ("Z"), which every
calendar reads correctly without a VTIMEZONE block.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Session, SessionStatus
from .wording import cancellation_terms, when_text

PRODID = "-//Mentorship//Sessions//EN"


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "mentorship.local"


def session_uid(session: Session) -> str:
    # The same UID for the life of the session, so a reschedule or a
    # cancellation updates the event people already have.
    return f"session-{session.calendar_uid}@{_domain()}"


def _address(user, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.get_full_name())
    if role != "ORGANIZER":
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("ACCEPTED")
    return address


def _rule_line(starts_at: datetime, now: datetime) -> str:
    """The 24-hour rule for an invite (1-on-1 and group alike), decided by wording.py's one function.

    A calendar keeps the text for days, so it states the deadline, never "starts in 5 h"; and it is
    read in any zone, so the deadline is in UTC (the sentence is its own msgid rather than a
    replace() on wording's "your time", which a translation would not contain).
    """
    terms = cancellation_terms(starts_at, now=now, tz=UTC)
    if terms.is_free:
        return _("Free cancellation until %(deadline)s UTC. "
                 "After that, cancelling or missing it forfeits the credit.") % {
            "deadline": when_text(terms.deadline, UTC, now=now)}
    return _("Inside 24 hours of the start there is no free cancellation: "
             "cancelling or missing it forfeits the credit.")


def _summary(session: Session) -> str:
    return _("%(service)s: %(student)s & %(mentor)s") % {
        "service": session.service.name, "student": session.student.get_full_name(),
        "mentor": session.mentor.get_full_name()}


def _video_line(video_url: str) -> str:
    if video_url:
        return _("Video room: %(url)s") % {"url": video_url}
    return _("The video link is on the session page.")


def session_event(session: Session, *, now: datetime, cancelled: bool = False) -> Event:
    url = f"{settings.SITE_URL}{reverse('scheduling:session-detail', args=[session.pk])}"
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", now)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("sequence", session.calendar_sequence)
    event.add("summary", _summary(session))
    lines = [_video_line(session.video_url), _("Session page: %(url)s") % {"url": url}, _rule_line(session.starts_at, now)]
    event.add("description", "\n".join(lines))
    if session.video_url:
        event.add("location", session.video_url)
    event.add("url", url)
    event.add("organizer", _address(session.mentor, "ORGANIZER"))
    event.add("attendee", _address(session.student, "ATTENDEE"))
    event.add("attendee", _address(session.mentor, "ATTENDEE"))
    live = session.status in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED)
    event.add("status", "CONFIRMED" if live and not cancelled else "CANCELLED")
    return event


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def invite(session: Session, *, now: datetime, method: str = "REQUEST") -> str:
    """A one-event calendar for an email: REQUEST to add or update, CANCEL to remove."""
    cal = _calendar(method)
    cal.add_component(session_event(session, now=now, cancelled=method == "CANCEL"))
    return cal.to_ical().decode()


def feed(sessions: Iterable[Session], *, now: datetime, name: str, groups: Iterable = ()) -> bytes:
    """`groups`: (group session, attendees shown, cancelled for this person) triples."""
    cal = _calendar(name=name)
    cal.add("x-published-ttl", "PT1H")  # ask subscribers to refresh hourly
    for session in sessions:
        cal.add_component(session_event(session, now=now))
    for group, attendees, cancelled in groups:
        cal.add_component(group_event(group, now=now, attendees=attendees, cancelled=cancelled))
    return cal.to_ical()


def session_ics(session: Session, *, now: datetime) -> bytes:
    """A one-event file to download ("Add to calendar"): no METHOD, so calendars import it."""
    cal = _calendar()
    cal.add_component(session_event(session, now=now))
    return cal.to_ical()


def google_calendar_url(session: Session) -> str:
    """Google Calendar's event template link, prefilled with the session (times in UTC)."""
    url = f"{settings.SITE_URL}{reverse('scheduling:session-detail', args=[session.pk])}"
    fmt = "%Y%m%dT%H%M%SZ"
    details = _("Session page: %(url)s") % {"url": url}
    if session.video_url:
        details += "\n" + _video_line(session.video_url)
    query = {
        "action": "TEMPLATE",
        "text": _summary(session),
        "dates": f"{session.starts_at.astimezone(UTC):{fmt}}/{session.ends_at.astimezone(UTC):{fmt}}",
        "details": details,
    }
    if session.video_url:
        query["location"] = session.video_url
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


# --- group sessions ---------------------------------------------------------------


def group_uid(group) -> str:
    # One UID per group session: the same event in every attendee's calendar.
    return f"group-{group.calendar_uid}@{_domain()}"


def group_event(group, *, now: datetime, attendees: Iterable, cancelled: bool = False) -> Event:
    """The group session as one attendee sees it (attendees=[them]) or as the mentor does (everyone)."""
    url = f"{settings.SITE_URL}{reverse('scheduling:group-detail', args=[group.pk])}"
    event = Event()
    event.add("uid", group_uid(group))
    event.add("dtstamp", now)
    event.add("dtstart", group.starts_at)
    event.add("dtend", group.ends_at)
    event.add("sequence", group.calendar_sequence)
    event.add("summary", _("Group session: %(title)s with %(mentor)s") % {
        "title": group.title, "mentor": group.mentor.get_full_name()})
    lines = [group.topic] if group.topic else []
    # The same 24-hour rule as a 1-on-1 session (group_models: the deadline is 24 h before the start).
    lines += [_video_line(group.video_url), _("Session page: %(url)s") % {"url": url}, _rule_line(group.starts_at, now)]
    attendees = list(attendees)
    if len(attendees) > 1:
        lines.append(_("Attendees: %(names)s") % {"names": ", ".join(a.get_full_name() for a in attendees)})
    event.add("description", "\n".join(lines))
    if group.video_url:
        event.add("location", group.video_url)
    event.add("url", url)
    event.add("organizer", _address(group.mentor, "ORGANIZER"))
    for attendee in attendees:
        event.add("attendee", _address(attendee, "ATTENDEE"))
    live = group.status != "cancelled" and not cancelled
    event.add("status", "CONFIRMED" if live else "CANCELLED")
    return event


def group_invite(group, *, attendee, now: datetime, method: str = "REQUEST") -> str:
    cal = _calendar(method)
    cal.add_component(group_event(group, now=now, attendees=[attendee], cancelled=method == "CANCEL"))
    return cal.to_ical().decode()
