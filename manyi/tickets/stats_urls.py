"""Ticket statistics; mounted at /tickets/statistics/."""

from django.urls import path

from . import stats_views

app_name = "ticket_stats"

urlpatterns = [
    path("", stats_views.statistics_page, name="page"),
    path("export.xlsx", stats_views.statistics_export, name="export"),
]
