"""Feedback and complaint tickets (issue 5)."""

from django.urls import include, path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/<slug:name>/", views.ticket_transition, name="transition"),
    path("", include("manyi.tickets.attachment_views")),
]
