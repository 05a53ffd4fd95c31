"""Public pages for respondents (no login), mounted at /s/."""

from django.urls import path, re_path

from . import public_views
from .channels.sms import CALLBACK_SECRET_PATTERN

app_name = "public"

urlpatterns = [
    # Pushes of the SMS gateway (receipts, replies): the secret in the address is the key.
    re_path(
        rf"^sms/(?P<provider>aliyun|tencent)/(?P<kind>receipts|replies)/(?P<secret>{CALLBACK_SECRET_PATTERN})/$",
        public_views.sms_callback,
        name="sms_callback",
    ),
    path("a/<str:public_token>/", public_views.anonymous, name="anonymous"),
    path("a/<str:public_token>/thanks/", public_views.anonymous_thanks, name="anonymous_thanks"),
    path("<str:token>/", public_views.answer, name="answer"),
    path("<str:token>/thanks/", public_views.thanks, name="thanks"),
    path("<str:token>/optout/", public_views.optout, name="optout"),
    # The short link in an SMS: no trailing slash, so it is never taken for a token.
    path("<str:code>", public_views.short_link, name="short"),
]
