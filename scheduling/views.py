from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role


@role_required(Role.STUDENT)
def overview(request):
    """The student's home: their mentor, next session and credits."""
    return render(request, "scheduling/overview.html", {"now": request.user.local_now()})


@role_required(Role.MENTOR)
def agenda(request):
    """The mentor's home: today, upcoming sessions and what is left to mark."""
    return render(request, "scheduling/agenda.html", {"now": request.user.local_now()})
