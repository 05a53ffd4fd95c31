"""The public feedback form is reachable from the staff pages, with a poster to print whose QR
code and address lead to it at the server's own address (SITE_URL)."""

import pytest
import segno
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_ticket_queue_links_the_poster(client_as, people):
    page = client_as(people.sam).get(reverse("tickets:list")).content.decode()
    assert f'href="{reverse("tickets:feedback_poster")}"' in page


def test_the_poster_shows_the_forms_address_at_site_url(client_as, people, settings):
    settings.SITE_URL = "https://manyi.example.com"
    page = client_as(people.sam).get(reverse("tickets:feedback_poster")).content.decode()
    assert 'id="poster-address">https://manyi.example.com/feedback/<' in page
    assert f'src="{reverse("tickets:feedback_qr")}"' in page


def test_the_qr_code_encodes_that_address(client_as, people, settings):
    import io

    settings.SITE_URL = "https://manyi.example.com"
    response = client_as(people.sam).get(reverse("tickets:feedback_qr"))
    assert response["Content-Type"] == "image/svg+xml"
    # The same symbol segno draws for the expected address (and not for another one).
    expected = io.BytesIO()
    segno.make("https://manyi.example.com/feedback/", error="m", micro=False).save(
        expected, kind="svg", scale=8, border=2, xmldecl=False
    )
    assert response.content == expected.getvalue()
    other = io.BytesIO()
    segno.make("http://127.0.0.1:8000/feedback/", error="m", micro=False).save(
        other, kind="svg", scale=8, border=2, xmldecl=False
    )
    assert response.content != other.getvalue()


def test_the_poster_is_for_staff(client_as):
    client = client_as(None)
    for name in ("tickets:feedback_poster", "tickets:feedback_qr"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
