import pytest


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


def in_english(client):
    """The test client, asking for English pages (client_as's logout clears the cookie)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
