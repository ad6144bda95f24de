"""Every file of the corpus raises the rules its manifest names; every good file passes."""

import pytest

from tests.indices.corpus import accept, load_concordances, manifest, submit_and_validate

ENTRIES = manifest()


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_file(entry):
    load_concordances(entry.get("division_weights"))
    agency = entry.get("agency", "TH_OIE")
    for earlier in entry.get("before", []):
        accept(earlier, agency)
    submission = submit_and_validate(entry["file"], agency)
    findings = list(submission.findings.all())
    found_rules = {f.rule_id for f in findings}
    report = [(f.rule_id, f.row, f.sheet, f.cell, f.column, f.value, f.message) for f in findings]
    assert set(entry["expect"]) <= found_rules, report
    if "errors" in entry:
        assert submission.summary["errors"] == entry["errors"], report
    if "format" in entry:
        assert submission.detected_format == entry["format"]
    for pinned in entry.get("cells", []):
        matches = _matching(findings, pinned)
        assert matches, (pinned, report)
        assert all(f.message for f in matches)
    for forbidden in entry.get("absent", []):
        assert not _matching(findings, forbidden), (forbidden, report)


PINNABLE = ("row", "column", "value", "sheet", "cell", "time_period", "series_key")


def _matching(findings, pattern: dict) -> list:
    return [
        f
        for f in findings
        if f.rule_id == pattern["rule"]
        and all(getattr(f, key) == pattern[key] for key in PINNABLE if key in pattern)
    ]


def test_the_corpus_is_large_enough():
    bad = [e for e in ENTRIES if e["file"].startswith("bad/")]
    rules = {rule for e in bad for rule in e["expect"]}
    assert len(bad) >= 30
    assert rules >= {f"E0{i}" for i in range(1, 10)} | {f"W0{i}" for i in range(1, 10)}
    formats = {e.get("format") for e in ENTRIES if e["file"].startswith("good/")}
    assert formats >= {
        "csv-long",
        "csv-wide",
        "xlsx-long",
        "xlsx-wide",
        "sdmx-csv-1.0",
        "sdmx-csv-2.0",
        "json",
    }
