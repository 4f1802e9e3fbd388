"""Querysets compiled once per process, then read together in one round trip.

A page that shows several short lists pays, for each, Django's compilation of the queryset (a millisecond
or more on a busy machine, more than PostgreSQL takes to answer) and a round trip. `Prepared` compiles a
queryset once, with stand-in values for its arguments, and afterwards only puts each request's values in
their places; `read_together` sends several of them as one statement, each list as a JSON array
(`json_agg`). The querysets stay the one definition of what is read (upcoming_q, the models' orderings...).

The stand-ins are checked: the queryset is compiled with two different sets, and every parameter that
differs must be one of the arguments itself (or its text), never a value derived from one — otherwise
compiling refuses, rather than read the wrong rows.

It lives in config, below every app, so that domain apps may use it too (scheduling's agenda statement compiles
its flash-request and proposal querysets once with it); portal/prepared.py re-exports it.
"""

import json
from datetime import UTC, datetime, timedelta

from django.db import connection

_FIRST = {"int": -1_000_000_001, "datetime": datetime(1901, 1, 1, tzinfo=UTC)}
_SECOND = {"int": -2_000_000_002, "datetime": datetime(1902, 2, 2, tzinfo=UTC)}


def _stand_ins(kinds: dict, base: dict) -> dict:
    return {name: base[kind] + (i if kind == "int" else timedelta(seconds=i)) for i, (name, kind) in
            enumerate(kinds.items())}


class Prepared:
    """`build(**arguments)` -> a `.values()` queryset; `arguments`: {name: "int" | "datetime"}."""

    def __init__(self, build, **arguments):
        self.build, self.arguments = build, arguments
        self._compiled = None

    def compiled(self):
        if self._compiled is None:
            first, second = _stand_ins(self.arguments, _FIRST), _stand_ins(self.arguments, _SECOND)
            sql, params = self.build(**first).query.sql_with_params()
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
            self._compiled = sql, slots
        return self._compiled

    def sql_params(self, arguments: dict) -> tuple[str, list]:
        sql, slots = self.compiled()
        params = []
        for name, value in slots:
            if name is None:
                params.append(value)
            else:
                params.append(str(arguments[name]) if value is str else arguments[name])
        return sql, params


def read_together(parts: dict, arguments: dict) -> dict[str, list[dict]]:
    """{name: Prepared} -> {name: the rows as dicts (dates and times as ISO text; see `when`)} in one query."""
    selects, params = [], []
    for prepared in parts.values():
        sql, part_params = prepared.sql_params(arguments)
        selects.append(f"(SELECT COALESCE(json_agg(t), '[]') FROM ({sql}) t)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return {name: value if isinstance(value, list) else json.loads(value) for name, value in zip(parts, row,
                                                                                                 strict=True)}


def when(value: str | None) -> datetime | None:
    """A timestamptz as json_agg writes it (the connection's zone is UTC) -> an aware datetime."""
    return datetime.fromisoformat(value) if value else None
