"""Public pages for respondents (no login), mounted at /s/."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("a/<str:public_token>/", public_views.anonymous, name="anonymous"),
    path("a/<str:public_token>/thanks/", public_views.anonymous_thanks, name="anonymous_thanks"),
    path("<str:token>/", public_views.answer, name="answer"),
    path("<str:token>/thanks/", public_views.thanks, name="thanks"),
    path("<str:token>/optout/", public_views.optout, name="optout"),
]
