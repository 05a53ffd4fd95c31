"""Public pages for respondents (no login): /s/<token>/ …"""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns = []
