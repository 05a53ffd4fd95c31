"""The address django-axes records for a login."""

import pytest
from django.test import RequestFactory

from manyi.accounts.ratelimit import login_client_ip


def test_a_request_without_an_address_records_none_rather_than_a_word():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert login_client_ip(request) is None


def test_the_client_address_is_recorded(settings):
    settings.TRUSTED_PROXIES = ""
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert login_client_ip(request) == "203.0.113.9"


@pytest.mark.django_db
def test_force_login_is_recorded_on_every_database(client, django_user_model):
    # PostgreSQL keeps the address in an inet column, which refused the word "unknown".
    from axes.models import AccessLog

    user = django_user_model.objects.create_user("ip-less", password="x-long-password-1")
    client.force_login(user)
    assert client.get("/").status_code in (200, 302)
    assert AccessLog.objects.filter(username="ip-less").count() <= 1
