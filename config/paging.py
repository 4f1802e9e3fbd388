"""A page of a queryset with its count in the same query."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window


def counted_rows(queryset, bottom: int, top: int):
    """The rows [bottom:top] of `queryset`, each carrying the total (`page_total`), as `counted_page` reads them."""
    return queryset.annotate(page_total=Window(Count("pk")))[bottom:top]


def counted_page(queryset, per_page: int, wanted, read=None) -> Page:
    """What Paginator(queryset, per_page).get_page(wanted) gives, in one query where it can: the page's rows
    carry the total (COUNT(*) OVER ()), so the paginator's count needs no query of its own. What brings no
    rows back (an empty list, a page past the end or below 1) goes the paginator's own way: count, then rows.

    `wanted` as get_page reads it: anything that is not a whole number is page 1. `read(bottom, top)`: the rows
    `counted_rows` reads, read another way (a compiled read: see credits' `ledger_page_rows`)."""
    paginator = Paginator(queryset, per_page)
    try:
        number = int(wanted)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        bottom = (number - 1) * per_page
        top = bottom + per_page
        rows = read(bottom, top) if read is not None else list(counted_rows(queryset, bottom, top))
        if rows:
            paginator.count = rows[0].page_total
            return Page(rows, number, paginator)
    return paginator.get_page(wanted)
