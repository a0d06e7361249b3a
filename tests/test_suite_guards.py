"""Guards on the test suite itself: a test module must fail, not skip, when a project module is missing."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _module_level_importorskips(path: Path) -> list[str]:
    """The project modules (`app.*`, `etl.*`) a test file imports with a module-level `pytest.importorskip`."""
    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "importorskip" and call.args
                    and isinstance(call.args[0], ast.Constant) and str(call.args[0].value).startswith(("app", "etl"))
                    and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))):
                out.append(str(call.args[0].value))
    return out


def test_no_test_module_skips_when_a_project_module_is_missing():
    found = {p.name: _module_level_importorskips(p) for p in sorted(TESTS.rglob("test_*.py"))}
    assert {name: mods for name, mods in found.items() if mods} == {}


def test_the_guard_sees_a_module_level_importorskip(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text('import pytest\nqueries = pytest.importorskip("app.queries")\n'
                      'def test_x():\n    pytest.importorskip("etl.demo")\n', encoding="utf-8")
    assert _module_level_importorskips(sample) == ["app.queries"]
