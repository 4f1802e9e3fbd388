"""The admin site: Django's, except that the list of apps is built only when a page shows it, once per set of
permissions, and the index reads its "Recent actions" through a compiled query.

Django's `AdminSite.each_context` builds `available_apps` (every registered model, its permissions and its
URLs) for every admin page, for the navigation sidebar. Ours is off (config/urls.py), so no page but the index
reads that list, and the index builds it a second time for its own `app_list`. Here `available_apps` is lazy
and the list is built at most once per request, so the student page and the dashboard no longer pay for it
(a few milliseconds each) and the index pays once.

The index's list asks every model admin for the user's permissions on every request, as Django does; what it
builds from the answers (the names, sorted in the language, and the URLs) is the same for everyone with the
same answers, so it is kept per process for each set of answers, language and URL configuration
(`_APP_LISTS`), with the list's HTML for each page it is shown on (portal/templatetags/dashboard_tags.py).
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from config.prepared import Prepared


class AppList(list):
    """The index's list of apps, shared by the requests with the same permissions; `html` holds its markup
    per page path, once written."""

    def __init__(self, apps):
        super().__init__(apps)
        self.html = {}


_APP_LISTS: dict[tuple, AppList] = {}
_APP_LISTS_KEPT = 64

# The index's "My actions": what Django's `{% get_admin_log 10 as admin_log for_user user %}` reads (the site's
# log entries with their content type and user, the user's newest ten), compiled once (config/prepared.py).
_RECENT_ACTIONS = None


def _recent_actions() -> Prepared:
    global _RECENT_ACTIONS
    if _RECENT_ACTIONS is None:
        from django.contrib.admin.models import LogEntry

        _RECENT_ACTIONS = Prepared(lambda user: LogEntry.objects.select_related("content_type", "user")
                                   .filter(user__pk=user)[:10], user="int")
    return _RECENT_ACTIONS


class ManagersAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        memo = request.__dict__.setdefault("_admin_app_lists", {})
        if app_label not in memo:
            memo[app_label] = (self._whole_app_list(request) if app_label is None
                               else super().get_app_list(request, app_label))
        return memo[app_label]

    def _whole_app_list(self, request) -> AppList:
        # The same questions as Django's _build_app_dict, in the same order: the list depends on nothing else.
        answers = []
        for model, model_admin in self._registry.items():
            has_module_perms = model_admin.has_module_permission(request)
            perms = tuple(model_admin.get_model_perms(request).items()) if has_module_perms else ()
            answers.append((model._meta.label, has_module_perms, perms))
        key = (tuple(answers), self.name, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        found = _APP_LISTS.get(key)
        if found is None:
            if len(_APP_LISTS) >= _APP_LISTS_KEPT:
                _APP_LISTS.clear()
            found = _APP_LISTS[key] = AppList(super().get_app_list(request))
        return found

    def each_context(self, request):
        # Django 5.2's each_context, with `available_apps` built on first use.
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: self.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }

    def index(self, request, extra_context=None):
        response = super().index(request, extra_context)
        response.context_data["log_entries"] = _LogEntries(response.context_data["log_entries"])
        return response


class _LogEntries:
    """The index's `log_entries`: Django's sidebar reads `log_entries.filter(user__pk=<id>)[:10]`
    ({% get_admin_log 10 as admin_log for_user user %}), which is `_recent_actions()`; anything else is asked of
    the queryset itself."""

    def __init__(self, queryset, user=None):
        self._queryset, self._user = queryset, user

    def filter(self, *args, **kwargs):
        if not args and set(kwargs) == {"user__pk"} and self._user is None:
            return _LogEntries(self._queryset, kwargs["user__pk"])
        return self._everything().filter(*args, **kwargs)

    def _everything(self):
        return self._queryset if self._user is None else self._queryset.filter(user__pk=self._user)

    def __getitem__(self, key):
        if (self._user is not None and isinstance(key, slice) and key.start is None and key.stop == 10
                and key.step is None):
            return _recent_actions().fetch({"user": int(self._user)})
        return self._everything()[key]

    def __getattr__(self, name):
        return getattr(self._everything(), name)


class ManagersAdminConfig(AdminConfig):
    default_site = "config.admin_site.ManagersAdminSite"
