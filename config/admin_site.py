"""The admin site: Django's, except that the list of apps is built only when a page shows it.

Django's `AdminSite.each_context` builds `available_apps` (every registered model, its permissions and its
URLs) for every admin page, for the navigation sidebar. Ours is off (config/urls.py), so no page but the index
reads that list, and the index builds it a second time for its own `app_list`. Here `available_apps` is lazy
and the list is built at most once per request, so the student page and the dashboard no longer pay for it
(a few milliseconds each) and the index pays once.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject


class ManagersAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        memo = request.__dict__.setdefault("_admin_app_lists", {})
        if app_label not in memo:
            memo[app_label] = super().get_app_list(request, app_label)
        return memo[app_label]

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


class ManagersAdminConfig(AdminConfig):
    default_site = "config.admin_site.ManagersAdminSite"
