"""A person's calendar lock: a PostgreSQL advisory transaction lock on a stable key.

Booking, moving and pairing serialise on people, not on rows: they take
`pg_advisory_xact_lock` on a key made of a namespace and the user's id. Nothing
else ever waits on these keys — saving a profile, logging in or editing a
user in the admin touches the users table, which these locks never lock —
and PostgreSQL releases them at commit or rollback, never later.

The order is fixed, so two transactions can never wait on each other:
mentors before students, and within each group ascending ids, all in one
statement. (They are transaction-level locks only: nothing is held across
transactions, so a pgbouncer in transaction mode is safe.)
"""

from collections.abc import Iterable

from django.db import connection

# "CAL" — keeps these keys apart from any other advisory lock in the database.
CALENDAR_LOCK_NAMESPACE = 0x43414C


def calendar_key(user_id: int) -> int:
    """A stable signed 64-bit key for one person's calendar."""
    return (CALENDAR_LOCK_NAMESPACE << 32) | int(user_id)


def lock_calendars(*, mentors: Iterable[int | None] = (), students: Iterable[int | None] = ()) -> None:
    """Lock the calendars of these people (ids) until the transaction ends: mentors, then students.

    Call inside transaction.atomic, before locking any row (see the lock order
    in `scheduling.services`).
    """
    mentor_ids = sorted({int(pk) for pk in mentors if pk is not None})
    student_ids = sorted({int(pk) for pk in students if pk is not None} - set(mentor_ids))
    keys = [calendar_key(pk) for pk in (*mentor_ids, *student_ids)]
    if not keys:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("lock_calendars() outside a transaction would release at once.")
    # One round trip; PostgreSQL evaluates the select list left to right, so the order holds.
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(keys)), keys)
