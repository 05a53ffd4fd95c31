"""The ISO 9001 evidence pack (issue 19 point 6); mounted at /evidence/."""

from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", views.pack_page, name="page"),
    path("pack/", views.pack_download, name="download"),
]
