"""Every write that matters to a session, one module per concern.

Each service is one transaction. Locks are always taken in this order, so two
services can never wait on each other:

1. the people's calendars — the mentor's, then the student's — booking and
   moving a session take these (see `booking`);
2. the student's credit account row (`credits.services.account_for_update`);
3. the session row (`state.lock_session`).

A service re-checks its rule under the locks, writes, records who did it, and
only after commit tells people.
"""

from .booking import SeriesResult, booking_create, booking_series_create, check_parties, why_unavailable
from .lifecycle import (
    attendance_mark, feedback_leave, forfeit_waive, mentor_no_show_record, move_locked_session, session_cancel,
    session_notes_save, session_reschedule,
)
from .pauses import (
    MAX_PAUSE, PauseError, apply_due, pause_approve, pause_decline, pause_request_create, pause_request_withdraw,
)
from .proposals import ProposalError, proposal_accept, proposal_create, proposal_decline, proposal_withdraw
from .time_off import TimeOffDecisionsNeeded, TimeOffOutcome, sessions_inside, time_off_add_with_sessions
from .reassign import MOVE_CHOICES, ReassignOutcome, move_conflicts, reassign_with_sessions, session_move_to_mentor
from .state import ALREADY, TRANSITIONS

__all__ = [
    "ProposalError", "TimeOffDecisionsNeeded", "TimeOffOutcome", "proposal_accept", "proposal_create",
    "proposal_decline", "proposal_withdraw", "sessions_inside", "time_off_add_with_sessions", "move_locked_session",
    "ALREADY", "MAX_PAUSE", "MOVE_CHOICES", "TRANSITIONS", "PauseError", "ReassignOutcome", "SeriesResult",
    "apply_due", "attendance_mark", "booking_create", "booking_series_create", "check_parties", "feedback_leave",
    "forfeit_waive", "mentor_no_show_record", "move_conflicts", "pause_approve", "pause_decline",
    "pause_request_create", "pause_request_withdraw", "reassign_with_sessions", "session_cancel",
    "session_move_to_mentor", "session_notes_save", "session_reschedule", "why_unavailable",
]
