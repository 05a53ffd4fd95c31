"""Ticket statistics; mounted at /tickets/statistics/."""

from django.urls import path  # noqa: F401

app_name = "ticket_stats"

urlpatterns = []
