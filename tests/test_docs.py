"""The README and the guides give commands that work and name what `dev.py serve` offers."""

from __future__ import annotations

import importlib.util
import re

from django.urls import URLPattern

from indices.web.urls import urlpatterns
from tests.workers import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_no_document_says_python_manage_py_outside_a_container():
    # On a developer's machine that python has no virtualenv (and, run from .venv/, starts
    # the embedded servers itself): `python3 dev.py manage ...` is the command that works.
    bare = re.compile(r"(?<![\w/.])python3? manage\.py")
    found = [
        f"{document.name}:{number}: {line.strip()}"
        for document in DOCUMENTS
        for number, line in enumerate(document.read_text().splitlines(), 1)
        if bare.search(line) and "docker compose exec" not in line
    ]
    assert found == []


def test_the_readme_and_the_serve_banner_list_every_web_page():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec and spec.loader
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    banner = dev.banner({}, embedded_mode=True)
    readme = (ROOT / "README.md").read_text()
    pages = [
        "/" + str(pattern.pattern)
        for pattern in urlpatterns
        if isinstance(pattern, URLPattern)
        and "<" not in str(pattern.pattern)
        and str(pattern.pattern) not in ("", "accounts/logout/", "upload/template/")
        # Downloads of what a page shows, and the icon: not pages.
        and not str(pattern.pattern).endswith((".csv", ".xlsx", ".ico"))
    ]
    assert "/accounts/login/" in pages and "/series/" in pages
    for page in pages:
        assert f"http://localhost:8000{page}" in readme, page
        assert f"http://localhost:8000{page} " in banner, page
    for text in (readme, banner):
        assert "var/demo-people.json" in text
    for word in ("`HOST`", "python3 dev.py manage"):
        assert word in readme
