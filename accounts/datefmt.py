"""`format(value, fmt)`: what `django.utils.dateformat.format` writes, for the lists that format a time on every
row (session rows, the credit history, the agenda's week).

Django's formatter splits the format string again on every call and asks gettext for each day and month name
(about 50 µs a "D j M, H:i"); here the format is split once, and the names are looked up once per language.
The common format characters (d j D l m n M b F Y y H G i) are written here exactly as Django writes
them; any other goes to Django's own formatter."""

import functools

from django.utils import dateformat
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language

# django.utils.dateformat's own patterns: a format character not escaped by a backslash; an escaped one.
_FORMAT_CHARS, _ESCAPED = dateformat.re_formatchars, dateformat.re_escaped


@functools.lru_cache(maxsize=256)
def _pieces(fmt: str) -> tuple[tuple[bool, str], ...]:
    """(is a format character, text) pieces of `fmt`, as Formatter.format splits it."""
    out = []
    for i, piece in enumerate(_FORMAT_CHARS.split(fmt)):
        if i % 2:
            out.append((True, piece))
        elif piece:
            out.append((False, _ESCAPED.sub(r"\1", piece)))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _names(language: str | None) -> dict[str, dict[int, str]]:
    """Day and month names in `language` (the active one when first called for it)."""
    return {
        "D": {i: str(WEEKDAYS_ABBR[i]) for i in range(7)},
        "l": {i: str(WEEKDAYS[i]) for i in range(7)},
        "b": {m: str(MONTHS_3[m]) for m in range(1, 13)},
        "M": {m: str(MONTHS_3[m]).title() for m in range(1, 13)},
        "F": {m: str(MONTHS[m]) for m in range(1, 13)},
    }


# Each as DateFormat/TimeFormat writes it (django/utils/dateformat.py).
_WRITERS = {
    "d": lambda v, names: "%02d" % v.day,
    "j": lambda v, names: str(v.day),
    "D": lambda v, names: names["D"][v.weekday()],
    "l": lambda v, names: names["l"][v.weekday()],
    "m": lambda v, names: "%02d" % v.month,
    "n": lambda v, names: str(v.month),
    "M": lambda v, names: names["M"][v.month],
    "b": lambda v, names: names["b"][v.month],
    "F": lambda v, names: names["F"][v.month],
    "Y": lambda v, names: "%04d" % v.year,
    "y": lambda v, names: "%02d" % (v.year % 100),
    "H": lambda v, names: "%02d" % v.hour,
    "G": lambda v, names: str(v.hour),
    "i": lambda v, names: "%02d" % v.minute,
}


def format(value, fmt, names: dict | None = None) -> str:  # noqa: A001 - the name dateformat.format has
    """dateformat.format(value, fmt) for a datetime. `names`: `day_and_month_names()`, when the caller formats
    many values (saves looking up the language each time)."""
    pieces = []
    django_format = None
    for is_char, piece in _pieces(str(fmt)):
        if not is_char:
            pieces.append(piece)
            continue
        writer = _WRITERS.get(piece)
        if writer is not None:
            if names is None:
                names = _names(get_language())
            pieces.append(writer(value, names))
        else:
            if django_format is None:
                django_format = dateformat.DateFormat(value)
            pieces.append(str(getattr(django_format, piece)()))
    return "".join(pieces)


def day_and_month_names() -> dict:
    """The active language's day and month names, for `format(..., names=...)`."""
    return _names(get_language())
