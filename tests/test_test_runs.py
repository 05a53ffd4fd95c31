"""scripts/test.sh's two runs (SQLite first, PostgreSQL second) share the suite out: every test
lands in at least one, a test that reaches the database in both, and the browser tests in
exactly one, two in the first for one in the second (conftest.py)."""

from types import SimpleNamespace

import pytest

import conftest


class FakeItem:
    def __init__(self, name, fixtures=(), markers=()):
        self.name, self.fixturenames, self.markers = name, list(fixtures), set(markers)

    def get_closest_marker(self, name):
        return SimpleNamespace(name=name) if name in self.markers else None

    def __repr__(self):
        return self.name


def suite():
    return [
        FakeItem("pure rule"),
        FakeItem("view", ["db", "client"]),
        FakeItem("marked database", markers=["database"]),
        FakeItem("browser 1", ["browser", "live_server", "page"]),
        FakeItem("axe walk", ["browser", "live_server"], markers=["once"]),
        FakeItem("browser 2", ["browser", "live_server", "page"]),
        FakeItem("browser 3", ["browser", "live_server", "page"]),
        FakeItem("browser 4", ["browser", "live_server", "page"]),
    ]


def collected(monkeypatch, run):
    if run is None:
        monkeypatch.delenv("MANYI_TEST_RUN", raising=False)
    else:
        monkeypatch.setenv("MANYI_TEST_RUN", run)
    items, deselected = suite(), []
    config = SimpleNamespace(hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items)))
    conftest.pytest_collection_modifyitems(config, items)
    return [item.name for item in items], [item.name for item in deselected]


def test_the_two_runs_share_the_suite_out(monkeypatch):
    first, first_left = collected(monkeypatch, "first")
    second, second_left = collected(monkeypatch, "second")
    assert first == [
        "pure rule",
        "view",
        "marked database",
        "browser 1",
        "axe walk",
        "browser 2",
        "browser 4",
    ]
    assert second == ["view", "marked database", "browser 3"]
    assert sorted(first + first_left) == sorted(second + second_left) == sorted(i.name for i in suite())
    browser = {name for name in first + second if name.startswith("browser")}
    assert browser == {"browser 1", "browser 2", "browser 3", "browser 4"}
    assert not {"browser 1", "browser 2", "browser 3", "browser 4"} & set(first) & set(second)


@pytest.mark.parametrize("run", [None, "", "third"])
def test_without_a_known_run_every_test_runs(monkeypatch, run):
    names, left = collected(monkeypatch, run)
    assert names == [item.name for item in suite()]
    assert left == []
