"""Querysets compiled once per process, then read together in one round trip.

A page that shows several short lists pays, for each, Django's compilation of the queryset (a millisecond
or more on a busy machine, more than PostgreSQL takes to answer) and a round trip. `Prepared` compiles a
queryset once, with stand-in values for its arguments, and afterwards only puts each request's values in
their places; `read_together` sends several of them as one statement, each list as a JSON array
(`json_agg`). The querysets stay the one definition of what is read (upcoming_q, the models' orderings...).

`Prepared.fetch` is the same for one queryset on its own: what `list(queryset)` would give — model instances
with their `select_related` objects and annotations, or `values()` rows — through Django's own iterables, only
without compiling the SQL again.

The stand-ins are checked: the queryset is compiled with two different sets, and every parameter that
differs must be one of the arguments itself (or its text), never a value derived from one — otherwise
compiling refuses, rather than read the wrong rows.
"""

import copy
import itertools
import json
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, connections
from django.db.models.expressions import RawSQL
from psycopg2.extensions import AsIs

_FIRST = {"int": -1_000_000_001, "datetime": datetime(1901, 1, 1, tzinfo=UTC)}
_SECOND = {"int": -2_000_000_002, "datetime": datetime(1902, 2, 2, tzinfo=UTC)}


def _stand_ins(kinds: dict, base: dict) -> dict:
    values = {}
    for i, (name, kind) in enumerate(kinds.items()):
        if kind == "ints":  # a list of ids, sent as one array parameter (see `ids_in`)
            values[name] = [base["int"] + i, base["int"] - i]
        elif kind == "uuid":
            values[name] = uuid.UUID(int=-base["int"] + i)
        else:
            values[name] = base[kind] + (i if kind == "int" else timedelta(seconds=i))
    return values


def ids_in(ids):
    """`pk__in=ids_in(ids)`: the ids as one array parameter, whatever their number, so that a query compiled once
    (kind "ints") holds for any list; `pk__in=ids` would write one parameter per id."""
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))


class Prepared:
    """`build(**arguments)` -> a queryset; `arguments`: {name: "int" | "datetime" | "ints" | "uuid"}."""

    def __init__(self, build, **arguments):
        self.build, self.arguments = build, arguments
        self._compiled = None
        self._template = None  # (the stand-in queryset, its compiler after compiling): what `fetch` reuses

    def compiled(self):
        if self._compiled is None:
            first, second = _stand_ins(self.arguments, _FIRST), _stand_ins(self.arguments, _SECOND)
            queryset = self.build(**first)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
            sql_2, params_2 = self.build(**second).query.sql_with_params()
            if sql != sql_2 or len(params) != len(params_2):
                raise ValueError("the query's shape depends on its arguments")
            slots = []
            for a, b in zip(params, params_2, strict=True):
                if a == b:
                    slots.append((None, a))
                    continue
                name = next((n for n in first if (a, b) == (first[n], second[n])), None)
                text = next((n for n in first if (a, b) == (str(first[n]), str(second[n]))), None)
                if name is None and text is None:
                    raise ValueError(f"a parameter derived from the arguments: {a!r}")
                slots.append((name, None) if name else (text, str))
            self._template = queryset, compiler
            self._compiled = sql, slots
        return self._compiled

    def fetch(self, arguments: dict) -> list:
        """`list(self.build(**arguments))`, without compiling it: Django's own iterable (model instances,
        `values()` rows...) reads the rows, from a copy of the compiler whose SQL is the compiled one with these
        arguments in place. Nothing else is done with the queryset (a slice or `first()` would compile anew)."""
        self.compiled()
        queryset, template = self._template
        wrapper = connections[queryset.db]  # this thread's connection, not the compiling one's
        sql, params = _statement(self, wrapper, *self.compiled(), arguments)
        compiler = copy.copy(template)
        compiler.connection = wrapper
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        fresh = queryset._chain()
        fresh.query.get_compiler = lambda *args, **kwargs: compiler
        return list(fresh)

    def fetch_first(self, arguments: dict):
        """The one row of a read built with `first_of`, or None."""
        found = self.fetch(arguments)
        return found[0] if found else None

    def sql_params(self, arguments: dict) -> tuple[str, list]:
        sql, slots = self.compiled()
        return sql, _params(slots, arguments)


def first_of(query):
    """What `query.first()` reads, as a queryset (ordered by pk when unordered, one row) to compile once."""
    return (query if query.ordered else query.order_by("pk"))[:1]


def _params(slots, arguments: dict) -> list:
    params = []
    for name, value in slots:
        if name is None:
            params.append(value)
        else:
            params.append(str(arguments[name]) if value is str else arguments[name])
    return params


# --- server-side prepared statements ---------------------------------------------------------------------------
# Compiling once saves Django's work; PostgreSQL still plans each statement on every request, and for these
# joins its planning took several times longer than running them (the overview's lists: 0.98 ms planned and run,
# 0.14 ms as a prepared statement). So on PostgreSQL each compiled statement is also PREPAREd, once per database
# connection, and run with EXECUTE and the request's arguments. A prepared statement belongs to the database
# session: behind pgbouncer in transaction mode it could be missing on the next transaction's server connection,
# so DATABASE_PREPARED_STATEMENTS=false turns this off there (README, "Scaling out").

_NAMES = itertools.count(1)
_PREPARED_ON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # psycopg2 connection -> names prepared
_statement_names: dict = {}  # key -> (name, number of arguments)
_BODIES: dict[str, str] = {}  # name -> the statement it was prepared as


def as_written(sql: str) -> str:
    """A logged statement as PostgreSQL runs it: for `EXECUTE name(...)`, the statement `name` was prepared as
    (for tests that look at what a page's queries read)."""
    if sql.startswith("EXECUTE "):
        return _BODIES.get(sql[8:].split("(", 1)[0].strip(), sql)
    return sql


def _fits_bigint(value) -> bool:
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, list):
        return all(_fits_bigint(v) for v in value)
    return True


def _statement(key, wrapper, sql: str, slots, arguments: dict) -> tuple[str, list]:
    """(sql, params) to run the compiled `sql` with `arguments`: `EXECUTE name(...)` of a statement PREPAREd on
    this connection (done here the first time), or the plain statement where that is off."""
    params = _params(slots, arguments)
    if (wrapper.vendor != "postgresql" or not getattr(settings, "DATABASE_PREPARED_STATEMENTS", False)
            or not all(_fits_bigint(value) for value in arguments.values())):
        # An id from a URL may be any length: as a typed parameter, one past bigint would be an error, where the
        # plain statement just finds nothing.
        return sql, params
    found = _statement_names.get(key)
    if found is None:
        found = _statement_names.setdefault(key, (f"mentorship_q{next(_NAMES)}", sum(n is not None for n, _ in slots)))
    name, count = found
    wrapper.ensure_connection()
    raw = wrapper.connection
    done = _PREPARED_ON.get(raw)
    if done is None:
        done = _PREPARED_ON.setdefault(raw, set())
    if name not in done:
        # The arguments become $1, $2...; the constants are quoted into the text by psycopg2 itself. Run on the
        # driver's own cursor: it is set-up, not one of the page's queries (the suite counts those).
        placeholders, k = [], 0
        for slot_name, value in slots:
            if slot_name is None:
                placeholders.append(value)
            else:
                k += 1
                placeholders.append(AsIs(f"${k}"))
        with raw.cursor() as cursor:
            body = cursor.mogrify(sql, placeholders).decode()
            cursor.execute(f"PREPARE {name} AS {body}")
        done.add(name)
        _BODIES.setdefault(name, body)
    arguments_only = [value for (slot_name, _), value in zip(slots, params, strict=True) if slot_name is not None]
    if not count:
        return f"EXECUTE {name}", []
    return f"EXECUTE {name}({', '.join(['%s'] * count)})", arguments_only


def execute_plain(cursor, sql: str, params) -> None:
    """`cursor.execute(sql, params)` for a plain parameterised statement written by hand (scheduling's
    `mentor_calendar`, the agenda's), run as a statement PREPAREd once per database connection like the compiled
    reads: PostgreSQL plans it once, not on every call. `cursor`: one of Django's cursors.

    `sql` names the statement, so it must be one fixed text per caller (or one per shape: a bounded few), never one
    with values written into it: a %s for each parameter, %% for a percent sign. Every parameter becomes one of
    the statement's ($1, $2...), its type inferred by PostgreSQL from where it stands: so each must be of the type
    of what it is compared with (a `date` for a date column, not a datetime, which would be cut to its date) and
    stand where a type can be inferred (not alone in a select list: give it a CAST there). Where prepared
    statements are off, or an int is past bigint, it runs as it is."""
    slots = [(i, None) for i in range(len(params))]
    sql, params = _statement(("plain", sql), cursor.db, sql, slots, dict(enumerate(params)))
    cursor.execute(sql, params)


class PreparedShapes:
    """A `Prepared` for each shape of one read: `build(**arguments, shape=shape)`, compiled when a shape is first
    fetched. `shape`: anything hashable that changes the query's form, such as a module-level function adding the
    annotations one page wants (a page's flags)."""

    def __init__(self, build, **arguments):
        self.build, self.arguments = build, arguments
        self._by_shape: dict = {}

    def fetch(self, arguments: dict, shape=None) -> list:
        prepared = self._by_shape.get(shape)
        if prepared is None:
            prepared = self._by_shape.setdefault(shape, Prepared(partial(self.build, shape=shape), **self.arguments))
        return prepared.fetch(arguments)

    def fetch_first(self, arguments: dict, shape=None):
        found = self.fetch(arguments, shape)
        return found[0] if found else None


def read_together(parts: dict, arguments: dict) -> dict[str, list[dict]]:
    """{name: Prepared} -> {name: the rows as dicts (dates and times as ISO text; see `when`)} in one query."""
    selects, slots = [], []
    for prepared in parts.values():
        sql, part_slots = prepared.compiled()
        selects.append(f"(SELECT COALESCE(json_agg(t), '[]') FROM ({sql}) t)")
        slots.extend(part_slots)
    key = tuple(parts.values())
    sql, params = _statement(key, connection, "SELECT " + ", ".join(selects), slots, arguments)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: value if isinstance(value, list) else json.loads(value) for name, value in zip(parts, row,
                                                                                                 strict=True)}


def when(value: str | None) -> datetime | None:
    """A timestamptz as json_agg writes it (the connection's zone is UTC) -> an aware datetime."""
    return datetime.fromisoformat(value) if value else None
