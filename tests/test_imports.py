"""The import graph of ``snpctl``: no cycle anywhere, and the store depends on the domain's types only.

Every module of ``snpctl/`` is parsed (``ast``, not imported): its imports at module level and in
functions alike, relative ones resolved, ``if TYPE_CHECKING:`` blocks left out (they are never
run). An import of ``snpctl.a.b`` counts as an edge to ``snpctl.a.b`` (and ``from snpctl.a import
b`` to ``snpctl.a.b`` when ``b`` is a module, else to ``snpctl.a``), and to the packages above it
that Python runs first (``snpctl.a``'s ``__init__``), but those the importer itself is in.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "snpctl"

# Module edges allowed to close a cycle: none (a new one must be broken, not listed).
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()

# The domain may import the config's typed records, never the TOML reader. Importing
# ``snpctl.config.records`` runs the package's face (``snpctl/config/__init__.py``) first, which loads
# the reader only when one of its names is asked for: ``tests/test_config_layers.py`` proves at run
# time that importing the domain leaves the reader unloaded.
DOMAIN_MAY_IMPORT_FROM_CONFIG = ("snpctl.config.records", "snpctl.config")
DOMAIN_KNOWN: set[tuple[str, str]] = set()

# What the store must not import: the face, the use cases, the report and the decision code.
STORE_MUST_NOT_IMPORT = ("snpctl.report", "snpctl.service", "snpctl.cli", "snpctl.runner", "snpctl.domain.cascade")
STORE_KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth (functions too), but those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                todo.extend(child.orelse)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            todo.append(child)
    return found


def imported_by(name: str, path: Path, known: set[str]) -> set[str]:
    """The ``snpctl`` modules that module ``name`` (at ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    for target in list(targets):  # the packages Python imports before the module
        parts = target.split(".")
        targets.update(".".join(parts[:n]) for n in range(2, len(parts)) if not name.startswith(".".join(parts[:n])))
    return {target for target in targets if target in known and target != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_by(name, path, known) for name, path in found.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as the modules along it (the first one repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = walk(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = walk(node)
            if cycle:
                return cycle
    return None


def test_the_walk_sees_imports_in_functions_and_resolves_relative_ones(tmp_path: Path) -> None:
    edges = graph()
    assert "snpctl.store.chain" in edges["snpctl.store.fold"]  # imported inside a function
    assert "snpctl.store.ledger" not in edges["snpctl.store.fold"]  # only under TYPE_CHECKING
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_snpctl() -> None:
    edges = {
        name: {target for target in targets if (name, target) not in KNOWN_CYCLE_EDGES}
        for name, targets in graph().items()
    }
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_known_edges_still_exist() -> None:
    """Once an edge is gone, take it off its list: the lists must only shrink."""
    edges = graph()
    gone = {(a, b) for a, b in KNOWN_CYCLE_EDGES | DOMAIN_KNOWN | STORE_KNOWN if b not in edges.get(a, set())}
    assert gone == set(), f"take these off the known edges: {sorted(gone)}"


def test_the_domain_imports_the_config_records_only() -> None:
    bad = {
        (name, target)
        for name, targets in graph().items()
        if name.startswith("snpctl.domain")
        for target in targets
        if target.startswith("snpctl.config") and target not in DOMAIN_MAY_IMPORT_FROM_CONFIG
    }
    assert bad - DOMAIN_KNOWN == set(), f"the domain imports the config's reader: {sorted(bad - DOMAIN_KNOWN)}"


def test_the_store_imports_neither_the_face_nor_the_report_nor_decision_code() -> None:
    bad = {
        (name, target)
        for name, targets in graph().items()
        if name.startswith("snpctl.store")
        for target in targets
        if target.startswith(STORE_MUST_NOT_IMPORT)
    }
    assert bad - STORE_KNOWN == set(), f"the store imports what it must not: {sorted(bad - STORE_KNOWN)}"
