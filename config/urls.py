from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog

from portal import views

# The admin logs in through allauth's login, so it shares its rate limits and
# email verification instead of Django's unthrottled admin form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = gettext_lazy("Mentorship — success managers")
admin.site.site_title = gettext_lazy("Mentorship admin")
admin.site.index_title = gettext_lazy("Programme")
# Lists need the width: at 1280 px the navigation sidebar left about 630 px of table.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The scripts' translations (gettext() in static/js), one per language; the cache key includes it.
    path("jsi18n/", cache_page(3600)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("scheduling.urls")),
    path("", include("mentorship.urls")),
    path("", include("conversations.urls")),
    path("credits/", include("credits.urls")),
    path("admin/programme/", include("portal.admin_dashboard")),  # the managers' dashboard, charts and CSV
    path("admin/", admin.site.urls),
]
