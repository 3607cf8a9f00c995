"""The rules of the house, checked from the code's own imports (every `import`, also inside functions
and under TYPE_CHECKING):

    knowledge ← index ← bot.settings, bot.texts ← bot.answering ← bot.graph, bot.store ← bot.admin
        ← bot.services ← {bot.slack, bot.teams, bot.web} ← bot.serve ← bot.cli

A part may import its own modules and any part to its left, nothing to its right; the front ends
(Slack, Teams, web) never import each other; `bot.cli` reaches the server only through `bot.serve`.
No module imports itself back through a circle. `knowledge`, `index` and `bot.answering` import no
platform SDK or network library.

Run `python -m tests.architecture` to print the import graph between the parts and any violation
(exit code 1 when there is one); `tests/test_architecture.py` runs the same check in the suite.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "index", "bot")

# Parts from the bottom up; a part may import the parts of lower layers. Parts sharing a layer may not
# import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("knowledge",),
    ("index",),
    ("bot.settings", "bot.texts", "bot.background"),
    ("bot.answering",),
    ("bot.graph", "bot.store"),
    ("bot.admin",),
    ("bot.services",),
    ("bot.slack", "bot.teams", "bot.web"),
    ("bot.serve",),
    ("bot.cli",),
)
PLATFORM_FREE = ("knowledge", "index", "bot.answering")
PLATFORM_LIBRARIES = (
    "slack_sdk", "slack_bolt", "msgraph", "azure", "microsoft_agents", "aiohttp", "httpx", "requests",
    "urllib.request", "sqlalchemy", "psycopg", "websockets",
)


@dataclass(frozen=True)
class Violation:
    importer: str
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported}: {self.why}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """The absolute module names `path` imports (relative imports resolved against `name`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def part_of(module: str) -> str | None:
    """The part a module belongs to: the longest listed part that is it or contains it."""
    best = None
    for layer in LAYERS:
        for part in layer:
            if (module == part or module.startswith(part + ".")) and (best is None or len(part) > len(best)):
                best = part
    return best


def layer_of(part: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def module_graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        graph[name] = {m for m in imports_of(name, path) if m in known and m != name}
    return graph


def part_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = {}
    for importer, imported in graph.items():
        a = part_of(importer)
        if a is None:
            continue
        parts.setdefault(a, set())
        for module in imported:
            b = part_of(module)
            if b is not None and b != a:
                parts[a].add(b)
    return parts


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def violations() -> list[Violation]:
    graph = module_graph()
    found: list[Violation] = []
    for importer, imported in sorted(graph.items()):
        a = part_of(importer)
        if a is None and importer in PACKAGES:
            continue  # a package's own __init__
        if a is None:
            found.append(Violation(importer, "-", "this module belongs to no part of the house; add it to LAYERS"))
            continue
        for module in sorted(imported):
            b = part_of(module)
            if b is None or b == a:
                continue
            if layer_of(b) > layer_of(a):
                found.append(Violation(importer, module, f"{a} may not import {b} (imports point the other way)"))
            elif layer_of(b) == layer_of(a):
                found.append(Violation(importer, module, f"{a} and {b} are side by side and may not import each other"))
    for name, path in sorted(modules().items()):
        part = part_of(name)
        if part in PLATFORM_FREE:
            for module in sorted(imports_of(name, path)):
                if any(module == lib or module.startswith(lib + ".") for lib in PLATFORM_LIBRARIES):
                    found.append(Violation(name, module, f"{part} imports no platform SDK or network library"))
    for group in circles(graph):
        found.append(Violation(group[0], " → ".join(group[1:]), "a circle of imports"))
    return found


def main() -> int:
    graph = module_graph()
    parts = part_graph(graph)
    print("Imports between the parts (a part → the parts it imports):")
    for layer in LAYERS:
        for part in layer:
            print(f"  {part:<14} → {', '.join(sorted(parts.get(part, ()), key=layer_of)) or '-'}")
    found = violations()
    if found:
        print(f"\n{len(found)} violation(s):")
        for violation in found:
            print(f"  {violation}")
        return 1
    print("\nNo circles, no wrong-way imports.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
