from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_profile, name="settings-profile"),
    path("settings/notifications/", views.settings_notifications, name="settings-notifications"),
    path("settings/calendar/regenerate/", views.calendar_feed_regenerate, name="calendar-regenerate"),
    path("settings/calendar/revoke/", views.calendar_feed_revoke, name="calendar-revoke"),
]
