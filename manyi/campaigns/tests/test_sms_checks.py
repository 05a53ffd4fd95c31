"""The start-up check of the SMS callback secret (manyi.W003): with SMS on, receipts and the
customers' 回复TD退订 replies reach us only at /s/sms/<provider>/<kind>/<SMS_CALLBACK_SECRET>/."""

import pytest

from manyi.campaigns.checks import sms_callback_secret_is_usable

from .conftest import CALLBACK_SECRET


@pytest.mark.parametrize(
    ("secret", "warned"),
    [
        (CALLBACK_SECRET, False),
        ("", True),  # no address at all: opt-out replies are lost
        ("short-1", True),  # guessable
        ("q7/Yp+Vr2kZ9=mX3tW8nL5cB1dF6gH4j", True),  # base64: the address pattern never matches it
    ],
)
def test_sms_on_without_a_usable_callback_secret_is_named_at_start_up(sms_gateway, settings, secret, warned):
    settings.SMS_CALLBACK_SECRET = secret
    assert [w.id for w in sms_callback_secret_is_usable()] == (["manyi.W003"] if warned else [])


def test_sms_off_needs_no_callback_secret(settings):
    settings.SMS_PROVIDER, settings.SMS_CALLBACK_SECRET = "", ""
    assert sms_callback_secret_is_usable() == []


def test_a_secret_the_check_accepts_is_heard_at_its_address(sms_gateway, settings, client):
    settings.SMS_CALLBACK_SECRET = "A" * 16 + "_-9" * 5
    assert sms_callback_secret_is_usable() == []
    url = f"/s/sms/{sms_gateway.provider}/replies/{settings.SMS_CALLBACK_SECRET}/"
    assert client.post(url, b"[]", content_type="application/json").status_code == 200
