"""Data flows one way: files → loaders → analysis → store → ingest / read → dashboard, cli → pages.
Each layer imports only the layers below it (docs/architecture.md draws them)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ceasefire.config import REPO_ROOT

SRC = REPO_ROOT / "src"
# What each part of the package may import, besides itself; the longest matching prefix decides.
MAY_IMPORT: dict[str, set[str]] = {
    "config": set(),
    "loaders": {"config"},
    "store.schema": {"loaders.schema"},  # the tables, as data: extraction writes frames of its columns
    "analysis": {"config", "loaders", "store.schema"},
    "store": {"config", "loaders.schema", "store.schema"},
    "ingest": {"config", "loaders", "analysis", "store"},
    "fetching": {"config", "loaders", "analysis", "store", "ingest"},
    "read": {"config", "loaders.schema", "analysis", "store"},
    "spark": {"config", "loaders", "analysis", "store", "ingest"},  # the ingest on Spark: ingest's pure helpers on executors
    "dashboard": {"config", "loaders", "analysis", "store", "ingest", "fetching", "read"},
    "cli": {"config", "loaders", "analysis", "store", "ingest", "fetching", "read", "spark"},
}
PAGES_MAY_IMPORT = {"dashboard"}
OLD_TOP_LEVEL = {"config", "store", "cli", "loaders", "analysis", "dashboard"}


def _layer(module: str, layers: set[str]) -> str | None:
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        if ".".join(parts[:size]) in layers:
            return ".".join(parts[:size])
    return None


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, inside functions too, relative ones resolved."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.append((node.lineno, ".".join([*base, node.module or ""]).rstrip(".")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_layer_imports_a_layer_above_it():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module(path)
        if module in ("", "__main__"):
            continue
        layer = _layer(module, set(MAY_IMPORT))
        assert layer, f"{path.relative_to(REPO_ROOT)} belongs to no layer: add it to MAY_IMPORT"
        package = "ceasefire." + (module if path.name == "__init__.py" else module.rpartition(".")[0])
        for line, imported in _imports(path, package.rstrip(".")):
            if not imported.startswith("ceasefire."):
                continue
            module_imported = imported.removeprefix("ceasefire.")
            target = _layer(module_imported, set(MAY_IMPORT))
            if target != layer and not any(module_imported == allowed or module_imported.startswith(allowed + ".")
                                           for allowed in MAY_IMPORT[layer]):
                wrong.append(f"{path.relative_to(REPO_ROOT)}:{line} ({layer}) imports {imported} ({target})")
    assert not wrong, "\n".join(wrong)


def test_pages_import_only_the_dashboard():
    wrong = []
    for path in [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "pages").glob("*.py"))]:
        for line, imported in _imports(path, ""):
            if imported.startswith("ceasefire") and _layer(imported.removeprefix("ceasefire."), PAGES_MAY_IMPORT) is None:
                wrong.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_pages_hold_no_sql():
    for path in [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "pages").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.con\b|\bSELECT |\bFROM [a-z_]+ WHERE", text), path.name


def test_nothing_imports_the_old_top_level_names():
    wrong = []
    for folder in ("src", "pages", "tests", "bench"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            for line, imported in _imports(path, "ceasefire"):
                if imported.split(".")[0] in OLD_TOP_LEVEL:
                    wrong.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_every_query_is_in_the_registry_and_the_command_line_offers_those_of_every_engine():
    import inspect

    from ceasefire.cli.main import AGGREGATIONS
    from ceasefire.read import queries
    from ceasefire.read.registry import REGISTRY

    public = {name for name, function in inspect.getmembers(queries, inspect.isfunction)
              if function.__module__ == queries.__name__ and not name.startswith("_")}
    assert public == set(REGISTRY)
    for name in AGGREGATIONS:
        assert list(inspect.signature(REGISTRY[name].function).parameters)[:2] == ["con", "filters"], name
