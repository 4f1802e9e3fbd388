"""A page of a queryset with its count in the same query."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window


def counted_page(queryset, per_page: int, wanted) -> Page:
    """What Paginator(queryset, per_page).get_page(wanted) gives, in one query where it can: the page's rows
    carry the total (COUNT(*) OVER ()), so the paginator's count needs no query of its own. What brings no
    rows back (an empty list, a page past the end or below 1) goes the paginator's own way: count, then rows.

    `wanted` as get_page reads it: anything that is not a whole number is page 1."""
    paginator = Paginator(queryset, per_page)
    try:
        number = int(wanted)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        bottom = (number - 1) * per_page
        rows = list(queryset.annotate(page_total=Window(Count("pk")))[bottom:bottom + per_page])
        if rows:
            paginator.count = rows[0].page_total
            return Page(rows, number, paginator)
    return paginator.get_page(wanted)
