"""The report's charts, drawn on the server with matplotlib in a CJK font (PNG bytes).

Each function takes the report's figures (figures.report_figures, or a published snapshot)
and returns PNG bytes, or None when there is nothing to draw. matplotlib's object API is used
(no pyplot): it keeps no global state, so requests may draw at the same time.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from manyi.analytics import text

DPI = 120
COLORS = {"bar": "#2f6db5", "target": "#c0392b", "line": "#2f6db5", "grid": "#dddddd"}
QUADRANT_COLORS = {
    "improve": "#c0392b",
    "undecided": "#e6a5a0",
    "keep": "#27ae60",
    "secondary": "#7f8c8d",
    "bonus": "#2980b9",
}

_font = {}
_font_lock = threading.Lock()


def _family():
    """The CJK font family, registered with matplotlib once per process."""
    with _font_lock:
        if "family" not in _font:
            from matplotlib import font_manager

            choice = text.find_cjk_font()
            font_manager.fontManager.addfont(choice.path)
            names = [f.name for f in font_manager.fontManager.ttflist if f.fname == choice.path]
            preferred = [name for name in names if name.endswith(" SC") and "Mono" not in name]
            _font["family"] = (preferred or names or ["sans-serif"])[0]
        return _font["family"]


def _figure(width=6.4, height=3.4):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    return figure


def _png(figure):
    out = io.BytesIO()
    figure.savefig(out, format="png", bbox_inches="tight")
    return out.getvalue()


def _style(axes):
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.grid(axis="x", color=COLORS["grid"], linewidth=0.6)
    axes.set_axisbelow(True)


def _rc():
    from matplotlib import rc_context

    return rc_context(
        {"font.family": _family(), "font.size": 9, "axes.unicode_minus": False, "svg.fonttype": "none"}
    )


def dimension_bars(figures):
    """Index of each dimension (0-100) as horizontal bars, with the target as a line."""
    rows = [d for d in figures["dimensions"] if d["mean"] is not None]
    overall = figures["overall"]
    if not rows and overall["index"] is None:
        return None
    with _rc():
        labels = [d["title"] for d in rows] + [_("Overall index")]
        values = [d["mean"] for d in rows] + [overall["index"] or 0]
        figure = _figure(6.4, 0.45 * len(labels) + 1.0)
        axes = figure.add_subplot()
        colors = [COLORS["bar"]] * len(rows) + ["#1b3f6b"]
        bars = axes.barh(range(len(labels)), values, color=colors, height=0.6)
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 105)
        for bar, value in zip(bars, values, strict=True):
            axes.text(value + 1, bar.get_y() + bar.get_height() / 2, f"{value:.1f}", va="center")
        if overall["target"] is not None:
            axes.axvline(overall["target"], color=COLORS["target"], linestyle="--", linewidth=1)
            axes.text(
                overall["target"],
                -0.8,
                _("Target %(target)s") % {"target": f"{overall['target']:g}"},
                color=COLORS["target"],
                ha="center",
                fontsize=8,
            )
        axes.set_xlabel(_("Satisfaction (0-100)"))
        _style(axes)
        return _png(figure)


def item_bars(figures):
    """Score of each item (0-100), lowest first, coloured by quadrant when known."""
    rows = sorted((i for i in figures["items"] if i["score"] is not None), key=lambda i: i["score"])
    if not rows:
        return None
    with _rc():
        figure = _figure(6.4, 0.32 * len(rows) + 1.0)
        axes = figure.add_subplot()
        colors = [QUADRANT_COLORS.get(i["quadrant"], COLORS["bar"]) for i in rows]
        bars = axes.barh(range(len(rows)), [i["score"] for i in rows], color=colors, height=0.6)
        axes.set_yticks(range(len(rows)), [f"{i['key']} {i['label']}"[:24] for i in rows])
        axes.set_xlim(0, 105)
        for bar, row in zip(bars, rows, strict=True):
            axes.text(
                row["score"] + 1, bar.get_y() + bar.get_height() / 2, f"{row['score']:.1f}", va="center"
            )
        target = figures["overall"]["target"]
        if target is not None:
            axes.axvline(target, color=COLORS["target"], linestyle="--", linewidth=1)
        axes.set_xlabel(_("Item score (0-100)"))
        _style(axes)
        return _png(figure)


def trend(figures):
    """The index wave by wave (or month by month within a single wave)."""
    waves = figures["waves"]
    if len(waves) >= 2:
        labels = [w["label"] for w in waves]
        values = [w["mean"] for w in waves]
        title = _("Index by wave")
    elif len(figures["trend"]) >= 2:
        labels = [p["period"] for p in figures["trend"]]
        values = [p["mean"] for p in figures["trend"]]
        title = _("Index by month")
    else:
        return None
    with _rc():
        figure = _figure(6.4, 3.0)
        axes = figure.add_subplot()
        axes.plot(range(len(values)), values, marker="o", color=COLORS["line"])
        for x, value in enumerate(values):
            axes.annotate(f"{value:.1f}", (x, value), textcoords="offset points", xytext=(0, 6), ha="center")
        axes.set_xticks(range(len(labels)), labels)
        target = figures["overall"]["target"]
        if target is not None:
            axes.axhline(target, color=COLORS["target"], linestyle="--", linewidth=1)
        low = min(values + ([target] if target is not None else []))
        high = max(values + ([target] if target is not None else []))
        axes.set_ylim(max(0, low - 10), min(100, high + 10))
        axes.set_title(title)
        axes.spines["top"].set_visible(False)
        axes.spines["right"].set_visible(False)
        axes.grid(axis="y", color=COLORS["grid"], linewidth=0.6)
        return _png(figure)


def quadrant(figures):
    """The importance-performance chart (四象限图) with the seed 001 quadrant names."""
    found = figures["quadrant"]
    if not found or not found["points"]:
        return None
    with _rc():
        return _png(quadrant_figure(found))


LABEL_LENGTH = 16  # an item's name on the chart, in characters; longer ones end in "…"


def quadrant_figure(found):
    """The chart's figure (drawn under _rc()). The items' names are moved apart (adjustText)
    so that none overlaps another, a quadrant's name or a point, and none leaves the plot,
    with a thin line to its point when it had to move away from it."""
    from adjustText import adjust_text, get_bboxes_pathcollection
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = _figure(6.4, 4.6)
    FigureCanvasAgg(figure)  # the renderer adjust_text measures the labels with
    axes = figure.add_subplot()
    points = found["points"]
    xs = [p["performance"] for p in points]
    ys = [p["importance"] for p in points]
    x_line, y_line = found["performance_line"], found["importance_line"]
    dots = axes.scatter(
        xs, ys, c=[QUADRANT_COLORS.get(p["quadrant"], "#555555") for p in points], s=28, zorder=3
    )
    axes.axvline(x_line, color="#888888", linewidth=0.8)
    axes.axhline(y_line, color="#888888", linewidth=0.8)
    x_pad = max(2.0, (max(xs) - min(xs)) * 0.15)
    y_pad = max(abs(y_line) * 0.05, (max(ys) - min(ys)) * 0.15, 0.02)
    x0, x1 = min(xs + [x_line]) - x_pad, max(xs + [x_line]) + x_pad
    y0, y1 = min(ys + [y_line]) - y_pad, max(ys + [y_line]) + y_pad
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    corners = _quadrant_names(axes, found["labels"], x0, x1, y0, y1)
    # Each name starts just above its point, centred; adjustText then moves the crowded ones.
    lift = (y1 - y0) * 0.015
    names = [
        axes.text(
            p["performance"],
            p["importance"] + lift,
            _short(p["label"]),
            fontsize=7,
            ha="center",
            va="bottom",
            gid="item-label",
        )
        for p in points
    ]
    # What the names keep clear of: the quadrants' names and every point's marker.
    renderer = figure.canvas.get_renderer()
    keep_clear = [text.get_window_extent(renderer) for text in corners]
    keep_clear += get_bboxes_pathcollection(dots, axes)
    adjust_text(
        names,
        x=xs,
        y=ys,
        objects=keep_clear,
        ax=axes,
        ensure_inside_axes=True,
        expand=(1.2, 1.6),
        # Past 100 steps it only polishes (the demo's nine long names: 1.2 s instead of 0.3 s).
        iter_lim=100,
        arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.5},
    )
    axes.set_xlabel(_("Performance (item score 0-100)"))
    axes.set_ylabel(
        _("Importance (stated by customers)")
        if found["source"] == "stated"
        else _("Importance (correlation with the index)")
    )
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    return figure


def _short(label):
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def _quadrant_names(axes, labels, x0, x1, y0, y1):
    """The quadrants' names (seed 001) in the plot's corners; the texts."""
    corners = {
        "improve": (x0, y1, "left", "top"),
        "keep": (x1, y1, "right", "top"),
        "secondary": (x0, y0, "left", "bottom"),
        "bonus": (x1, y0, "right", "bottom"),
    }
    return [
        axes.text(
            x,
            y,
            labels.get(key, key),
            ha=ha,
            va=va,
            fontsize=10,
            color=QUADRANT_COLORS[key],
            weight="bold",
            gid="quadrant-name",
        )
        for key, (x, y, ha, va) in corners.items()
    ]


def nps_breakdown(figures):
    """Promoters, passives and detractors as one stacked bar with their shares."""
    found = figures["overall"]["nps"]
    if not found or not found["n"]:
        return None
    with _rc():
        figure = _figure(6.4, 1.5)
        axes = figure.add_subplot()
        parts = [
            (_("Detractors (0-6)"), found["detractors"], "#c0392b"),
            (_("Passives (7-8)"), found["passives"], "#bdc3c7"),
            (_("Promoters (9-10)"), found["promoters"], "#27ae60"),
        ]
        left = 0.0
        for label, count, color in parts:
            share = 100.0 * count / found["n"]
            axes.barh([0], [share], left=left, color=color, label=f"{label} {share:.1f}%")
            if share >= 6:
                axes.text(left + share / 2, 0, f"{share:.0f}%", ha="center", va="center", color="white")
            left += share
        axes.set_xlim(0, 100)
        axes.set_yticks([])
        axes.set_title(_("NPS %(score)s (n = %(n)s)") % {"score": f"{found['score']:.1f}", "n": found["n"]})
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, frameon=False, fontsize=8)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        return _png(figure)


def scree(figures):
    """The scree plot of the structure analysis: each component's eigenvalue, the random data's
    (parallel analysis, 95th percentile) and the line at 1 (Kaiser's criterion). Figures
    published before the structure analysis, or without its factors, draw none."""
    factor = (figures.get("structure") or {}).get("factor")
    if not factor:
        return None
    values = factor["chart"]["eigenvalues"]
    random = factor["chart"]["random"]
    numbers = range(1, len(values) + 1)
    with _rc():
        figure = _figure(6.4, 3.0)
        axes = figure.add_subplot()
        axes.plot(numbers, values, marker="o", color=COLORS["line"], label=_("Eigenvalue"))
        if any(v is not None for v in random):
            axes.plot(
                numbers,
                [float("nan") if v is None else v for v in random],
                linestyle="--",
                marker=".",
                color="#7f8c8d",
                label=_("Random data (95th percentile)"),
            )
        axes.axhline(1, color=COLORS["target"], linestyle=":", linewidth=1, label=_("Eigenvalue = 1"))
        axes.set_xticks(list(numbers))
        axes.set_xlabel(_("Component"))
        axes.set_ylabel(_("Eigenvalue"))
        axes.legend(frameon=False, fontsize=8)
        axes.spines["top"].set_visible(False)
        axes.spines["right"].set_visible(False)
        axes.grid(axis="y", color=COLORS["grid"], linewidth=0.6)
        return _png(figure)


def word_cloud(figures):
    """The word cloud (词云图) of the open answers, from the keywords kept in the figures."""
    words = {word: count for word, count in figures["keywords"] if count > 0}
    if not words:
        return None
    return text.word_cloud_png(words, width=800, height=420)


CHARTS = {
    "dimensions": dimension_bars,
    "items": item_bars,
    "trend": trend,
    "quadrant": quadrant,
    "nps": nps_breakdown,
    "wordcloud": word_cloud,
    "scree": scree,
}


# Bump when a chart's drawing changes: the charts kept in the cache are then drawn again.
CHARTS_VERSION = 2
CACHE_SECONDS = 7 * 24 * 3600


def all_charts(figures):
    """name -> PNG bytes (None when the chart has nothing to show).

    Drawing takes seconds (matplotlib, the word cloud, moving the labels apart), and a report
    page is opened again and again on the same figures: the charts are kept in the shared
    cache under the figures' digest and the language, so they are drawn once per change of
    the data, not once per page view."""
    return _kept_or_drawn(figures)[0]


def draw_unless_kept(figures):
    """Draw and keep the charts of these figures unless they are kept already; whether it drew."""
    return _kept_or_drawn(figures)[1]


def _kept_or_drawn(figures):
    """(charts, whether they were drawn now): one digest and one cache read per call."""
    key = _cache_key(figures)
    drawn = cache.get(key)
    if drawn is not None:
        return drawn, False
    drawn = {name: draw(figures) for name, draw in CHARTS.items()}
    cache.set(key, drawn, CACHE_SECONDS)
    return drawn, True


def _cache_key(figures):
    """The figures' digest without the moment they were computed (which alone never changes a chart)."""
    stable = {name: value for name, value in figures.items() if name != "generated_at"}
    text = json.dumps(stable, sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"report-charts:{CHARTS_VERSION}:{get_language()}:{digest}"
