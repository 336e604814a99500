"""The layout rules of docs/ARCHITECTURE.md that import-linter's contracts do not cover: no import circle anywhere
(not even inside one subpackage), and every function-level import of a project module says why it is lazy."""
from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("analysis", "integration", "tracker")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)


def _cycle(graph) -> list[str] | None:
    """One import cycle among the project's modules (module-level and function-level imports), or ``None``."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for nxt in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph.modules):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_cycle(graph):
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_planted_cycle(graph):
    graph.add_import(importer="analysis.core.regions", imported="analysis.report.build")
    try:
        cycle = _cycle(graph)
        assert cycle is not None and cycle[0] == cycle[-1] and "analysis.core.regions" in cycle
    finally:
        graph.remove_import(importer="analysis.core.regions", imported="analysis.report.build")


def _function_level_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                    module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    yield module, node.lineno, "\n".join(lines[node.lineno - 1:node.end_lineno])


def test_function_level_imports_say_why_they_are_lazy():
    offenders = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "__init__.py" and path.parent.name == "cli":
                continue  # the dispatcher imports the chosen subcommand by name
            for module, lineno, line in _function_level_imports(path):
                if "# lazy:" not in line:
                    offenders.append(f"{path.relative_to(REPO)}:{lineno}: import of {module} without '# lazy: <why>'")
    assert not offenders, "\n".join(offenders)
