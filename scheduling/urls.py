from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("agenda/", views.agenda, name="agenda"),
]
