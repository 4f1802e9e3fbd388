"""The success managers' student pages in the admin.

The student page shows every domain at once (pairing, credits, sessions,
pauses) and reassignment decides the fate of sessions, so it lives here, in the
one layer that may import every app. Registered once; no domain app registers
StudentAccount.
"""

import csv
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_mixins import ReadOnlyAdmin
from accounts.emails import preview_email, send_templated_email
from accounts.models import Role, User
from config.prepared import Prepared, read_together, when
from credits.models import CreditAccount, Enrolment, EnrolmentStatus, LedgerEntry, Plan
from mentorship import selectors as mentorship_selectors
from mentorship import weekgrid
from mentorship.forms import ReassignForm
from mentorship.models import MentorAssignment, StudentAccount
from mentorship.services import CapacityError, MentorshipError
from portal.admin_dashboard import may_see_dashboard
from portal.admin_shell import FramedResponse
from portal.student_rows import readonly_fieldsets, table_rows
from scheduling import at_risk, services
from scheduling.errors import SchedulingError
from scheduling.models import PauseRequest, Session, upcoming_q

REASSIGN_PERMISSION = "mentorship.reassign_mentor"
SUGGESTIONS_SHOWN = 30

# What the student page shows of each list; each panel links to the full list.
ASSIGNMENTS_SHOWN = 20
LEDGER_SHOWN = 30
UPCOMING_SHOWN = 50
PAST_SHOWN = 20
PAUSES_SHOWN = 20
HISTORY_SHOWN = 30
PANELS_TEMPLATE = "admin/portal/studentaccount/_panels.html"

# --- list filters -------------------------------------------------------------------

class AtRiskFilter(admin.SimpleListFilter):
    title = _("at risk")
    parameter_name = "at_risk"

    def lookups(self, request, model_admin):
        return [("any", _("Any reason")), *at_risk.REASONS.items()]

    def queryset(self, request, queryset):
        if self.value() in ("any", *at_risk.REASONS):
            return at_risk.filter_at_risk(queryset, now=timezone.now(), reason=self.value())
        return queryset

class PlanFilter(admin.SimpleListFilter):
    title = _("plan")
    parameter_name = "plan"

    def lookups(self, request, model_admin):
        return [*((str(pk), name) for pk, name in Plan.objects.order_by("name").values_list("pk", "name")),
                ("none", _("No plan"))]

    def queryset(self, request, queryset):
        current = Enrolment.objects.current().filter(student=OuterRef("pk"))
        if self.value() == "none":
            return queryset.exclude(Exists(current))
        if self.value() and self.value().isdigit():
            return queryset.filter(Exists(current.filter(plan_id=int(self.value()))))
        return queryset

class CurrentMentorFilter(admin.SimpleListFilter):
    title = _("current mentor")
    parameter_name = "mentor"

    def lookups(self, request, model_admin):
        mentors = (User.objects.filter(role=Role.MENTOR, student_assignments__ended_at__isnull=True)
                   .distinct().order_by("full_name", "email").values_list("pk", "full_name", "email"))
        return [*((str(pk), name or email) for pk, name, email in mentors), ("none", _("Waiting to be paired"))]

    def queryset(self, request, queryset):
        current = MentorAssignment.objects.current().filter(student=OuterRef("pk"))
        if self.value() == "none":
            return queryset.exclude(Exists(current))
        if self.value() and self.value().isdigit():
            return queryset.filter(Exists(current.filter(mentor_id=int(self.value()))))
        return queryset

class EnrolmentStatusFilter(admin.SimpleListFilter):
    title = _("enrolment status")
    parameter_name = "enrolment"

    def lookups(self, request, model_admin):
        return [(EnrolmentStatus.ACTIVE, _("Active")), (EnrolmentStatus.PAUSED, _("Paused")),
                (EnrolmentStatus.ENDED, _("Ended (no current plan)")), ("never", _("Never enrolled"))]

    def queryset(self, request, queryset):
        enrolments = Enrolment.objects.filter(student=OuterRef("pk"))
        value = self.value()
        if value in (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED):
            return queryset.filter(Exists(enrolments.filter(status=value)))
        if value == EnrolmentStatus.ENDED:
            return queryset.filter(Exists(enrolments.filter(status=EnrolmentStatus.ENDED))).exclude(
                Exists(enrolments.current()))
        if value == "never":
            return queryset.exclude(Exists(enrolments))
        return queryset

# --- the student page's panels ---------------------------------------------------------

@dataclass
class StudentPanels:
    """The lists are rows as dicts (config/prepared.py: read in one query); `history` is LogEntry objects."""
    assignments: list
    current_assignment: dict | None
    enrolment: Enrolment | None
    account: CreditAccount | None
    ledger: list
    upcoming: list
    past: list
    upcoming_total: int
    past_total: int
    pauses: list
    history: list
    links: dict = field(default_factory=dict)

def with_panel_facts(students, *, now: datetime):
    """The student rows with what the page's panels count about each: the credit account
    (`panel_account_id`, `panel_balance`) and how many sessions are upcoming and past."""
    account = CreditAccount.objects.filter(student=OuterRef("pk"))
    sessions = Session.objects.filter(student=OuterRef("pk")).order_by().values("student")

    def count(q):
        return Coalesce(Subquery(sessions.filter(q).annotate(n=Count("pk")).values("n")), 0)

    return students.annotate(panel_account_id=Subquery(account.values("pk")[:1]),
                             panel_balance=Subquery(account.values("balance")[:1]),
                             panel_upcoming=count(upcoming_q(now)), panel_past=count(~upcoming_q(now)))


def _names(relation: str) -> dict:
    """A person's name as the tables write it (full_name, else email): `<relation>_name`, `<relation>_email`."""
    return {f"{relation}_name": F(f"{relation}__full_name"), f"{relation}_email": F(f"{relation}__email")}


_HISTORY_ABOUT = (User, StudentAccount, CreditAccount, Enrolment, Session, PauseRequest)


def _content_types() -> dict:
    """{"ct_<model>": content type id} for the history's models: arguments of the prepared query, not constants
    in it (a flushed test database numbers them anew)."""
    found = ContentType.objects.get_for_models(*_HISTORY_ABOUT, for_concrete_models=False)
    return {f"ct_{model._meta.model_name}": found[model].pk for model in _HISTORY_ABOUT}


def _history(student, now, **ct_ids):
    """The admin history of the student and of the records about them: their pairing, credit account,
    enrolments, sessions and pause requests."""
    ct = {model: ct_ids[f"ct_{model._meta.model_name}"] for model in _HISTORY_ABOUT}
    as_text = Cast("pk", output_field=CharField())
    about = (
        Q(content_type__in=[ct[User], ct[StudentAccount]], object_id=str(student))
        | Q(content_type=ct[CreditAccount], object_id__in=CreditAccount.objects.filter(student_id=student)
            .annotate(t=as_text).values("t"))
        | Q(content_type=ct[Enrolment], object_id__in=Enrolment.objects.filter(student_id=student)
            .annotate(t=as_text).values("t"))
        | Q(content_type=ct[Session], object_id__in=Session.objects.filter(student_id=student)
            .annotate(t=as_text).values("t"))
        | Q(content_type=ct[PauseRequest], object_id__in=PauseRequest.objects.filter(student_id=student)
            .annotate(t=as_text).values("t"))
    )
    return (LogEntry.objects.filter(about).order_by("-action_time", "-pk")
            .values("id", "action_time", "user_id", "content_type_id", "object_id", "object_repr", "action_flag",
                    "change_message", **_names("user"))[:HISTORY_SHOWN])


_SESSION_ROW = ("id", "starts_at", "ends_at", "status", "forfeit_waived_at")

# What the panels list, each compiled once per process and read together (config/prepared.py); `student` is
# the student's id. Each reads the columns its table shows (portal/student_rows.py).
PANEL_LISTS = {name: Prepared(build, student="int", now="datetime") for name, build in {
    "facts": lambda student, now: with_panel_facts(User.objects.filter(pk=student), now=now).values(
        "panel_account_id", "panel_balance", "panel_upcoming", "panel_past"),
    "assignments": lambda student, now: MentorAssignment.objects.filter(student_id=student).values(
        "id", "started_at", "ended_at", "reason", **_names("mentor"), **_names("assigned_by"))[:ASSIGNMENTS_SHOWN],
    "ledger": lambda student, now: LedgerEntry.objects.filter(account__student_id=student)
        .order_by("-created_at", "-id").values("id", "created_at", "kind", "amount", "balance_after", "session_id",
                                              "note", **_names("actor"))[:LEDGER_SHOWN],
    "upcoming": lambda student, now: Session.objects.filter(student_id=student).upcoming(now).order_by("starts_at")
        .values(*_SESSION_ROW, **_names("mentor"), service_name=F("service__name"))[:UPCOMING_SHOWN],
    "past": lambda student, now: Session.objects.filter(student_id=student).past(now).order_by("-starts_at")
        .values(*_SESSION_ROW, **_names("mentor"), service_name=F("service__name"))[:PAST_SHOWN],
    "pauses": lambda student, now: PauseRequest.objects.filter(student_id=student).values(
        "id", "created_at", "starts_on", "ends_on", "reason", "status", "decision_note",
        **_names("decided_by"))[:PAUSES_SHOWN],
    # The current enrolment and its plan, every column (the panel calls the plan's describe()).
    "enrolment": lambda student, now: Enrolment.objects.current().filter(student_id=student).values(
        *(f.attname for f in Enrolment._meta.concrete_fields),
        **{f"p_{f.attname}": F(f"plan__{f.attname}") for f in Plan._meta.concrete_fields})[:1],
}.items()}
PANEL_LISTS["history"] = Prepared(_history, student="int", now="datetime",
                                  **{f"ct_{model._meta.model_name}": "int" for model in _HISTORY_ABOUT})


def _instance(model, row: dict, prefix: str = ""):
    """A model instance from a JSON row's columns (`prefix` + attname), each read as the field reads it."""
    fields = model._meta.concrete_fields
    return model.from_db(None, [f.attname for f in fields], [f.to_python(row[prefix + f.attname]) for f in fields])


class _Newest:
    """Sort key: descending for any comparable value."""

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value


def _rows(rows: list[dict], key, *, times=(), days=()) -> list[dict]:
    """The JSON rows typed back (times, dates) and in their query's order (json_agg promises none)."""
    for row in rows:
        for name in times:
            row[name] = when(row[name])
        for name in days:
            row[name] = date.fromisoformat(row[name]) if row[name] else None
    rows.sort(key=key)
    return rows


# The student page's own row (StudentAdmin.get_object: every column, as the admin reads it), read with the panels;
# it carries the panels' facts (the "facts" list's columns), which then need no second read of the row.
_FACTS = ("panel_account_id", "panel_balance", "panel_upcoming", "panel_past")
STUDENT_ROW = Prepared(lambda student, now: with_panel_facts(
    StudentAccount._default_manager.filter(pk=student, role=Role.STUDENT), now=now)
    .values(*(f.attname for f in StudentAccount._meta.concrete_fields), *_FACTS)[:1], student="int", now="datetime")
_WITH_STUDENT_ROW = {"student_row": STUDENT_ROW, **{name: part for name, part in PANEL_LISTS.items() if name != "facts"}}


def read_student_page(student_id: int, *, now: datetime) -> tuple[StudentAccount | None, dict]:
    """The student (None if there is no such student) and the rows of their panels (see `student_panels`), in one
    query."""
    found = read_together(_WITH_STUDENT_ROW, {"student": student_id, "now": now, **_content_types()})
    rows = found.pop("student_row")
    if not rows:
        return None, found
    found["facts"] = [{name: rows[0][name] for name in _FACTS}]
    return _instance(StudentAccount, rows[0]), found


def student_panels(student: User, *, now: datetime, found: dict | None = None) -> StudentPanels:
    """Everything the student page shows, its lists, counts and current enrolment, in one query however much
    history there is. `found`: the rows `read_student_page` read, when the page read them with the student."""
    if found is None:
        found = read_together(PANEL_LISTS, {"student": student.pk, "now": now, **_content_types()})
    facts = found["facts"][0]
    assignments = _rows(found["assignments"], lambda r: (_Newest(r["started_at"]), _Newest(r["id"])),
                        times=("started_at", "ended_at"))
    ledger = _rows(found["ledger"], lambda r: (_Newest(r["created_at"]), _Newest(r["id"])), times=("created_at",))
    session_times = ("starts_at", "ends_at", "forfeit_waived_at")
    upcoming = _rows(found["upcoming"], lambda r: (r["starts_at"], r["id"]), times=session_times)
    past = _rows(found["past"], lambda r: (_Newest(r["starts_at"]), r["id"]), times=session_times)
    pauses = _rows(found["pauses"], lambda r: (_Newest(r["created_at"]), r["id"]), times=("created_at",),
                   days=("starts_on", "ends_on"))
    history = []
    for row in _rows(found["history"], lambda r: (_Newest(r["action_time"]), _Newest(r["id"])),
                     times=("action_time",)):
        user_name, user_email = row.pop("user_name"), row.pop("user_email")
        entry = LogEntry(**row)
        entry.content_type = ContentType.objects.get_for_id(entry.content_type_id)  # cached: no query
        entry.user = User(pk=entry.user_id, full_name=user_name, email=user_email)  # the name is all it shows
        history.append(entry)

    enrolment = None
    if found["enrolment"]:
        row = found["enrolment"][0]
        enrolment = _instance(Enrolment, row)
        enrolment.plan = _instance(Plan, row, "p_")
    # Only what the page reads of the account: its id (the links) and its balance.
    account = (CreditAccount(pk=facts["panel_account_id"], student_id=student.pk, balance=facts["panel_balance"])
               if facts["panel_account_id"] is not None else None)
    current = next((a for a in assignments if a["ended_at"] is None), None)
    links = {
        "sessions": reverse("admin:scheduling_session_changelist") + f"?student__id__exact={student.pk}",
        "pauses": reverse("admin:scheduling_pauserequest_changelist") + f"?student__id__exact={student.pk}",
        "assignments": reverse("admin:mentorship_mentorassignment_changelist") + f"?student__id__exact={student.pk}",
        "history": reverse("admin:mentorship_studentaccount_history", args=[student.pk]),
        "reassign": reverse("admin:mentorship_reassign", args=[student.pk]),
        "enrolments": reverse("admin:credits_enrolment_changelist") + f"?student__id__exact={student.pk}",
    }
    if account is not None:
        links["ledger"] = reverse("admin:credits_ledgerentry_changelist") + f"?account__id__exact={account.pk}"
        links["account"] = reverse("admin:credits_creditaccount_change", args=[account.pk])
    return StudentPanels(
        assignments=assignments, current_assignment=current, enrolment=enrolment, account=account, ledger=ledger,
        upcoming=upcoming, past=past, upcoming_total=facts["panel_upcoming"], past_total=facts["panel_past"],
        pauses=pauses, history=history, links=links,
    )

# --- reassigning with sessions in flight --------------------------------------------------

SESSION_CHOICES = [("keep", _("Keep with the previous mentor")), ("move", _("Move to the new mentor")),
                   ("cancel", _("Cancel, credit refunded"))]

class ReassignWithSessionsForm(ReassignForm):
    """Mentorship's reassign form plus one keep / move / cancel choice per upcoming session."""

    def __init__(self, *args, sessions: list[Session], **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = sessions
        for session in sessions:
            # Not required: a session booked after the page loaded has no choice posted, and is kept.
            self.fields[self.field_name(session)] = forms.ChoiceField(
                choices=SESSION_CHOICES, initial="keep", required=False, widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose keep, move or cancel.")},
            )

    @staticmethod
    def field_name(session: Session) -> str:
        return f"session_{session.pk}"

    def decisions(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(self.field_name(s)) or "keep" for s in self.sessions}

@dataclass
class SessionRow:
    session: Session
    field: forms.BoundField
    conflict: str | None  # why the chosen new mentor can't take it; None when free or no mentor chosen
    checked: bool  # whether a mentor is chosen, so `conflict` says something
    free: list[str]  # the suggested mentors who could take it
    blocked_json: str  # {mentor id: why not, or ""} for the page's script to follow the choice


class MatchRow:
    """A suggestion, plus how many of the student's upcoming sessions that mentor could take."""

    def __init__(self, match, *, takes: int | None, total: int):
        self._match, self.takes, self.total = match, takes, total

    def __getattr__(self, name):
        return getattr(self._match, name)

# --- bulk email ------------------------------------------------------------------------------

class StudentEmailForm(forms.Form):
    subject = forms.CharField(max_length=150, label=_("Subject"), error_messages={"required": _("A subject is required.")})
    message = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 8, "cols": 70}), label=_("Message"),
        help_text=_("Plain text. Each student's email starts with “Hello <their first name>,” and ends with your name."),
        error_messages={"required": _("A message is required.")},
    )

RECIPIENTS_LISTED = 50

# --- the admin -------------------------------------------------------------------------------

class StudentAccountBase(ReadOnlyAdmin):
    """The student list with "Reassign mentor": suggestions, history, the reason."""

    list_display = ["full_name", "email", "timezone", "current_mentor_name", "reassign_link"]
    search_fields = ["full_name", "email"]
    ordering = ["full_name", "email"]
    fields = ["full_name", "email", "timezone", "is_active", "date_joined"]

    def get_queryset(self, request):
        current = MentorAssignment.objects.current().filter(student=OuterRef("pk"))
        return (
            super().get_queryset(request)
            .filter(role=Role.STUDENT)
            .annotate(current_mentor_name=Subquery(current.values("mentor__full_name")[:1]))
        )

    @admin.display(description=_("Current mentor"), ordering="current_mentor_name")
    def current_mentor_name(self, obj):
        return obj.current_mentor_name or gettext("— (waiting to be paired)")

    @admin.display(description="")
    def reassign_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:mentorship_reassign", args=[obj.pk]),
                           gettext("Reassign mentor"))

    def get_urls(self):
        custom = [
            path("<int:student_id>/reassign/", self.admin_site.admin_view(self.reassign_view),
                 name="mentorship_reassign"),
        ]
        return custom + super().get_urls()

    def reassign_start(self, request, student_id: int):
        """What every reassign page needs: the permission check, the student,
        their current mentor and the ranked suggestions (subclasses reuse it)."""
        if not request.user.has_perm(REASSIGN_PERMISSION):
            raise PermissionDenied(gettext("You may not pair students with mentors."))
        student = get_object_or_404(User, pk=student_id, role=Role.STUDENT)
        now = timezone.now()
        current = mentorship_selectors.current_mentor(student)
        matches = mentorship_selectors.rank_mentors(student, now=now)
        choices = [(m.mentor_id, m.full_name) for m in matches if current is None or m.mentor_id != current.pk]
        return student, now, current, matches, choices

    def reassign_context(self, request, *, student, current, matches, form) -> dict:
        """The page's context: suggestions (cut to the best, keeping the chosen one), history, form."""
        show_all = request.GET.get("all") == "1"
        chosen = str(form["mentor"].value() or "")
        shown = matches if show_all else matches[:SUGGESTIONS_SHOWN]
        # Keep a chosen mentor visible even when they rank below the cut.
        if chosen and not any(str(m.mentor_id) == chosen for m in shown):
            shown = shown + [m for m in matches if str(m.mentor_id) == chosen]
        mentorship_selectors.attach_mentors(shown)
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Reassign mentor: %(student)s") % {"student": student.get_full_name()},
            "student": student,
            "student_hours": weekgrid.hours_selected(mentorship_selectors.grid_cells(student)),
            "current": current,
            "history": mentorship_selectors.assignment_history(student)[:10],
            "matches": shown,
            "total": len(matches),
            "show_all": show_all,
            "chosen": chosen,
            "form": form,
        }

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(REASSIGN_PERMISSION)


@admin.register(StudentAccount)
class StudentAdmin(StudentAccountBase):
    list_display = ["full_name", "email", "current_mentor_name", "plan_name", "risk", "reassign_link"]
    list_filter = [AtRiskFilter, PlanFilter, CurrentMentorFilter, EnrolmentStatusFilter]
    search_fields = ["full_name", "email"]
    change_form_template = "admin/portal/studentaccount/change_form.html"
    change_list_template = "admin/portal/studentaccount/change_list.html"

    def get_queryset(self, request):
        current = Enrolment.objects.current().filter(student=OuterRef("pk"))
        queryset = super().get_queryset(request).annotate(plan_name=Subquery(current.values("plan__name")[:1]))
        # The reasons a student is at risk ride along as subqueries: the list costs the same for 10 or 10,000.
        return at_risk.annotate_risk(queryset, now=timezone.now())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Shown (GET), the page reads the student with its panels (get_object, render_change_form).
        request._student_page = request.method == "GET"
        return super().change_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        """The student page (and its history) reads the row alone: none of the list's columns (plan, mentor,
        risk) is on it — the panels read what the page shows — and building the risk subqueries cost more than
        the rest of the page. The page itself (GET) reads the row and its panels in one query."""
        if from_field is None and getattr(request, "_student_page", False):
            try:
                pk = self.model._meta.pk.to_python(object_id)
            except ValidationError:
                return None
            now = timezone.now()
            student, found = read_student_page(pk, now=now)
            if student is not None:
                request._student_panels = (student.pk, now, found)
            return student
        queryset = admin.ModelAdmin.get_queryset(self, request).filter(role=Role.STUDENT)
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    @admin.display(description=_("Plan"), ordering="plan_name")
    def plan_name(self, obj):
        return obj.plan_name or "—"

    @admin.display(description=_("At risk"))
    def risk(self, obj):
        reasons = at_risk.short_reasons(obj)
        if not reasons:
            return "—"
        return format_html('<span class="at-risk" title="{}">{}</span>', " ".join(at_risk.reasons_for(obj)),
                           "; ".join(reasons))

    actions = ["email_students", "export_csv"]

    @admin.action(description=_("Email the selected students…"), permissions=["view"])
    def email_students(self, request, queryset):
        """An intermediate page: write, preview as the first student, then send one outbox email each."""
        recipients = queryset.filter(is_active=True).order_by("full_name", "email")
        count = recipients.count()
        if count == 0:
            self.message_user(request, gettext("None of the selected students has an active account: nothing to "
                                               "send."), messages.WARNING)
            return None
        form = StudentEmailForm(request.POST if ("_preview" in request.POST or "_send" in request.POST) else None)
        token = request.POST.get("token") or uuid.uuid4().hex
        preview = None
        if form.is_bound and form.is_valid():
            first = recipients.first()
            context = {"subject": form.cleaned_data["subject"], "message": form.cleaned_data["message"],
                       "sender": request.user}
            if "_send" in request.POST:
                # The token makes a double submit queue nothing twice (one dedupe key per student).
                queued = send_templated_email(name="manager_message", to=list(recipients), context=context,
                                              topic=f"manager_message:{token}",
                                              dedupe_key=f"manager_message:{token}")
                self.message_user(request, ngettext("%(count)d email queued in the outbox.",
                                                    "%(count)d emails queued in the outbox.", len(queued))
                                  % {"count": len(queued)}, messages.SUCCESS)
                return None
            subject, text = preview_email(name="manager_message", to=first, context=context)
            preview = {"to": first, "subject": subject, "text": text}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Email students"),
            "form": form,
            "count": count,
            "recipients": recipients[:RECIPIENTS_LISTED],
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "token": token,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/portal/studentaccount/email_students.html", context)

    @admin.action(description=_("Export the selected students as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="students-{timezone.now():%Y-%m-%d}.csv"'
        writer = csv.writer(response)
        writer.writerow(["id", "name", "email", "time zone", "current mentor", "plan", "credits left",
                         "at risk", "joined (UTC)", "active"])
        for s in queryset.order_by("full_name", "email").iterator(chunk_size=2000):
            writer.writerow([s.pk, s.get_full_name(), s.email, s.timezone, s.current_mentor_name or "",
                             s.plan_name or "", "unlimited" if s.risk_plan_kind == "unlimited" else s.risk_balance,
                             " ".join(at_risk.reasons_for(s)), s.date_joined.isoformat(), s.is_active])
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            read = getattr(request, "_student_panels", None)  # read with the student (get_object)
            if read is not None and read[0] == obj.pk:
                now, found = read[1], read[2]
            else:
                now, found = timezone.now(), None
            context["panels"] = panels = student_panels(obj, now=now, found=found)
            context["rows"] = table_rows(panels, obj, now=now)
            context["readonly_fieldsets"] = readonly_fieldsets(context["adminform"])
            context["may_reassign"] = request.user.has_perm(REASSIGN_PERMISSION)
            context["may_see_dashboard"] = may_see_dashboard(request.user)
            context["panels_html"] = get_template(PANELS_TEMPLATE).render({
                "panels": panels, "rows": context["rows"], "original": obj, "may_reassign": context["may_reassign"]})
        response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
        if obj is None:
            return response
        # The page around the panels is written from its frame (portal/admin_shell.py).
        return FramedResponse(request, response.template_name, response.context_data)

    def get_urls(self):
        return [
            path("at-risk/", self.admin_site.admin_view(self.at_risk_view), name="portal_students_at_risk"),
            *super().get_urls(),
        ]

    def at_risk_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Students at risk"),
            "rows": at_risk.students_at_risk(now=timezone.now()),
            "window_days": at_risk.RISK_WINDOW.days,
            "misses": at_risk.MISSES_AT_RISK,
        }
        return TemplateResponse(request, "admin/portal/students_at_risk.html", context)

    def reassign_view(self, request, student_id: int):
        """Mentorship's reassign page, plus the fate of the upcoming sessions with the previous mentor.

        The first page already says, for every suggested mentor, which of those
        sessions they could take (one query for all of them), so the manager
        decides in one go; the POST acts, in one transaction (see
        services.reassign_with_sessions), re-checking the chosen mentor.
        """
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        student, now, current, matches, choices = self.reassign_start(request, student_id)
        in_flight = list(
            Session.objects.filter(student=student, mentor=current).upcoming(now, started=False)
            .select_related("student", "mentor", "service").order_by("starts_at")
        ) if current is not None else []
        posted = request.method == "POST"
        form = ReassignWithSessionsForm(request.POST if posted else None, mentor_choices=choices, sessions=in_flight)
        context = self.reassign_context(request, student=student, current=current, matches=matches, form=form)
        shown = [m for m in context["matches"] if m.mentor is not None and (current is None or m.mentor_id != current.pk)]
        by_mentor = services.move_conflicts_by_mentor(sessions=in_flight, mentors=[m.mentor for m in shown], now=now)

        chosen = context["chosen"]
        new_mentor = next((m.mentor for m in shown if str(m.mentor_id) == chosen), None)
        conflicts = by_mentor.get(new_mentor.pk, {}) if new_mentor else {}

        if posted and form.is_valid():
            decisions = form.decisions()
            refused = [s for s in in_flight if decisions[s.pk] == "move" and s.pk in conflicts]
            for session in refused:
                form.add_error(form.field_name(session), gettext("Can't move this session: %(why)s")
                               % {"why": conflicts[session.pk]})
            if refused:
                form.add_error(None, gettext("Nothing was changed: the new mentor can't take every session you chose "
                                             "to move."))
            else:
                try:
                    outcome = services.reassign_with_sessions(
                        student=student, mentor=new_mentor, reason=form.cleaned_data["reason"], actor=request.user,
                        now=now, decisions=decisions, override_capacity=form.cleaned_data["override_capacity"],
                    )
                except CapacityError as exc:
                    form.add_error("override_capacity", exc.message)
                except (MentorshipError, SchedulingError) as exc:
                    form.add_error(None, gettext("Nothing was changed: %(why)s") % {"why": exc.message})
                else:
                    moved, cancelled = len(outcome.moved), len(outcome.cancelled)
                    messages.success(
                        request,
                        gettext("%(student)s is now paired with %(mentor)s. Sessions: %(kept)d kept, %(moved)d moved, "
                                "%(cancelled)d cancelled with a refund. The student and the mentors involved have "
                                "been emailed.") % {
                            "student": student.get_full_name(), "mentor": new_mentor.get_full_name(),
                            "kept": len(outcome.kept), "moved": moved, "cancelled": cancelled,
                        },
                    )
                    return redirect("admin:mentorship_studentaccount_change", student.pk)

        names = {m.mentor_id: m.full_name for m in shown}
        rows = [
            SessionRow(s, form[form.field_name(s)], conflicts.get(s.pk), new_mentor is not None,
                       free=[names[pk] for pk, blocked in by_mentor.items() if s.pk not in blocked],
                       blocked_json=json.dumps({str(pk): blocked.get(s.pk, "") for pk, blocked in by_mentor.items()}))
            for s in in_flight
        ]
        total = len(in_flight)
        context["matches"] = [
            MatchRow(m, takes=total - len(by_mentor.get(m.mentor_id, {})) if m.mentor_id in by_mentor else None,
                     total=total)
            for m in context["matches"]
        ]
        context.update({"new_mentor": new_mentor, "session_rows": rows, "shown_count": len(shown)})
        return TemplateResponse(request, "admin/portal/reassign_sessions.html", context,
                                status=400 if posted else 200)
