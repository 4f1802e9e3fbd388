from django.urls import path

from . import views

app_name = "mentorship"

urlpatterns = [
    path("settings/availability/", views.availability, name="availability"),
    path("settings/learning-goals/", views.interests, name="interests"),
    path("settings/time-off/", views.time_off, name="time-off"),
    path("settings/time-off/<int:pk>/delete/", views.time_off_delete, name="time-off-delete"),
    path("settings/mentor-profile/", views.mentor_profile_edit, name="profile-edit"),
    path("mentors/<int:mentor_id>/photo/", views.mentor_photo, name="mentor-photo"),
]
