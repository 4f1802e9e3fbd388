"""Success managers read conversations of students, read-only, and every
opening is recorded in the thread's admin History with the reason given.

The list shows who talks to whom and when, never what they wrote; the
messages appear only after the manager states why they are opening it.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_mixins import ReadOnlyAdmin
from accounts.audit import audit_record

from . import selectors
from .models import Thread


class ReadReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you opening this conversation?"), max_length=500,
        help_text=_("Recorded in the conversation's history with your name and the time."),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": _("Give a reason; it is recorded before the messages are shown.")},
    )


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["student", "mentor", "last_message_at", "blocked"]
    list_select_related = ["student", "mentor"]
    list_filter = [("blocked_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__full_name", "student__email", "mentor__full_name", "mentor__email"]
    ordering = ["-last_message_at"]

    @admin.display(boolean=True, description=_("blocked"))
    def blocked(self, obj):
        return obj.is_blocked

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404("No such conversation.")
        thread = get_object_or_404(Thread.objects.select_related("student", "mentor", "blocked_by"),
                                   pk=object_id)
        form = ReadReasonForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "thread": thread,
                   "title": gettext("Conversation: %(thread)s") % {"thread": thread}, "form": form, "has_view_permission": True,
                   "original": thread}
        if request.method == "POST" and form.is_valid():
            audit_record(actor=request.user, obj=thread,
                         message=f"Read the conversation. Reason: {form.cleaned_data['reason'].strip()}")
            context.update(reason=form.cleaned_data["reason"], viewer=None,
                           **selectors.thread_story(thread, viewer=None, now=timezone.now()))
            return TemplateResponse(request, "admin/conversations/thread/read.html", context)
        return TemplateResponse(request, "admin/conversations/thread/reason.html", context,
                                status=400 if request.method == "POST" else 200)
