"""Every write that matters to a session, one module per concern.

Each service is one transaction. Locks are always taken in this order, so two
services can never wait on each other:

1. the people's calendars — PostgreSQL advisory transaction locks on a stable
   key per person (`accounts.locks.lock_calendars`), the mentors' first, then
   the student's, in one statement. Booking (`booking_create`), rescheduling
   (`session_reschedule`, which reads the session's two people unlocked, locks
   their calendars, then re-checks the mentor under the session lock), a flash
   request becoming a session, moving a session to another mentor and pairing
   (`reassign_with_sessions`, `mentorship.services.assignment_change`) take
   them; a new request (`flash.flash_request_create`, `pause_request_create`)
   takes the student's alone. They lock no row, so a profile or admin save of
   those users never waits behind a booking;
2. the student's credit account row (`credits.services.account_for_update`);
3. the session row (`state.lock_session`, which takes 2 then 3).

Cancelling, marking attendance, no-shows and waivers free time or touch one
session only, so they start at 2.

A service re-checks its rule under the locks, writes, records who did it, and
only after commit tells people.
"""

from .booking import SeriesResult, booking_create, booking_series_create, check_parties, why_unavailable
from .group import (
    FillResult,
    GroupScheduleResult,
    SessionFull,
    group_attendance_mark,
    group_seat_book,
    group_seat_cancel,
    group_session_cancel,
    group_session_schedule,
    group_session_update,
    waitlist_accept,
    waitlist_fill,
    waitlist_join,
    waitlist_leave,
    waitlist_sweep,
)
from .lifecycle import (
    attendance_mark,
    feedback_leave,
    forfeit_waive,
    mentor_no_show_record,
    move_locked_session,
    session_cancel,
    session_notes_save,
    session_reschedule,
)
from .pauses import (
    MAX_PAUSE,
    PauseError,
    apply_due,
    pause_approve,
    pause_decline,
    pause_request_create,
    pause_request_withdraw,
)
from .proposals import ProposalError, proposal_accept, proposal_create, proposal_decline, proposal_withdraw
from .reassign import (
    MOVE_CHOICES,
    ReassignOutcome,
    move_conflicts,
    move_conflicts_by_mentor,
    reassign_with_sessions,
    session_move_to_mentor,
)
from .state import ALREADY, TRANSITIONS
from .time_off import TimeOffDecisionsNeeded, TimeOffOutcome, sessions_inside, time_off_add_with_sessions

__all__ = [
    "ProposalError", "TimeOffDecisionsNeeded", "TimeOffOutcome", "proposal_accept", "proposal_create",
    "proposal_decline", "proposal_withdraw", "sessions_inside", "time_off_add_with_sessions", "move_locked_session",
    "FillResult", "GroupScheduleResult", "SessionFull", "group_attendance_mark", "group_seat_book",
    "group_seat_cancel", "group_session_cancel", "group_session_schedule", "group_session_update", "waitlist_accept", "waitlist_fill",
    "waitlist_join", "waitlist_leave", "waitlist_sweep",
    "ALREADY", "MAX_PAUSE", "MOVE_CHOICES", "TRANSITIONS", "PauseError", "ReassignOutcome", "SeriesResult",
    "apply_due", "attendance_mark", "booking_create", "booking_series_create", "check_parties", "feedback_leave",
    "forfeit_waive", "mentor_no_show_record", "move_conflicts", "move_conflicts_by_mentor", "pause_approve", "pause_decline",
    "pause_request_create", "pause_request_withdraw", "reassign_with_sessions", "session_cancel",
    "session_move_to_mentor", "session_notes_save", "session_reschedule", "why_unavailable",
]
