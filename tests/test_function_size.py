"""No function of the product or the benchmarks is longer than 80 lines (issue 15).

A function is counted from its ``def`` line to its last line, docstring included. Migrations
are generated and tests tell a story at their own length, so neither is counted. Complexity
(branches, statements) is ruff's job (C901, PLR0912, PLR0915 in pyproject.toml); this test
covers what ruff does not measure: plain length.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 80
SKIPPED_FOLDERS = {"migrations", "tests"}


def long_functions(folder: Path, limit: int = LIMIT) -> list[str]:
    """'path:line name (n lines)' of every function in ``folder``'s Python files over ``limit`` lines."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        if SKIPPED_FOLDERS & set(path.relative_to(folder).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    found.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_in_the_product_or_the_benchmarks_is_over_80_lines():
    found = long_functions(ROOT / "manyi") + long_functions(ROOT / "bench")
    assert not found, f"Functions over {LIMIT} lines (split them into named steps):\n" + "\n".join(found)


def test_the_count_runs_from_the_def_line_to_the_last_line_and_skips_migrations_and_tests(tmp_path):
    body = "\n".join(f"    x{n} = {n}" for n in range(LIMIT - 2))
    short = f'def short():\n    """Docstring."""\n{body}\n'  # exactly LIMIT lines
    long = f'def long():\n    """Doc\n    string."""\n{body}\n'  # LIMIT + 1 lines
    (tmp_path / "code.py").write_text(short + "\n\n" + long.replace("def long", "async def long"))
    for skipped in SKIPPED_FOLDERS:
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "code.py").write_text(long)

    found = long_functions(tmp_path)

    assert len(found) == 1
    assert found[0].endswith(f"long ({LIMIT + 1} lines)")
