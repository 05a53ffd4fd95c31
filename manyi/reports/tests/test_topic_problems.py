"""The report's main problems as the open answers name them (issue 18): topics by their number of
actionable complaints (negative or mixed answers naming something concrete, seed 002), with
examples without personal data, and without examples for readers who may not read the answers.

The survey's open answers (reports/tests/conftest.py ANSWERS), counted by hand: "交货太慢，服务
态度一般", "价格太高，交货太慢" and "售后服务响应慢" complain, and so, by the rules, does "请联系我
13812345678 或 wang@example.com" (negative, and 联系 is concrete: a request to be called back,
communication); "服务很好，响应及时" and "非常满意" praise."""

import re

import pytest
from django.urls import reverse

from manyi.reports.figures import report_figures
from manyi.reports.models import Report

pytestmark = pytest.mark.django_db


def new_report(campaign, client):
    assert client.post(reverse("reports:create", args=[campaign.pk])).status_code == 302
    return Report.objects.get(campaign=campaign)


def test_topics_are_listed_by_their_complaints(survey):
    rows = report_figures(survey)["topic_problems"]
    assert rows, "the survey's complaints name topics"
    counts = [row["problems"] for row in rows]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == 4  # the four complaints, each under one topic
    assert {row["code"] for row in rows} == {"delivery", "price", "after_sales", "communication"}
    written = 7  # eight answers, one left blank
    for row in rows:
        assert row["share"] == pytest.approx(row["problems"] / written)
        assert 1 <= len(row["examples"]) <= row["problems"]
    text = " ".join(example for row in rows for example in row["examples"])
    assert "13812345678" not in text and "wang@example.com" not in text


def test_the_section_shows_them_with_examples_to_who_may_read_answers(survey, client_as, people):
    client = client_as(people.sam)
    report = new_report(survey, client)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    table = re.search(r'<table class="table table-sm" id="topic-problems">(.*?)</table>', html, re.S).group(1)
    assert "售后服务响应慢" in table or "交货太慢" in table


def test_a_reader_without_the_answers_sees_counts_without_examples(survey, client_as, people, settings):
    client = client_as(people.sam)
    report = new_report(survey, client)
    survey.confidential = True
    survey.save(update_fields=["confidential"])
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    table = re.search(r'id="topic-problems">(.*?)</table>', html, re.S).group(1)
    assert "交货太慢" not in table and "售后服务响应慢" not in table
    assert re.search(r'<td class="text-end">\d+</td>', table)


def test_a_report_from_before_the_topics_renders_without_them(survey, client_as, people):
    from manyi.reports import publishing

    client = client_as(people.sam)
    report = new_report(survey, client)
    publishing.publish(report, by=people.sam)
    report.refresh_from_db()
    snapshot = dict(report.snapshot)
    del snapshot["topic_problems"]
    Report.objects.filter(pk=report.pk).update(snapshot=snapshot)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "topic-problems" not in html
    assert client.get(reverse("reports:pdf", args=[report.pk])).content.startswith(b"%PDF")


def _problem_topics_in_workbook(client, report):
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx", args=[report.pk])).content))
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        for at, row in enumerate(rows):
            if row and row[0] == "问题类型" and isinstance(row[1], str):  # the topics header
                return {r[0]: r[1:4] for r in rows[at + 1 :] if r and r[0]}
    return None


def test_the_workbook_lists_the_topics_as_the_page_does(survey, client_as, people):
    client = client_as(people.sam)
    report = new_report(survey, client)
    topics = _problem_topics_in_workbook(client, report)
    assert topics is not None, "the main-problems sheet has a topics table"
    assert sum(count for count, _share, _examples in topics.values()) == 4  # the four complaints
    for count, share, examples in topics.values():
        assert share == pytest.approx(count / 7)  # of the seven written answers
        assert examples and "13812345678" not in examples


def test_the_workbook_withholds_the_examples_as_the_page_does(survey, client_as, people):
    client = client_as(people.sam)
    report = new_report(survey, client)
    survey.confidential = True
    survey.save(update_fields=["confidential"])
    topics = _problem_topics_in_workbook(client, report)
    assert topics and sum(count for count, _share, _examples in topics.values()) == 4
    assert all(not examples for _count, _share, examples in topics.values())
