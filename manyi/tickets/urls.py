"""Feedback and complaint tickets (issue 5)."""

from django.urls import include, path

from . import poster_views, topic_views, views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("feedback-poster/", poster_views.feedback_poster, name="feedback_poster"),
    path("feedback-poster/qr.svg", poster_views.feedback_qr, name="feedback_qr"),
    path("<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/done/", views.action_complete, name="action_complete"),
    path("<int:pk>/actions/<int:action_pk>/verify/", views.action_verify, name="action_verify"),
    path("<int:pk>/actions/<int:action_pk>/cancel/", views.action_cancel, name="action_cancel"),
    path("<int:pk>/classification/", views.ticket_classify, name="classify"),
    path("<int:pk>/topic/", topic_views.ticket_topic, name="topic"),
    path("topic-suggestion/", topic_views.topic_suggestion, name="topic_suggestion"),
    path("<int:pk>/contact/", views.ticket_contact, name="contact"),
    path("<int:pk>/contact/confirm/", views.customer_confirm, name="customer_confirm"),
    path("<int:pk>/note/", views.note_add, name="note_add"),
    path("<int:pk>/priority/", views.ticket_raise_priority, name="raise_priority"),
    path("<int:pk>/callback/", views.callback_record, name="callback_record"),
    path("<int:pk>/<slug:name>/", views.ticket_transition, name="transition"),
    path("", include("manyi.tickets.attachment_views")),
]
