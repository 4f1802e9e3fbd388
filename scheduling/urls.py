from django.urls import path

from . import views, views_flash, views_time_off

app_name = "scheduling"

urlpatterns = [
    path("agenda/services/", views.offered_services, name="offered-services"),
    path("book/<int:mentor_id>/", views.book_mentor, name="book-mentor"),
    path("book/<int:mentor_id>/<int:service_id>/", views.book_slots, name="book-slots"),
    path("book/<int:mentor_id>/<int:service_id>/confirm/", views.book_confirm, name="book-confirm"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session-reschedule"),
    path("sessions/<int:pk>/reschedule/confirm/", views.session_reschedule_confirm, name="session-reschedule-confirm"),
    path("sessions/<int:pk>/session.ics", views.session_ics, name="session-ics"),
    path("sessions/<int:pk>/propose/", views.session_propose, name="session-propose"),
    path("sessions/<int:pk>/propose/confirm/", views.session_propose_confirm, name="session-propose-confirm"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal-accept"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal-decline"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("settings/time-off/", views_time_off.time_off, name="time-off"),
    path("settings/time-off/<int:pk>/delete/", views_time_off.time_off_delete, name="time-off-delete"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session-notes"),
    path("sessions/<int:pk>/feedback/", views.session_feedback, name="session-feedback"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("settings/pause/", views.pause_requests, name="pause-requests"),
    path("settings/pause/<int:pk>/withdraw/", views.pause_withdraw, name="pause-withdraw"),
    path("flash/", views_flash.flash_list, name="flash-list"),
    path("flash/ask/<int:mentor_id>/", views_flash.flash_new, name="flash-new"),
    path("flash/<int:pk>/accept/", views_flash.flash_accept, name="flash-accept"),
    path("flash/<int:pk>/decline/", views_flash.flash_decline, name="flash-decline"),
    path("flash/<int:pk>/counter/", views_flash.flash_counter, name="flash-counter"),
    path("flash/<int:pk>/counter/accept/", views_flash.flash_counter_accept, name="flash-counter-accept"),
    path("flash/<int:pk>/counter/decline/", views_flash.flash_counter_decline, name="flash-counter-decline"),
    path("flash/<int:pk>/withdraw/", views_flash.flash_withdraw, name="flash-withdraw"),
]
