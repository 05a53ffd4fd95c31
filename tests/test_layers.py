"""The apps are layered so a newcomer can draw them: an app imports only apps below it.

    analytics (pure, no Django)
    accounts
    customers, surveys
    campaigns
    dashboards (the response data every figure reads, and the dashboard pages)
    tickets
    visits (a visit may open a ticket)
    improvements
    reports (a report shows the improvements)
    api
    operations (the periodic jobs and the demo data: they call into everything)

Apps on one line may not import each other. Tests and migrations are not checked."""

import ast
from pathlib import Path

LAYERS = [
    ["analytics"],
    ["accounts"],
    ["customers", "surveys"],
    ["campaigns"],
    ["dashboards"],
    ["tickets"],
    ["visits"],
    ["improvements"],
    ["reports"],
    ["api"],
    ["operations"],
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
ROOT = Path(__file__).resolve().parent.parent / "manyi"


def imported_apps(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "manyi" and len(parts) > 1 and parts[1] in LEVEL:
                yield parts[1], node.lineno


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"analytics"}
    assert apps == set(LEVEL), "put a new app in LAYERS (and in CONTRIBUTING.md)"


def test_no_app_imports_one_above_it_or_beside_it():
    wrong = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        if len(relative) < 2 or relative[0] not in LEVEL or "tests" in relative or "migrations" in relative:
            continue
        app = relative[0]
        for other, line in imported_apps(path):
            if other != app and LEVEL[other] >= LEVEL[app]:
                wrong.append(f"{path.relative_to(ROOT.parent)}:{line} ({app} imports {other})")
    assert not wrong, "\n".join(wrong)


def test_analytics_stays_pure():
    for path in (ROOT / "analytics").rglob("*.py"):
        if "tests" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        assert "import django" not in source and "from django" not in source, path
