from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_profile, name="settings-profile"),
    path("language/", views.set_language, name="set-language"),
]
