"""How the tickets app holds together: one door to a ticket's history, no import cycles.

Read from the source (``ast``), imports inside functions included: a cycle hidden in a
function still makes the modules impossible to read one at a time.
"""

import ast
from pathlib import Path

import manyi

ROOT = Path(manyi.__file__).resolve().parent


def _sources(*apps):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path


def _module(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """The manyi modules ``path`` imports, relative imports resolved."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def _cycle(graph):
    """One import cycle of ``graph`` (module → imported modules) as a list, or None."""
    done, path = set(), []

    def visit(module):
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph[module]):
            found = visit(imported)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return None


def test_the_tickets_modules_import_each_other_without_a_cycle():
    paths = list(_sources("tickets", "api"))
    modules = {_module(path) for path in paths}
    graph = {_module(path): _imports(path) & modules - {_module(path)} for path in paths}
    assert _cycle(graph) is None


def test_answering_a_survey_does_not_import_the_tickets_app():
    """Campaigns sits below tickets: the low-score rule is registered by TicketsConfig.ready()."""
    imported = _imports(ROOT / "campaigns" / "answering.py")
    assert not {module for module in imported if module.startswith("manyi.tickets")}


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _event_writes(path):
    """Lines of ``path`` that make a TicketEvent other than through ``Ticket.new_event``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        # bulk_create is left out: what it saves was built by a call this catches.
        on_manager = name.startswith("TicketEvent.objects.") or name.endswith("events.create")
        if name == "TicketEvent" or (on_manager and name.endswith("create") and "bulk" not in name):
            lines.append(node.lineno)
    return lines


def test_a_tickets_history_is_written_through_one_door():
    """Only ``Ticket.new_event`` builds an event (``record_event`` saves it; the SLA sweep
    bulk-saves the events it built; on PostgreSQL the sweep's one statement inserts them, which
    test_escalation compares with the ORM path)."""
    writers = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources("tickets", "api", "campaigns", "customers", "improvements")
        for line in _event_writes(path)
    }
    new_event = next(
        node
        for node in ast.walk(ast.parse((ROOT / "tickets" / "models.py").read_text()))
        if isinstance(node, ast.FunctionDef) and node.name == "new_event"
    )
    assert writers == {f"tickets/models.py:{new_event.body[-1].lineno}"}
