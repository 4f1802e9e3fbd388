from django.urls import path

from . import views, views_flash, views_group

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
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session-notes"),
    path("sessions/<int:pk>/feedback/", views.session_feedback, name="session-feedback"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("settings/pause/", views.pause_requests, name="pause-requests"),
    path("settings/pause/<int:pk>/withdraw/", views.pause_withdraw, name="pause-withdraw"),
    path("groups/", views_group.group_list, name="group-list"),
    path("groups/new/", views_group.group_schedule, name="group-schedule"),
    path("groups/<int:pk>/", views_group.group_detail, name="group-detail"),
    path("groups/<int:pk>/book/", views_group.group_book, name="group-book"),
    path("groups/<int:pk>/leave/", views_group.group_seat_cancel, name="group-seat-cancel"),
    path("groups/<int:pk>/waitlist/join/", views_group.group_waitlist_join, name="group-waitlist-join"),
    path("groups/<int:pk>/waitlist/leave/", views_group.group_waitlist_leave, name="group-waitlist-leave"),
    path("groups/<int:pk>/waitlist/accept/", views_group.group_waitlist_accept, name="group-waitlist-accept"),
    path("groups/<int:pk>/cancel/", views_group.group_cancel, name="group-cancel"),
    path("groups/<int:pk>/edit/", views_group.group_edit, name="group-edit"),
    path("groups/<int:pk>/seats/<int:seat_id>/attendance/", views_group.group_attendance,
         name="group-attendance"),
    path("flash/", views_flash.flash_list, name="flash-list"),
    path("flash/ask/<int:mentor_id>/", views_flash.flash_new, name="flash-new"),
    path("flash/<int:pk>/accept/", views_flash.flash_accept, name="flash-accept"),
    path("flash/<int:pk>/decline/", views_flash.flash_decline, name="flash-decline"),
    path("flash/<int:pk>/counter/", views_flash.flash_counter, name="flash-counter"),
    path("flash/<int:pk>/counter/accept/", views_flash.flash_counter_accept, name="flash-counter-accept"),
    path("flash/<int:pk>/counter/decline/", views_flash.flash_counter_decline, name="flash-counter-decline"),
    path("flash/<int:pk>/withdraw/", views_flash.flash_withdraw, name="flash-withdraw"),
]
