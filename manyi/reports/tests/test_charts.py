"""The importance-performance chart of the PDF report: no item's name overlaps another, a
quadrant's name or a point, and none is cut off at the plot's edge (issue 16: labels overlapped
and were cut off at the right edge)."""

import itertools
import math

import pytest

from manyi.reports import charts

QUADRANT_NAMES = {
    "improve": "重点改进区",
    "keep": "继续保持区",
    "secondary": "次要改进区",
    "bonus": "锦上添花区",
}


def crowded():
    """Ten items close together (as the seed 001 report's are: 80-85 points, importance
    0.50-0.56) and one at the far right with a long name."""
    names = [
        "产品实物质量",
        "包装运输",
        "交货及时性",
        "价格合理性",
        "售后服务响应",
        "技术支持",
        "产品说明书",
        "安装调试",
        "培训服务",
        "备件供应",
    ]
    points = [
        {
            "label": name,
            "performance": 80 + (n % 5) * 0.6,
            "importance": 0.50 + (n // 2) * 0.012,
            "quadrant": "keep",
        }
        for n, name in enumerate(names)
    ]
    points.append(
        {
            "label": "质量问题处理的及时性与彻底性（含现场服务）",
            "performance": 97.5,
            "importance": 0.56,
            "quadrant": "keep",
        }
    )
    return {
        "points": points,
        "performance_line": 82.0,
        "importance_line": 0.53,
        "labels": QUADRANT_NAMES,
        "source": "derived",
    }


def seed_items():
    """The demo's nine items (seed 000's wording, long names) as its report shows them."""
    rows = [
        ("产品实物质量", 81.2, 0.688, "keep"),
        ("包装方式、运输质量", 81.2, 0.63, "secondary"),
        ("交货时间准确性（包括额外运费）", 81.9, 0.598, "bonus"),
        ("交货数量准确性", 82.1, 0.682, "keep"),
        ("对新产品及改型产品询价时的灵活性", 83.0, 0.669, "keep"),
        ("产品价格与同类供应商相比的合理性", 82.1, 0.574, "bonus"),
        ("在遇到质量问题（对顾客造成的干扰，包括退货）时的反应速度", 80.3, 0.688, "improve"),
        ("遇到问题通知顾客的及时性（包括能力、态度）", 81.2, 0.686, "improve"),
        ("技术开发能力（按顾客进度）", 78.6, 0.697, "improve"),
    ]
    return {
        "points": [
            {"label": name, "performance": x, "importance": y, "quadrant": q} for name, x, y, q in rows
        ],
        "performance_line": 81.29,
        "importance_line": 0.657,
        "labels": QUADRANT_NAMES,
        "source": "derived",
    }


def boxes(figure, gid):
    renderer = figure.canvas.get_renderer()
    return [text.get_window_extent(renderer) for text in figure.axes[0].texts if text.get_gid() == gid]


@pytest.fixture(params=["crowded", "seed_items"])
def figure(request):
    with charts._rc():
        figure = charts.quadrant_figure({"crowded": crowded, "seed_items": seed_items}[request.param]())
        figure.canvas.draw()
        yield figure


def test_no_item_name_overlaps_another_or_a_quadrant_name(figure):
    names = boxes(figure, "item-label")
    assert len(names) in (11, 9)
    for a, b in itertools.combinations(names + boxes(figure, "quadrant-name"), 2):
        assert not a.overlaps(b), (a, b)


def test_no_item_name_leaves_the_plot(figure):
    plot = figure.axes[0].get_window_extent(figure.canvas.get_renderer())
    inside = plot.padded(0.5)  # a label on the edge, in floating point
    for box in boxes(figure, "item-label"):
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), box


def test_a_long_name_is_shortened_with_an_ellipsis(figure):
    texts = [t.get_text() for t in figure.axes[0].texts if t.get_gid() == "item-label"]
    long = [t for t in texts if t.endswith("…")]
    assert long and all(len(t) == charts.LABEL_LENGTH for t in long)
    assert all(len(t) <= charts.LABEL_LENGTH for t in texts)


def test_no_item_name_covers_a_point(figure):
    axes = figure.axes[0]
    dots = axes.collections[0]
    centres = axes.transData.transform(dots.get_offsets())
    # A marker of s points² is sqrt(s) points across.
    radius = math.sqrt(dots.get_sizes()[0]) / 2 * figure.dpi / 72
    for box in boxes(figure, "item-label"):
        for x, y in centres:
            assert not box.padded(radius).contains(x, y), (box, x, y)


def test_charts_are_drawn_once_per_change_of_the_figures(db, monkeypatch):
    """A report page draws its charts (seconds) once per change of the data and language,
    then reads them from the shared cache."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    drawn = []
    real = charts.quadrant

    def counting(figures):
        drawn.append(translation.get_language())
        return real(figures)

    monkeypatch.setitem(charts.CHARTS, "quadrant", counting)
    figures = {"quadrant": crowded(), "generated_at": "2026-12-07T10:00:00+08:00"}
    for name in set(charts.CHARTS) - {"quadrant"}:
        monkeypatch.setitem(charts.CHARTS, name, lambda figures: None)
    with translation.override("zh-hans"):
        first = charts.all_charts(figures)
        # Computed again a minute later, same data: the same charts, not drawn again.
        again = charts.all_charts({**figures, "generated_at": "2026-12-07T10:01:00+08:00"})
    assert first["quadrant"].startswith(b"\x89PNG") and again == first and drawn == ["zh-hans"]
    with translation.override("en"):  # the axis titles are in the reader's language
        english = charts.all_charts(figures)
    assert drawn == ["zh-hans", "en"] and english["quadrant"] != first["quadrant"]
    moved = crowded()
    moved["points"][0]["performance"] = 70.0  # a new answer moved an item
    with translation.override("zh-hans"):
        changed = charts.all_charts({**figures, "quadrant": moved})
    assert drawn == ["zh-hans", "en", "zh-hans"] and changed["quadrant"] != first["quadrant"]


def test_the_periodic_job_draws_a_drafts_charts_before_anyone_opens_it(
    client_as, people, survey, monkeypatch
):
    """The first reader of a draft report waited while its charts were drawn; the periodic job
    draws them when the answers change, and the page then draws nothing."""
    from django.core.cache import cache
    from django.urls import reverse

    from manyi.reports.models import Report
    from manyi.reports.rendering import draw_draft_charts
    from manyi.reports.tests.conftest import answer
    from manyi.testing import make_customer

    cache.clear()
    client_as(people.sam).post(reverse("reports:create", args=[survey.pk]))
    report = Report.objects.get(campaign=survey)
    assert draw_draft_charts() == 1
    assert draw_draft_charts() == 0  # the same figures: nothing to draw
    drawn = []
    real = charts.CHARTS["dimensions"]
    monkeypatch.setitem(charts.CHARTS, "dimensions", lambda figures: drawn.append(1) or real(figures))
    assert client_as(people.ana).get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert drawn == []  # the page found them drawn
    answer(survey, survey.questionnaire, make_customer(name="新客户"), (10, 8, 6), recommend=9)
    assert draw_draft_charts() == 1 and drawn == [1]  # a new answer: drawn again, by the job
