"""The demo's improvement tells the same numbers as the dashboard (issue: one consistent story):
the score before is the item's score on the first wave's dashboard, the score after the same
item's score on the wave it was measured in, whatever the demo loaded after it."""

from io import StringIO

import pytest
from django.core.management import call_command

from manyi.dashboards import dataset as dataset_module
from manyi.dashboards.filters import Selection
from manyi.dashboards.summary import dashboard_summary
from manyi.improvements.models import ImprovementAction


@pytest.fixture
def demo(db, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    dataset_module.forget()
    call_command("load_demo", stdout=StringIO())
    yield
    dataset_module.forget()


def item_score(campaign, key):
    rows = dashboard_summary(campaign, Selection())["items"]
    return next(row["score"] for row in rows if row["key"] == key)


def test_the_demo_improvement_quotes_the_dashboards_scores(demo):
    improvements = ImprovementAction.objects.exclude(item_key="")
    assert improvements.exists()
    for improvement in improvements:
        shown = item_score(improvement.campaign, improvement.item_key)
        assert improvement.baseline_score == pytest.approx(shown)
        assert f"得分{shown:.1f}" in improvement.problem
        if improvement.measured_campaign_id:
            assert improvement.measured_score == pytest.approx(
                item_score(improvement.measured_campaign, improvement.item_key)
            )
