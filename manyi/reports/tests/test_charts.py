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


def boxes(figure, gid):
    renderer = figure.canvas.get_renderer()
    return [text.get_window_extent(renderer) for text in figure.axes[0].texts if text.get_gid() == gid]


@pytest.fixture
def figure():
    with charts._rc():
        figure = charts.quadrant_figure(crowded())
        figure.canvas.draw()
        yield figure


def test_no_item_name_overlaps_another_or_a_quadrant_name(figure):
    names = boxes(figure, "item-label")
    assert len(names) == 11
    for a, b in itertools.combinations(names + boxes(figure, "quadrant-name"), 2):
        assert not a.overlaps(b), (a, b)


def test_no_item_name_leaves_the_plot(figure):
    plot = figure.axes[0].get_window_extent(figure.canvas.get_renderer())
    for box in boxes(figure, "item-label"):
        assert plot.x0 <= box.x0 and box.x1 <= plot.x1 and plot.y0 <= box.y0 and box.y1 <= plot.y1, box


def test_a_long_name_is_shortened_with_an_ellipsis(figure):
    texts = [t.get_text() for t in figure.axes[0].texts if t.get_gid() == "item-label"]
    assert "质量问题处理的及时性与彻底性（…" in texts
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
