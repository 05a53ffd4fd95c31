"""The satisfaction callback's public page (no login); mounted at /feedback/callback/."""

from django.urls import re_path

from . import callback_views

app_name = "ticket_callback"

urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,64})/$", callback_views.answer, name="answer"),
]
