"""The standard (STANDARD.md) as data: codelists, reference year, rule ids and thresholds.

`standard_vN.json` is the one place the configurable values live. This module reads it as plain
Python (usable without a database); `countries.standard.services.standard_load` copies it into the
database, where members added later extend CL_AREA without a code change.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DEFINITION_DIR = Path(__file__).resolve().parent
CURRENT_VERSION = "1"


@dataclass(frozen=True)
class CodeDefinition:
    code: str
    name: str
    parent: str = ""


@dataclass(frozen=True)
class StandardDefinition:
    # The database key of the standard and its codelists ("1"): a revision (1.1) keeps it, so
    # members added as data stay in its CL_AREA.
    version: str
    title: str
    ref_year: int
    codelists: dict[str, tuple[CodeDefinition, ...]]
    codelist_names: dict[str, str]
    thresholds: dict[str, dict]
    rules: dict[str, dict]
    missing_statuses: frozenset[str]
    aggregate_activities: dict[str, tuple[str, ...]]
    dataflow: dict[str, str] = field(default_factory=dict)
    revision: str = ""  # the text's version, e.g. "1.1" (STANDARD.md's list of changes)

    def codes(self, codelist_id: str) -> frozenset[str]:
        return frozenset(code.code for code in self.codelists[codelist_id])

    def threshold(self, rule_id: str, name: str) -> float:
        return self.thresholds[rule_id][name]


@cache
def load_definition(version: str = CURRENT_VERSION) -> StandardDefinition:
    raw = json.loads((DEFINITION_DIR / f"standard_v{version}.json").read_text(encoding="utf-8"))
    codelists: dict[str, tuple[CodeDefinition, ...]] = {}
    for codelist_id, spec in raw["codelists"].items():
        codes: list[CodeDefinition] = []
        if "codes_from_csv" in spec:
            codes.extend(_codes_from_csv(DEFINITION_DIR / spec["codes_from_csv"]))
        codes.extend(CodeDefinition(code, name) for code, name in spec["codes"])
        codelists[codelist_id] = tuple(codes)
    return StandardDefinition(
        version=raw["version"],
        title=raw["title"],
        ref_year=int(raw["ref_year"]),
        codelists=codelists,
        codelist_names={cid: spec["name"] for cid, spec in raw["codelists"].items()},
        thresholds=raw["thresholds"],
        rules=raw["rules"],
        missing_statuses=frozenset(raw["codelists"]["CL_OBS_STATUS"]["missing_codes"]),
        aggregate_activities={k: tuple(v) for k, v in raw["aggregate_activities"].items()},
        dataflow=raw["dataflow"],
        revision=raw.get("revision", raw["version"]),
    )


def _codes_from_csv(path: Path) -> list[CodeDefinition]:
    """The ISIC reference table: sections have themselves as `section`, divisions their parent."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            CodeDefinition(
                row["code"], row["name"], "" if row["code"] == row["section"] else row["section"]
            )
            for row in csv.DictReader(handle)
        ]
