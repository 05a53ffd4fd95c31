"""The apps are layered so a newcomer can draw them: an app imports only apps below it.

    analytics (pure, no Django)
    organisation (the unit tree: group → regions → projects)
    accounts
    customers, surveys
    campaigns
    results (the response data every figure reads: dataset, filters, figures, open answers)
    tickets, dashboards (the dashboard pages read results; tickets never do)
    visits, inspections (a visit or an inspection finding may open a ticket)
    improvements
    reports (a report shows the improvements), forums (a forum's opinion may become a ticket or an improvement)
    evaluation (the yearly scores: the measures over units and employees)
    evidence (the ISO 9001 evidence pack: reads the evaluation's measures)
    api
    operations (the periodic jobs and the demo data: they call into everything)

Apps on one line may not import each other. Tests and migrations are not checked."""

import ast
from pathlib import Path

import pytest

LAYERS = [
    ["analytics"],
    ["organisation"],
    ["accounts"],
    ["customers", "surveys"],
    ["campaigns"],
    ["results"],
    ["tickets", "dashboards"],
    ["visits", "inspections"],
    ["improvements"],
    ["reports", "forums"],
    ["evaluation"],
    ["evidence"],
    ["api"],
    ["operations"],
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
ROOT = Path(__file__).resolve().parent.parent / "manyi"


def imported_apps(path, root=ROOT):
    """(app, line) of every `manyi.<app>` module the file imports, relative imports resolved
    against the file's own package."""
    package = ["manyi", *path.relative_to(root).parts[:-1]]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            names = [".".join(module)] if node.module else [".".join([*module, a.name]) for a in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "manyi" and len(parts) > 1 and parts[1] in LEVEL:
                yield parts[1], node.lineno


def layer_violations(root=ROOT):
    """Every import of an app on the importer's own layer or above it ("path:line (a imports b)")."""
    wrong = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).parts
        if len(relative) < 2 or relative[0] not in LEVEL or "tests" in relative or "migrations" in relative:
            continue
        app = relative[0]
        for other, line in imported_apps(path, root):
            if other != app and LEVEL[other] >= LEVEL[app]:
                wrong.append(f"{path.relative_to(root.parent)}:{line} ({app} imports {other})")
    return wrong


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"analytics"}
    assert apps == set(LEVEL), "put a new app in LAYERS (and in CONTRIBUTING.md)"


def test_no_app_imports_one_above_it_or_beside_it():
    wrong = layer_violations()
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "source",
    [
        "from manyi.dashboards.views import campaign\n",
        "import manyi.dashboards.crosstabs\n",
        "def f():\n    from ..dashboards import model\n",
        "from .. import tickets\n",
    ],
)
def test_the_check_catches_the_results_reading_a_page_or_a_ticket(tmp_path, source):
    results = tmp_path / "manyi" / "results"
    results.mkdir(parents=True)
    (results / "dataset.py").write_text(source, encoding="utf-8")
    (results / "tests").mkdir()
    (results / "tests" / "test_x.py").write_text(source, encoding="utf-8")  # tests may
    assert len(layer_violations(tmp_path / "manyi")) == 1


def test_analytics_stays_pure():
    for path in (ROOT / "analytics").rglob("*.py"):
        if "tests" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        assert "import django" not in source and "from django" not in source, path
