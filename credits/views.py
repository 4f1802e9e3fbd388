from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from config.paging import counted_page

from . import selectors, services
from .errors import CreditsError
from .forms import CreditRequestForm

HISTORY_PAGE_SIZE = 25


def _history_context(request, form: CreditRequestForm) -> dict:
    now = timezone.now()
    # The enrolment (for the summary) carries the time of a request made in the last day: one query for both.
    # Both reads are compiled once per process and planned once per connection (selectors.history_enrolment).
    enrolment = selectors.history_enrolment(request.user, now=now)
    # The page of entries carries their count: one query, not two.
    page = counted_page(selectors.ledger_for(request.user), HISTORY_PAGE_SIZE, request.GET.get("page"),
                        read=partial(selectors.ledger_page_rows, request.user, per_page=HISTORY_PAGE_SIZE))
    return {
        "summary": selectors.credits_summary(request.user, now=now, enrolment=enrolment),
        # The card's group line, from the same enrolment read (it carries the group balance): no query.
        "group": selectors.group_summary(request.user, now=now, enrolment=enrolment),
        "page_obj": page,
        "entries": page.object_list,
        "form": form,
        "recent_request": selectors.recent_request(request.user, now=now, enrolment=enrolment),
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
