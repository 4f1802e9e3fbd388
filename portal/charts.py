"""The dashboard's charts and their CSV: drawn server-side as SVG by pygal.

Each chart is a pure function of a Dashboard, so the picture, the table beside
it and the CSV download always show the same numbers. The SVG is served as an
image (`<img src=...svg>`): an image runs no script, and pygal's own tooltip
script (from a CDN) is switched off.
"""

import csv
import io
from dataclasses import dataclass

import pygal
from django.utils import dateformat, formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pygal.style import Style

from .dashboard import WEEK_SERIES, Dashboard

# Colours readable on white and distinct for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ("#0072B2", "#009E73", "#999999", "#D55E00", "#CC79A7", "#E69F00")
STYLE = Style(background="white", plot_background="white", foreground="#222", foreground_strong="#111",
              foreground_subtle="#555", colors=PALETTE, font_family="sans-serif", label_font_size=12,
              major_label_font_size=12, legend_font_size=13, title_font_size=15)


@dataclass
class Table:
    """A chart's numbers: what the accessible table and the CSV show."""

    title: str
    header: list[str]
    rows: list[list]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _number(value: float) -> str:
    """Shortest form (12, 12.5), with the language's decimal separator."""
    return f"{value:g}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def _week_label(day) -> str:
    """An axis label: day and month, the month named in the reader's language."""
    return dateformat.format(day, _("d M"))


def sessions_table(board: Dashboard) -> Table:
    header = [_("Week of"), *(str(label) for _key, label in WEEK_SERIES)]
    rows = [[w.starts_on.isoformat(), *(getattr(w, key) for key, _label in WEEK_SERIES)] for w in board.weeks]
    return Table(_("Sessions per week"), header, rows)


def credits_table(board: Dashboard) -> Table:
    rows = [[p.plan, _("unlimited") if p.unlimited else p.granted, p.used] for p in board.plans]
    return Table(_("Credits granted and used per plan"), [_("Plan"), _("Credits granted"), _("Sessions used")], rows)


def mentors_table(board: Dashboard) -> Table:
    rows = [[m.mentor.get_full_name(), _number(m.booked_hours), _number(m.offered_hours), _percent(m.utilisation),
             "—" if m.rating is None else formats.number_format(m.rating, 1), m.ratings] for m in board.mentors]
    return Table(_("Mentor utilisation (last 28 days) and average rating"),
                 [_("Mentor"), _("Booked hours"), _("Offered hours"), _("Utilisation"), _("Average rating"),
                  _("Ratings")], rows)


RISK_SERIES = [("at_risk", gettext_lazy("At risk (any reason)")), ("misses", gettext_lazy("Missed sessions")),
               ("no_upcoming", gettext_lazy("Nothing booked")), ("no_credits", gettext_lazy("No credits or plan")),
               ("no_hours", gettext_lazy("No weekly hours"))]


def risk_table(board: Dashboard) -> Table:
    rows = [[w.starts_on.isoformat(), *(("—",) * (len(RISK_SERIES) + 1))] if w.snapshot is None else
            [w.starts_on.isoformat(), w.snapshot.students, *(getattr(w.snapshot, key) for key, _label in RISK_SERIES)]
            for w in board.risk]
    return Table(_("Students at risk over time (last count each week)"),
                 [_("Week of"), _("Active students"), *(str(label) for _key, label in RISK_SERIES)], rows)


TABLES = {"sessions": sessions_table, "risk": risk_table, "credits": credits_table, "mentors": mentors_table}


def _chart(kind, title: str, **options):
    options = {"width": 900, "height": 380, **options}
    return kind(style=STYLE, js=[], disable_xml_declaration=False, explicit_size=True, title=title, legend_at_bottom=True, legend_at_bottom_columns=3, print_zeroes=False,
                no_data_text=_("No data yet"), **options)


def sessions_svg(board: Dashboard) -> bytes:
    chart = _chart(pygal.Bar, _("Sessions per week"), x_label_rotation=0, show_minor_x_labels=False,
                   x_labels_major_every=2,
                   y_labels=_whole_ticks([getattr(w, key) for w in board.weeks for key, _label in WEEK_SERIES]))
    chart.x_labels = [_week_label(w.starts_on) for w in board.weeks]
    for key, label in WEEK_SERIES:
        chart.add(str(label), [getattr(w, key) for w in board.weeks])
    return chart.render()


def credits_svg(board: Dashboard) -> bytes:
    chart = _chart(pygal.Bar, _("Credits granted and used per plan"),
                   y_labels=_whole_ticks([v for p in board.plans for v in (p.used, None if p.unlimited else p.granted)]))
    chart.x_labels = [p.plan for p in board.plans]
    chart.add(_("Credits granted"), [None if p.unlimited else p.granted for p in board.plans])
    chart.add(_("Sessions used"), [p.used for p in board.plans])
    return chart.render()


def mentors_svg(board: Dashboard) -> bytes:
    chart = _chart(pygal.HorizontalBar, _("Utilisation, last 28 days (booked / offered hours)"),
                   value_formatter=lambda v: f"{v:.0f}%", show_legend=False, range=(0, 100),
                   height=max(200, 60 + 30 * len(board.mentors)))
    chart.x_labels = [m.mentor.get_full_name() for m in board.mentors]
    chart.add(_("Utilisation"), [None if m.utilisation is None else round(m.utilisation * 100, 1)
                              for m in board.mentors])
    return chart.render()


def _whole_ticks(values) -> list[int]:
    """Counts are whole numbers: ticks at 0, step, 2·step … up to the largest value."""
    top = max([v for v in values if v is not None] or [1]) or 1
    step = max(1, -(-top // 8))
    return list(range(0, top + step, step))


def risk_svg(board: Dashboard) -> bytes:
    values = [getattr(w.snapshot, key) for w in board.risk if w.snapshot for key, _label in RISK_SERIES]
    chart = _chart(pygal.Line, _("Students at risk over time"), show_minor_x_labels=False, x_labels_major_every=2,
                   allow_interruptions=True, y_labels=_whole_ticks(values))
    chart.x_labels = [_week_label(w.starts_on) for w in board.risk]
    for key, label in RISK_SERIES:
        chart.add(str(label), [None if w.snapshot is None else getattr(w.snapshot, key) for w in board.risk])
    return chart.render()


SVGS = {"sessions": sessions_svg, "risk": risk_svg, "credits": credits_svg, "mentors": mentors_svg}


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue()
