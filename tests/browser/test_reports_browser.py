"""Reports in a real browser: the supervisor writes the conclusions and publishes the report;
the analyst (read only) downloads it as PDF and the raw answers from the campaign page."""

import subprocess

import pytest

from manyi.reports.models import Report
from manyi.reports.tests.conftest import ANSWERS, fresh_datasets, hand_index, survey  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_analyst_reads_the_published_report(page, login, people, screenshot, survey, tmp_path):  # noqa: F811
    login(people.sam)
    page.goto(page.base_url + f"/campaigns/{survey.pk}/")
    page.click("#reports-link")
    page.click("#new-report")
    page.wait_for_selector("#report-document")
    index = sum(hand_index(points) for _r, points, _n, _t in ANSWERS) / len(ANSWERS)
    assert page.inner_text("#index") == f"{index:.1f}"
    assert page.is_visible("#draft-mark")

    page.click("#edit-report")
    page.fill("#id_number", "QR2104")
    page.fill("#id_conclusions", "服务态度得分最低，列为急需改进项目。")
    page.click("#save-report")
    page.wait_for_selector("#conclusions-text")
    page.click("#publish")
    page.wait_for_selector("#revise")
    assert not page.is_visible("#draft-mark")
    screenshot("report-published")
    report = Report.objects.get(campaign=survey)
    assert report.is_published and report.version == 1

    page.context.clear_cookies()  # signed out
    login(people.ana)
    page.goto(page.base_url + f"/reports/{report.pk}/")
    assert not page.is_visible("#edit-report") and not page.is_visible("#revise")
    with page.expect_download() as download:
        page.click("#download-pdf")
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert f"{index:.1f}" in text
    assert "服务态度得分最低" in text

    page.goto(page.base_url + f"/campaigns/{survey.pk}/")
    page.click("#export-button")
    with page.expect_download() as download:
        page.click("#export-sav")
    assert download.value.suggested_filename.endswith(".sav")
    import pyreadstat

    saved = tmp_path / "answers.sav"
    download.value.save_as(saved)
    frame, meta = pyreadstat.read_sav(str(saved))
    assert len(frame) == len(ANSWERS)
    assert "Q1 产品性能" in meta.column_labels
