"""The page, the PDF and the ZIP as users get them: who may, which units, what the files hold."""

import datetime
import io
import shutil
import subprocess
import zipfile

import pytest
from django.urls import reverse

from manyi.evidence import rendering
from manyi.evidence.figures import evidence_pack
from manyi.evidence.scope import Period, Scope

pytestmark = pytest.mark.django_db
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}


def download(client, **query):
    return client.get(reverse("evidence:download"), query, **ENGLISH)


def pdf_text(data, tmp_path, name="pack.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def joined(text):
    """The text without its line breaks and spaces (table cells wrap)."""
    return "".join(text.split())


def pdf_links(data, tmp_path):
    path = tmp_path / "links.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdfinfo", "-url", str(path)], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in lines.splitlines()[1:]}


@POPPLER
def test_the_pdf_has_the_standards_sections_and_chinese_in_an_embedded_cjk_font(client_as, actions, tmp_path):
    response = download(client_as(actions.people.alice), **YEAR, unit=actions.tree.garden.pk, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="iso9001-evidence-E1-20250101-20251231.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    for heading in (
        "§9.1.2 Customer satisfaction",
        "§9.3.2 Management review inputs",
        "§10.2 Nonconformity and corrective action",
        "Complaints by month",
        "SLA compliance of the tickets received in the period",
        "Status of the corrective and preventive actions raised in the period",
        "Inspection and mystery-visit results by unit",
        "Improvement actions due or finished in the period",
    ):
        assert heading in text, heading
    assert all(words in joined(text) for words in ("翠湖花园", "密封胶老化", "2025-02-01复查无渗漏"))
    assert "Reporting period: 2025-01-01 – 2025-12-31 · previous period: 2024-01-01 – 2024-12-31" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "pack.pdf")], check=True, capture_output=True, text=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts


@POPPLER
def test_every_table_links_back_to_manyi_with_absolute_addresses(client_as, actions, tmp_path, settings):
    settings.SITE_URL = "https://manyi.example.com"
    response = download(client_as(actions.people.alice), **YEAR, unit=actions.tree.garden.pk, format="pdf")
    links = pdf_links(response.content, tmp_path)
    assert "https://manyi.example.com/tickets/statistics/?start=2025-01-01&end=2025-12-31" in links
    assert "https://manyi.example.com/tickets/statistics/?start=2025-05-01&end=2025-05-31" in links
    assert f"https://manyi.example.com/tickets/{actions.valid.pk}/" in links
    assert "https://manyi.example.com/inspections/results/?year=2025" in links
    assert "https://manyi.example.com/inspections/findings/?status=open" in links
    assert all(link.startswith("https://manyi.example.com/") for link in links)


def test_the_zip_holds_the_pdf_and_a_workbook_of_its_tables(client_as, actions):
    from openpyxl import load_workbook

    response = download(client_as(actions.people.ana), **YEAR, unit=actions.tree.garden.pk, format="zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    stem = "iso9001-evidence-E1-20250101-20251231"
    assert sorted(archive.namelist()) == [f"{stem}.pdf", f"{stem}.xlsx"]
    assert archive.read(f"{stem}.pdf").startswith(b"%PDF")
    book = load_workbook(io.BytesIO(archive.read(f"{stem}.xlsx")), read_only=True)
    assert book.sheetnames[0] == "Evidence pack"
    assert "9.3.2 Complaints by month" in book.sheetnames
    months = list(book["9.3.2 Complaints by month"].values)
    assert months[0] == ("Month", "Tickets", "Source page")
    assert months[1][:2] == ("2025-01", 3)
    # each figure's source page opens by a click, at the address the cell shows
    links = load_workbook(io.BytesIO(archive.read(f"{stem}.xlsx")))["9.3.2 Complaints by month"]
    assert links["C2"].hyperlink.target == links["C2"].value
    assert links["C2"].value.startswith("http") and "/tickets/" in links["C2"].value
    [name] = [name for name in book.sheetnames if name.startswith("10.2 ")]
    register = list(book[name].values)
    assert len(register) == 1 + 3  # three actions on 翠湖花园's tickets
    # the analyst has no right to personal data: the markup-named company is masked there
    assert not any("<script>" in str(cell) for row in register for cell in row)


@POPPLER
def test_a_customer_name_with_markup_is_printed_as_text(client_as, actions, tmp_path):
    """The administrator sees the name as typed: it must reach the PDF as text, not as markup."""
    pack = evidence_pack(
        actions.people.alice,
        Scope.for_user(actions.people.alice, actions.tree.garden),
        Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    )
    html = rendering.pdf_html(pack)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;有限公司" in html
    text = pdf_text(rendering.pdf_bytes(pack), tmp_path)
    assert "<script>alert(1)</script>有限公司" in joined(text)


def test_the_page_offers_the_units_the_user_sees(client_as, actions):
    tree = actions.tree
    page = client_as(tree.eva).get(reverse("evidence:page"), **ENGLISH)
    assert page.status_code == 200
    html = page.content.decode()
    assert "华东区域公司" in html and "翠湖花园" in html
    assert "华南区域公司" not in html and "Whole company" not in html
    whole = client_as(actions.people.ana).get(reverse("evidence:page"), **ENGLISH).content.decode()
    assert "Whole company" in whole and "华南区域公司" in whole


def test_a_region_cannot_get_another_regions_pack(client_as, actions):
    client = client_as(actions.tree.eva)
    assert download(client, **YEAR, unit=actions.tree.river.pk).status_code == 404
    assert download(client, **YEAR, unit=actions.tree.south.pk).status_code == 404
    assert download(client, **YEAR, unit=actions.tree.group.pk).status_code == 404
    refused = download(client, **YEAR, unit="")  # the whole company is not theirs either
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()


@pytest.mark.parametrize("who", ["amy", "hank"])
def test_roles_without_the_capability_get_403(client_as, actions, who):
    client = client_as(getattr(actions.people, who))
    assert client.get(reverse("evidence:page")).status_code == 403
    assert download(client, **YEAR).status_code == 403


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(reverse("evidence:download"), YEAR)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2025-12-31", "end": "2025-01-01"}, "The end date must not be before the start date."),
        ({"start": "2005-01-01", "end": "2025-12-31"}, "Choose a period of at most ten years."),
        ({"start": "0999-01-01", "end": "2025-12-31"}, "Choose dates from 1900 to 2999."),
        ({"start": "yesterday", "end": "2025-12-31"}, "Enter a valid date."),
        ({"start": "2025-01-01", "end": "2025-12-31", "unit": "x"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message(client_as, people, query, message):
    response = download(client_as(people.alice), **query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_download_without_a_choice_goes_to_the_page(client_as, people):
    response = client_as(people.alice).get(reverse("evidence:download"))
    assert response.status_code == 302 and response["Location"] == reverse("evidence:page")


def test_the_menu_shows_the_pack_to_whoever_may_have_it(client_as, people):
    assert 'id="nav-evidence"' in client_as(people.ana).get(reverse("home")).content.decode()
    assert 'id="nav-evidence"' not in client_as(people.amy).get(reverse("home")).content.decode()


def test_text_starting_like_a_formula_is_written_as_text_in_the_workbook(client_as, actions):
    """A customer name, subject or root cause starting with = + - @ never becomes a formula."""
    from openpyxl import load_workbook

    from manyi.customers.masking import FORMULA_PREFIXES
    from manyi.tickets.models import Ticket

    hostile = '=HYPERLINK("http://evil.example/c","华东机械")'
    Ticket.objects.filter(pk=actions.marked.pk).update(subject=hostile, root_cause="+cmd|' /C calc'!A0")
    response = download(client_as(actions.people.alice), **YEAR, unit=actions.tree.garden.pk, format="zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    [name] = [n for n in archive.namelist() if n.endswith(".xlsx")]
    book = load_workbook(io.BytesIO(archive.read(name)))
    texts = [
        cell.value if cell.data_type != "f" else f"={cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) or cell.data_type == "f"
    ]
    assert not [text for text in texts if text.startswith(FORMULA_PREFIXES)]
    assert any(hostile in text for text in texts)
