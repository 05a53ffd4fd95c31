"""Public feedback pages (no login); mounted at /feedback/."""

from django.urls import path, re_path

from . import public_views

app_name = "feedback"

urlpatterns = [
    path("", public_views.feedback, name="form"),
    re_path(r"^thanks/(?P<reference>FK-\d{4}-\d{6})/$", public_views.thanks, name="thanks"),
    path("status/", public_views.status, name="status"),
]
