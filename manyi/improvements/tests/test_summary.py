"""Improvement figures for reports, checked against counts made here by hand."""

import datetime

import pytest
from django.utils import timezone

from manyi.improvements import workflow
from manyi.improvements.choices import Status
from manyi.improvements.models import ImprovementAction
from manyi.improvements.summary import improvement_summary

pytestmark = pytest.mark.django_db


def test_counts_overdue_and_on_time_rate(people, raise_one):
    today = timezone.localdate()
    start = timezone.now() - datetime.timedelta(days=40)
    day = datetime.timedelta(days=1)

    def made(title, deadline_in, steps=(), done_days_ago=None):
        improvement = raise_one(title=title, deadline=today + day, now=start)
        for name in steps:
            by = people.hank if name in ("start", "complete", "rework") else people.sam
            workflow.apply(improvement, by, name, "说明")
        fields = {"deadline": today + deadline_in * day}
        if done_days_ago is not None:
            fields["done_at"] = timezone.now() - done_days_ago * day
        ImprovementAction.objects.filter(pk=improvement.pk).update(**fields)
        return improvement

    made("planned, not due", 5)
    made("planned, overdue", -2)
    made("in progress, overdue", -1, ["start"])
    made("done on time", -3, ["start", "complete"], done_days_ago=4)  # done 4 days ago, due 3 days ago
    made("done late", -10, ["start", "complete"], done_days_ago=2)
    made("effective on time", 3, ["start", "complete", "verify_effective"], done_days_ago=1)
    made("closed, late", -20, ["start", "complete", "verify_effective", "close"], done_days_ago=5)
    made("cancelled, overdue", -7, ["cancel"])

    summary = improvement_summary(today=today)
    counts = {row["status"]: row["count"] for row in summary["by_status"]}
    assert counts == {
        Status.PLANNED: 2,
        Status.IN_PROGRESS: 1,
        Status.DONE: 2,
        Status.EFFECTIVE: 1,
        Status.NOT_EFFECTIVE: 0,
        Status.CLOSED: 1,
        Status.CANCELLED: 1,
    }
    assert summary["total"] == 8
    assert {row["source"]: row["count"] for row in summary["by_source"]}["other"] == 8
    assert summary["open"] == 3
    assert summary["overdue"] == 2  # the cancelled one does not count
    # Due: 2 overdue open + 4 done (on time: "done on time", "effective on time") = 2 of 6.
    assert (summary["due"], summary["on_time"]) == (6, 2)
    assert summary["on_time_rate"] == pytest.approx(100 * 2 / 6)
    rows = {row["title"]: row for row in summary["rows"]}
    assert rows["planned, overdue"]["overdue"] is True
    assert rows["done late"]["on_time"] is False
    assert rows["done on time"]["on_time"] is True
    assert rows["planned, not due"]["on_time"] is None


def test_a_queryset_narrows_the_figures_and_nothing_due_gives_no_rate(people, raise_one):
    raise_one(title="A")
    other = raise_one(title="B", owner=people.sam)
    summary = improvement_summary(ImprovementAction.objects.filter(owner=people.sam))
    assert summary["total"] == 1 and summary["rows"][0]["reference"] == other.reference
    assert summary["on_time_rate"] is None
