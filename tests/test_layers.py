"""Data flows one way: corpus → retrieval → assistant → ui/evals → planqa (the command line).

Imports are read from the source with `ast` (every `import`, at the top or inside a function,
except under `if TYPE_CHECKING:`), so a lazy import that reaches up a layer or closes a cycle is
caught as surely as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What each package may import from the project, besides itself.
MAY_IMPORT = {
    "retrieval": set(),
    "assistant": {"retrieval"},
    "ui": {"retrieval", "assistant"},
    "evals": {"retrieval", "assistant"},
    "planqa": {"retrieval", "assistant", "ui", "evals"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for package in MAY_IMPORT for p in sorted((ROOT / package).rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == "TYPE_CHECKING"


def imported_modules(source: str) -> set[str]:
    """The project modules a source imports: `from a.b import c` is a.b.c when that is a module,
    else a.b (relative imports are not used in this project)."""
    tree = ast.parse(source)
    hidden = {id(n) for node in ast.walk(tree) if _type_checking(node) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
    return {m for m in found if m.split(".")[0] in MAY_IMPORT}


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        targets = imported_modules(path.read_text(encoding="utf-8"))
        graph[name] = {t for t in targets if t in MODULES and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            step = next(targets, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_imports_are_read_inside_functions_and_not_under_type_checking():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import retrieval.models\n"
        "if TYPE_CHECKING:\n    from ui.chat import GradioChat\n"
        "def f():\n    from evals import report\n    from assistant.settings import Settings\n"
    )
    assert imported_modules(source) == {"retrieval.models", "evals.report", "assistant.settings"}


def test_cycle_finder_finds_a_cycle_and_only_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_each_package_imports_only_the_layers_below_it():
    upward = [
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        for target in sorted(targets)
        if target.split(".")[0] not in MAY_IMPORT[name.split(".")[0]] | {name.split(".")[0]}
    ]
    assert not upward, upward


def test_assistant_imports_neither_ui_nor_evals():
    assert any(name.startswith("assistant.") for name in MODULES)
    reaching_up = [
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        if name.split(".")[0] == "assistant"
        for target in targets
        if target.split(".")[0] in {"ui", "evals", "planqa"}
    ]
    assert not reaching_up, reaching_up


def test_no_import_cycles_between_project_modules():
    assert cycles(import_graph()) == []
