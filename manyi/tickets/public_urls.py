"""Public feedback pages (no login); mounted at /feedback/."""

from django.urls import path  # noqa: F401

app_name = "feedback"

urlpatterns = []
