"""Templated emails to users, rendered in each recipient's own time zone.

Templates live in templates/emails/<name>/{subject.txt,body.txt,body.html}.
Each email becomes an outbox row in the caller's transaction (so a rolled-back
change never announces itself, and a committed one is never lost); delivery
is enqueued on Celery after commit and swept up later if the broker is down.

`after_commit=True` (the services that hold people's calendar locks use it)
writes the row with what the email needs — the template name and a JSON
payload naming the objects by id — and the worker that delivers it renders it
(outbox.deliver), so no template runs while the locks are held, nor in the
request at all: a booking's two emails and invites were a third of its time.
Held rows (demo seeding) are rendered by the commit hook instead and wait
(`next_attempt_at` a little ahead) until then.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from .models import OutboundEmail, User

_held: ContextVar[bool] = ContextVar("outbox_held", default=False)


@contextmanager
def held():
    """Queue rows without handing them to Celery (demo seeding marks them unsent)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def _render(name: str, to: User, context: dict, ics=None) -> tuple[str, str, str, str, str]:
    """(subject, text, html, ics METHOD, ics text) for one recipient."""
    ctx = {"recipient": to, "SITE_URL": settings.SITE_URL, **context}
    # The recipient's zone and language, not the sender's: a Spanish-speaking
    # student gets Spanish about a session an English-speaking mentor cancelled
    # (the invite's summary and description too, so it is built here per person).
    with timezone.override(zoneinfo.ZoneInfo(to.timezone)), translation.override(to.language or "en"):
        subject = " ".join(render_to_string(f"emails/{name}/subject.txt", ctx).split())
        text = render_to_string(f"emails/{name}/body.txt", ctx)
        html = render_to_string(f"emails/{name}/body.html", ctx)
        method, ics_text = _ics_text(ics)
    return subject, text, html, method, ics_text


def preview_email(*, name: str, to: User, context: dict) -> tuple[str, str]:
    """(subject, text body) exactly as `to` would receive it; nothing is queued."""
    subject, text, *_ = _render(name, to, context)
    return subject, text


# An unrendered row is not picked up by the sweep before its own commit hook renders it.
RENDER_GRACE = dt.timedelta(minutes=5)


# --- payloads: a context as JSON, objects named by model and id -----------------


def _dump(value):
    if isinstance(value, models.Model):
        return {"$model": value._meta.label_lower, "pk": value.pk}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} can't go into an email payload; pass it rendered now instead.")


def _load(value):
    if isinstance(value, list):
        return [_load(v) for v in value]
    if isinstance(value, dict):
        if "$model" in value:
            return apps.get_model(value["$model"])._default_manager.get(pk=value["pk"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        return {k: _load(v) for k, v in value.items()}
    return value


def _ics_text(ics) -> tuple[str, str]:
    """(METHOD, text), or (METHOD, "dotted.path.to.builder", kwargs) built now."""
    if ics is None:
        return "", ""
    if len(ics) == 3:
        method, builder, kwargs = ics
        return method, import_string(builder)(**kwargs)
    return ics


def render_email(email: OutboundEmail, *, context: dict | None = None, ics=None) -> None:
    """Fill in an unrendered row: from the objects in hand, or (after a crash) from its payload."""
    if context is None:
        payload = _load(email.payload)
        context, ics = payload["context"], payload["ics"]
    subject, text, html, method, ics_text = _render(email.kind, email.recipient, context, ics)
    email.subject, email.body_text, email.body_html = subject[:255], text, html
    email.ics_method, email.ics, email.payload = method, ics_text, None
    OutboundEmail.objects.filter(pk=email.pk, payload__isnull=False).update(
        subject=email.subject, body_text=text, body_html=html, ics_method=method, ics=ics_text, payload=None,
        next_attempt_at=timezone.now(),
    )


def send_templated_email(
    *, name: str, to: User | Iterable[User], context: dict, ics: tuple | None = None,
    topic: str = "", dedupe_key: str | None = None, after_commit: bool = False,
) -> list[OutboundEmail]:
    """Queue one email per recipient; delivered after the transaction commits.

    `ics` is (METHOD, "dotted.builder", kwargs): the invite, built for each
    recipient in their language when their copy is rendered. `dedupe_key` (suffixed with the
    recipient) makes the same message impossible to queue twice.
    `after_commit`: render after the transaction commits (see the module note);
    everything in `context` and the ics kwargs must then be models, dates or
    plain values. All rows go in one INSERT.
    """
    recipients = [to] if isinstance(to, User) else list(to)
    if not recipients:
        return []
    rows = []
    hold = _held.get()
    # Handed to the mail queue right after commit (unless held); the sweep picks up rows it never reached.
    dispatched_at = None if hold else timezone.now()
    if after_commit:
        payload = _dump({"context": context, "ics": list(ics) if ics else None})
        # Handed to the mail queue, the row is rendered by the worker that delivers it (outbox.deliver): due now.
        # Held, it is rendered by the commit hook, and the sweep leaves it alone until then.
        due = timezone.now() + RENDER_GRACE if hold else timezone.now()
        for user in recipients:
            rows.append(OutboundEmail(
                recipient=user, to_email=user.email, kind=name, subject="", body_text="", payload=payload,
                topic=topic, next_attempt_at=due, dispatched_at=dispatched_at,
                dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else None,
            ))
    else:
        for user in recipients:
            subject, text, html, method, ics_text = _render(name, user, context, ics)
            rows.append(OutboundEmail(
                recipient=user, to_email=user.email, kind=name, subject=subject[:255], body_text=text,
                body_html=html, ics_method=method, ics=ics_text, topic=topic, dispatched_at=dispatched_at,
                dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else None,
            ))
    queued = _insert(rows, dedupe=bool(dedupe_key))
    if not queued:
        return []

    def after() -> None:
        if after_commit and hold:
            for email in queued:
                render_email(email, context=context, ics=ics)
        if not hold:
            from .outbox import enqueue

            enqueue(queued)  # rows, so each goes at its kind's priority

    if after_commit or not hold:
        # robust: the change has committed; a template error must not turn the page into a 500 (the row is
        # rendered again at delivery and fails visibly in the admin if it still can't be).
        transaction.on_commit(after, robust=after_commit)
    return queued


def _insert(rows: list[OutboundEmail], *, dedupe: bool) -> list[OutboundEmail]:
    """One INSERT for all recipients. With a dedupe key, rows already queued once
    are skipped (ON CONFLICT DO NOTHING): exactly once, and no savepoint."""
    if not dedupe:
        return OutboundEmail.objects.bulk_create(rows)
    fields = [f for f in OutboundEmail._meta.concrete_fields if not f.primary_key]
    values, params = [], []
    for row in rows:
        values.append("(" + ", ".join(["%s"] * len(fields)) + ")")
        params.extend(f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields)
    sql = (
        f"INSERT INTO {OutboundEmail._meta.db_table} ({', '.join(connection.ops.quote_name(f.column) for f in fields)}) "
        f"VALUES {', '.join(values)} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = dict((key, pk) for pk, key in cursor.fetchall())
    queued = []
    for row in rows:
        if row.dedupe_key in inserted:
            row.pk = inserted[row.dedupe_key]
            row._state.adding, row._state.db = False, "default"
            queued.append(row)
    return queued


def queue_rendered_email(*, to_email: str, subject: str, body_text: str, body_html: str = "", kind: str,
                         recipient: User | None = None) -> OutboundEmail:
    """An email rendered elsewhere (allauth's sign-in emails) into the outbox:
    the same delivery, retries, Message-ID and admin view as ours."""
    email = OutboundEmail.objects.create(
        recipient=recipient, to_email=to_email, kind=kind[:64], subject=subject[:255], body_text=body_text,
        body_html=body_html, dispatched_at=timezone.now(),
    )
    from .outbox import enqueue

    transaction.on_commit(lambda: enqueue([email]))
    return email
