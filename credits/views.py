from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role

from . import selectors, services
from .errors import CreditsError
from .forms import CreditRequestForm

HISTORY_PAGE_SIZE = 25


def _history_page(student, wanted) -> Page:
    """What Paginator(...).get_page(wanted) gives, in one query where it can: the page's rows carry the
    total (COUNT(*) OVER ()), so the count needs no query of its own. A page that is not a number, below 1
    or past the end (no rows come back), and an empty history, go the paginator's own way (count, then rows)."""
    entries = selectors.ledger_for(student)
    paginator = Paginator(entries, HISTORY_PAGE_SIZE)
    try:
        number = int(wanted)
    except (TypeError, ValueError):
        number = 1  # what get_page does with anything that is not a whole number
    if number >= 1:
        bottom = (number - 1) * HISTORY_PAGE_SIZE
        rows = list(entries.annotate(history_total=Window(Count("pk")))[bottom:bottom + HISTORY_PAGE_SIZE])
        if rows:
            paginator.count = rows[0].history_total
            return Page(rows, number, paginator)
    return paginator.get_page(wanted)


def _history_context(request, form: CreditRequestForm) -> dict:
    now = timezone.now()
    page = _history_page(request.user, request.GET.get("page"))
    return {
        "summary": selectors.credits_summary(request.user, now=now),
        "page_obj": page,
        "entries": page.object_list,
        "form": form,
        "recent_request": selectors.recent_request(request.user, now=now),
    }


@role_required(Role.STUDENT)
@require_GET
def history(request):
    """The student's credits: where they stand and every movement, in their own zone."""
    return render(request, "credits/history.html", _history_context(request, CreditRequestForm()))


@role_required(Role.STUDENT)
@require_POST
def request_more(request):
    """"Get more sessions": tell the success managers (no payment here)."""
    form = CreditRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "credits/history.html", _history_context(request, form), status=400)
    try:
        services.credits_request_more(student=request.user, message=form.cleaned_data["message"],
                                      now=timezone.now())
    except CreditsError as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, _("Thanks — your success manager has your request and will get back to you by email."))
    return redirect("credits:history")
