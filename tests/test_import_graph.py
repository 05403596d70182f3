"""The package's imports run one way: no module cycles, no arrow from a lower layer to a higher one.

Layers, from the bottom up (docs/contributing.md#layers): a module imports from its own package and
from packages of lower layers only; packages that share a layer (the presentation packages report,
api and dashboard; the bundled data of demo and datasets) never import each other. Every import counts:
at module level, inside functions (a lazy import is still an arrow) and under TYPE_CHECKING.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import engagekit

PACKAGE = Path(engagekit.__file__).parent
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("clock", "json_fields", "yamlfile", "browser"),
    ("config",),
    ("store",),
    ("access",),
    ("ingest",),
    ("derive",),
    ("people",),
    ("metrics",),
    ("analyses",),
    ("voc",),
    ("predict",),
    ("health",),
    ("experiments",),
    ("trends",),
    ("frameworks",),
    ("review",),
    ("registry",),  # every family's analyses, by name: what the presentation layers are built from
    ("demo", "datasets"),
    ("report", "api", "dashboard"),  # presentation: what two of them share lives in a layer below
    ("server",),  # the app `engagekit serve` runs: the api with the dashboard
    ("cli",),  # the composition root: builds the server from api and dashboard, writes reports
    ("engagekit", "__main__"),  # the public API (engagekit/__init__.py) and `python -m engagekit`
)
LAYER_OF = {part: index for index, names in enumerate(LAYERS) for part in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """The engagekit modules that the file at `path` imports, relative imports resolved;
    `from package import module` imports that module (one of `modules`), not the package."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            named = {f"{base}.{alias.name}" for alias in node.names}
            found.update(named & modules)
            if named - modules:
                found.add(base)
    return {module for module in found if module == "engagekit" or module.startswith("engagekit.")}


def import_graph() -> dict[str, set[str]]:
    """Module -> the engagekit modules it imports (only names that are modules of the package)."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = frozenset(files)
    return {module: {target for target in imports_of(path, modules) if target in files and target != module}
            for module, path in files.items()}


def part_of(module: str) -> str:
    """The layer unit of a module: its top-level package or module (`engagekit` for the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "engagekit"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
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
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(graph[target]))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return found


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    """Each import from a module into a package of the same or a higher layer (not its own)."""
    arrows = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            source, into = part_of(module), part_of(target)
            if source != into and LAYER_OF[into] >= LAYER_OF[source]:
                arrows.append(f"{module} -> {target}")
    return arrows


def test_every_package_has_a_layer() -> None:
    unplaced = sorted({part_of(module) for module in import_graph()} - set(LAYER_OF))
    assert not unplaced, f"place these in LAYERS (and in docs/contributing.md#layers): {unplaced}"


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_no_import_runs_back_up_or_across_a_layer() -> None:
    assert wrong_way(import_graph()) == []


def test_the_checks_see_a_cycle_and_an_upward_arrow() -> None:
    # A toy graph: metrics imports analyses (up), a and b import each other (a cycle), and the
    # peers api and dashboard import each other (across).
    graph: dict[str, set[str]] = defaultdict(set, {
        "engagekit.metrics.a": {"engagekit.metrics.b", "engagekit.analyses.x"},
        "engagekit.metrics.b": {"engagekit.metrics.a", "engagekit.store"},
        "engagekit.analyses.x": {"engagekit.metrics.a"},
        "engagekit.api.app": {"engagekit.dashboard"},
        "engagekit.dashboard": set(),
        "engagekit.store": set(),
    })
    assert cycles(graph) == [["engagekit.analyses.x", "engagekit.metrics.a", "engagekit.metrics.b"]]
    assert wrong_way(graph) == ["engagekit.api.app -> engagekit.dashboard",
                                "engagekit.metrics.a -> engagekit.analyses.x"]


def test_relative_imports_are_resolved() -> None:
    file = PACKAGE / "demo" / "surveys.py"  # `from .columns import ...`
    assert "engagekit.demo.columns" in imports_of(file, frozenset({"engagekit.demo.columns"}))
