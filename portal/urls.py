from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("agenda/", views.agenda, name="agenda"),
    path("my-students/", views.my_students, name="my-students"),
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:mentor_id>/", views.mentor_detail, name="mentor-detail"),
    path("settings/notifications/", views.settings_notifications, name="settings-notifications"),
    path("settings/calendar/regenerate/", views.calendar_feed_regenerate, name="calendar-regenerate"),
    path("settings/calendar/revoke/", views.calendar_feed_revoke, name="calendar-revoke"),
]
