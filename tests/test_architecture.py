"""The house as docs/architecture.md draws it: imports run one way, and the paths it names exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# indices' rooms, lowest first: a room imports only from rooms before it (or itself).
STAGES = ("periods", "national", "receive", "validate", "publish", "disseminate", "web")
# Wiring that gathers the stages for Django and Celery.
GATHERERS = {"indices.models", "indices.admin", "indices.apps"}
# ipi_exchange modules that wire the apps in (by import or by dotted name).
WIRING = {"ipi_exchange.urls", "ipi_exchange.celery", "ipi_exchange.settings"}


def product_modules() -> dict[str, set[str]]:
    """Every product module with the project modules it imports (at any depth in the file)."""
    modules: dict[str, set[str]] = {}
    for package in ("ipi_exchange", "countries", "indices"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            imported: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported.add(node.module)
                elif isinstance(node, ast.Import):
                    imported.update(alias.name for alias in node.names)
            modules[name] = {m for m in imported if m.split(".")[0] in modules_roots()}
    return modules


def modules_roots() -> set[str]:
    return {"ipi_exchange", "countries", "indices"}


def stage_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "indices" or len(parts) < 2 or parts[1] not in STAGES:
        return None
    return STAGES.index(parts[1])


def test_apps_depend_one_way():
    for module, imported in product_modules().items():
        for target in imported:
            if module.startswith("countries"):
                assert not target.startswith("indices"), f"{module} imports {target}"
            if module.startswith("ipi_exchange") and module not in WIRING:
                assert target.startswith("ipi_exchange"), f"{module} imports {target}"


def test_no_stage_imports_a_later_one():
    for module, imported in product_modules().items():
        if module in GATHERERS or stage_of(module) is None:
            continue
        for target in imported:
            later = stage_of(target)
            assert later is None or later <= stage_of(module), f"{module} imports {target}"


def test_the_only_import_circles_are_a_service_and_its_task_module():
    graph = product_modules()
    circles = set()
    for start in graph:
        for target in graph[start]:
            if start in graph.get(target, set()) and start < target:
                circles.add((start, target))
    assert circles == {
        ("indices.publish.releases", "indices.publish.tasks"),
        ("indices.validate.sweeper", "indices.validate.tasks"),
    }


def test_every_path_the_architecture_names_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_0-9]*(?:\.py|\.json)?)`", text))
    named |= set(re.findall(r"\b([a-z_]+/[a-z_/]*[a-z_]+\.py)\b", text))
    assert len(named) > 20
    # Paths are written from the repository, an app, or (inside a stage's line) the stage.
    bases = [ROOT, ROOT / "indices", ROOT / "ipi_exchange", ROOT / "countries"]
    bases += [ROOT / "indices" / stage for stage in STAGES]
    bases += [ROOT / "indices" / "disseminate" / "webhooks", ROOT / "indices" / "receive"]
    missing = [
        path
        for path in sorted(named)
        if not path.startswith("shared/") and not any((base / path).exists() for base in bases)
    ]
    assert missing == []
