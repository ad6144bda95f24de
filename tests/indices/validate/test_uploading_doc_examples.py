"""The example findings of docs/uploading.md are what the exchange really says: each example line
of section 6 ("rule | where | column | value | message") and the JSON finding of section 5 are
produced here by uploading the file they describe (a corpus file, or a few inline bytes)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from unittest import mock

import pytest

from countries.models import Agency
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.apis import FindingSerializer
from indices.validate.models import Finding
from indices.validate.services import submission_validate
from tests.indices.corpus import accept, load_concordances, manifest, submit_and_validate

DOC = Path(__file__).resolve().parents[3] / "docs" / "uploading.md"
# "Today" for E05, E08 and W07, whose messages name it.
NOW = dt.datetime(2025, 8, 20, 3, 0, tzinfo=dt.UTC)
EXAMPLE_LINE = re.compile(r"^[EW]0\d \| ")

# Uploads that are not corpus files: (agency, bytes, load the corpus concordances).
INLINE = {
    # A country whose national classification has no concordance yet.
    "nat_code_without_concordance": (
        "TH_OIE",
        b"REF_AREA,NAT_CODE,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,2910,2024-01,101.3,2021\n",
        False,
    ),
}

# (upload, rule, where): the finding each example line shows, in the order of the guide.
EXAMPLES = [
    ("bad/e01_empty.csv", "E01", "-"),
    ("bad/e01_header_only.csv", "E01", "row 1"),
    ("bad/e01_blank_template.xlsx", "E01", "row 1"),
    ("bad/e01_title_rows.csv", "E01", "row 1"),
    ("bad/e01_zip_not_workbook.xlsx", "E01", "-"),
    ("bad/e01_legacy.xls", "E01", "-"),
    ("bad/e01_invalid_utf8.csv", "E01", "row 2"),
    ("bad/e01_utf16_no_bom.csv", "E01", "-"),
    ("bad/e02_unknown_column.csv", "E02", "row 1"),
    ("bad/e02_missing_base_per.csv", "E02", "row 1"),
    ("bad/e02_activity_and_nat_code.csv", "E02", "row 4"),
    ("bad/e03_activity_99.csv", "E03", "row 10"),
    ("bad/e03_adjustment_x.csv", "E03", "row 3"),
    ("bad/e03_unknown_nat_code.csv", "E03", "row 8"),
    ("nat_code_without_concordance", "E03", "row 2"),
    ("bad/e03_wide_activity.xlsx", "E03", "MPI!B3"),
    ("bad/e04_ref_area_vn.csv", "E04", "row 2"),
    ("bad/e05_month_13.csv", "E05", "row 7"),
    ("bad/e05_text_month.csv", "E05", "row 7"),
    ("bad/e05_freq_mismatch.csv", "E05", "row 7"),
    ("bad/e05_future.csv", "E05", "row 7"),
    ("bad/e06_nan.csv", "E06", "row 4"),
    ("bad/e06_thousands_separator.csv", "E06", "row 4"),
    ("bad/e06_decimal_comma.csv", "E06", "row 3"),
    ("bad/e06_zero.csv", "E06", "row 4"),
    ("bad/e06_empty_status_a.csv", "E06", "row 4"),
    ("bad/e06_value_with_status_m.csv", "E06", "row 4"),
    ("bad/e06_long.xlsx", "E06", "MPI!E11"),
    ("bad/e07_duplicate.csv", "E07", "row 6"),
    ("bad/e08_base_two_digits.csv", "E08", "row 2"),
    ("bad/e08_two_base_years.csv", "E08", "row 5"),
    ("bad/e09_base_mean_103.csv", "E09", "row 2"),
    ("bad/w01_unusual_movement.csv", "W01", "row 78"),
    ("bad/w02_adjusted_jump.csv", "W02", "row 5"),
    ("bad/w03_year_on_year.csv", "W03", "row 16"),
    ("bad/w04_revision.csv", "W04", "row 2"),
    ("bad/w05_gap.csv", "W05", "row 5"),
    ("bad/w06_flat_line.csv", "W06", "row 4"),
    ("bad/w07_late.csv", "W07", "row 7"),
    ("bad/w08_stale_base.csv", "W08", "row 7"),
    ("bad/w09_section_vs_divisions.csv", "W09", "row 3"),
]


def doc_example_lines() -> list[str]:
    return [
        line for line in DOC.read_text(encoding="utf-8").splitlines() if EXAMPLE_LINE.match(line)
    ]


def example_line(finding: Finding) -> str:
    """A finding as the guide writes it; "-" where the finding has nothing."""
    if finding.sheet and finding.cell:
        where = f"{finding.sheet}!{finding.cell}"
    else:
        where = f"row {finding.row}" if finding.row else "-"
    parts = [finding.rule_id, where, finding.column or "-", finding.value or "-", finding.message]
    return " | ".join(parts)


def upload(source: str) -> Submission:
    if source in INLINE:
        agency, data, concordances = INLINE[source]
        if concordances:
            load_concordances()
        submission, _ = submission_create(
            agency=Agency.objects.get(pk=agency),
            credential=None,
            chunks=[data],
            original_name=f"{source}.csv",
            media_type="text/csv",
            options=SubmissionOptions(),
        )
        submission_validate(submission.pk)
        submission.refresh_from_db()
        return submission
    (entry,) = [e for e in manifest() if e["file"] == source]
    load_concordances(entry.get("division_weights"))
    for earlier in entry.get("before", []):
        accept(earlier, entry["agency"])
    return submit_and_validate(source, entry["agency"])


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "rule", "where"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_example_is_the_real_finding(source, rule, where):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        submission = upload(source)
    lines = [example_line(f) for f in submission.findings.filter(rule_id=rule)]
    (line,) = {line for line in lines if line.split(" | ")[1] == where}
    assert line in doc_example_lines(), line


def test_every_example_line_of_the_guide_is_checked():
    lines = doc_example_lines()
    assert len(lines) == len(set(lines)) == len(EXAMPLES)
    assert [line.split(" | ")[:2] for line in lines] == [
        [rule, where] for _, rule, where in EXAMPLES
    ]


@pytest.mark.django_db
def test_the_json_finding_is_the_real_one():
    text = DOC.read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(\{\"rule\".*?)```", text, re.DOTALL)
    submission = upload("bad/e06_long.xlsx")
    finding = submission.findings.get(rule_id="E06", cell="E11")
    assert json.loads(block) == FindingSerializer(finding).data
