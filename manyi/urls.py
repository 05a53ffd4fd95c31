from django.contrib import admin
from django.urls import include, path

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("manyi.accounts.urls")),
    path("customers/", include("manyi.customers.urls")),
    path("surveys/", include("manyi.surveys.urls")),
    path("campaigns/entry/", include("manyi.campaigns.entry_urls")),
    path("campaigns/", include("manyi.campaigns.urls")),
    path("dashboards/", include("manyi.dashboards.urls")),
    path("reports/", include("manyi.reports.urls")),
    path("tickets/statistics/", include("manyi.tickets.stats_urls")),
    path("tickets/", include("manyi.tickets.urls")),
    path("improvements/", include("manyi.improvements.urls")),
    path("feedback/callback/", include("manyi.tickets.callback_urls")),
    path("feedback/", include("manyi.tickets.public_urls")),
    path("visits/", include("manyi.visits.urls")),
    path("inspections/", include("manyi.inspections.urls")),
    path("forums/", include("manyi.forums.urls")),
    path("evaluation/", include("manyi.evaluation.urls")),
    path("evidence/", include("manyi.evidence.urls")),
    path("s/", include("manyi.campaigns.public_urls")),
    path("api/", include("manyi.api.urls")),
    path("company/", include("manyi.operations.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "manyi.views.bad_request"
