"""Improvement actions (改进措施, REQUIREMENTS §8)."""

from django.urls import path

from . import views

app_name = "improvements"

urlpatterns = [
    path("", views.improvement_list, name="list"),
    path("new/", views.improvement_create, name="create"),
    path("mine/", views.my_actions, name="mine"),
    path("<int:pk>/", views.improvement_detail, name="detail"),
    path("<int:pk>/edit/", views.improvement_edit, name="edit"),
    path("<int:pk>/effect/", views.improvement_effect, name="effect"),
    path("<int:pk>/notify/", views.improvement_notify, name="notify"),
    path("<int:pk>/phone-call/", views.improvement_phone_call, name="phone_call"),
    path("<int:pk>/evidence/add/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:file_pk>/", views.evidence_download, name="evidence"),
    path("<int:pk>/<slug:name>/", views.improvement_transition, name="transition"),
    path("from-ticket/<int:ticket_pk>/link/", views.link_ticket, name="link_ticket"),
]
