"""Writing a benchmark's results into docs/benchmarks.md, each script in its own section
between HTML-comment markers, so reruns replace their section and leave the others."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(marker_name: str, report: str, path: Path = BENCHMARKS) -> None:
    marker = f"<!-- {marker_name} -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    section = f"{marker}\n{report}{marker}\n"
    if marker in text:
        before, _, rest = text.partition(marker)
        _, _, after = rest.partition(marker)
        text = before + section + after.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
