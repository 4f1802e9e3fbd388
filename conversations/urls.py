from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.thread_detail, name="thread"),
    path("inbox/<int:pk>/send/", views.thread_send, name="send"),
    path("inbox/<int:pk>/messages/", views.thread_messages, name="messages"),
    path("inbox/<int:pk>/block/", views.thread_block, name="block"),
    path("inbox/<int:pk>/unblock/", views.thread_unblock, name="unblock"),
    path("inbox/with/<int:user_id>/", views.thread_with, name="with"),
    path("inbox/ask/<int:mentor_id>/", views.ask_meeting, name="ask"),
]
