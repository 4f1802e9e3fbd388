from django.urls import path

from . import views

app_name = "mentorship"

urlpatterns = [
    path("settings/availability/", views.availability, name="availability"),
    path("settings/availability/dates/<int:pk>/delete/", views.date_override_delete, name="date-override-delete"),
    path("settings/learning-goals/", views.interests, name="interests"),
    path("settings/mentor-profile/", views.mentor_profile_edit, name="profile-edit"),
    path("mentors/<int:mentor_id>/photo/", views.mentor_photo, name="mentor-photo"),
]
