"""Regenerate the upload corpus: tests/corpus/{good,bad}/, manifest.json, concordances.json.

    .venv/bin/python tests/corpus/make_corpus.py    # from the checkout's root

Deterministic: data come from fixed formulas and seeded random.Random, and every XLSX/zip is
rewritten with fixed entry timestamps and fixed docProps/core.xml dates, so a rerun produces
byte-identical files. The script also re-checks the numbers it writes (E09 base-year means,
W01 robust z-scores, W02/W03 changes, W05 gaps, W06 flat runs, W09 weighted means) with a small
independent model of STANDARD.md section 4, and stops if a good file would raise an error or a
warning file would not raise its warning.

The corpus is test data for the parsers and rules; it imports nothing from the project.
"""

from __future__ import annotations

import io
import itertools
import json
import random
import re
import statistics
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
GOOD = HERE / "good"
BAD = HERE / "bad"
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
FIXED_CORE_TIME = "2024-01-01T00:00:00Z"

LONG = [
    "REF_AREA",
    "ACTIVITY",
    "ADJUSTMENT",
    "FREQ",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "BASE_PER",
    "COMMENT",
]
LONG_NAT = [
    "REF_AREA",
    "NAT_CODE",
    "ADJUSTMENT",
    "FREQ",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "BASE_PER",
    "COMMENT",
]

# --------------------------------------------------------------------------------------------
# The invented TSIC2009 concordance (national code -> ISIC Rev.4 code, base-year VA weight).
# 1011/1072 -> 10, 2211/2219 -> 22, 2610/2620 -> 26 and 3510/3520 -> 35 are combined by H1.
CONCORDANCE = {
    "TSIC2009": [
        {
            "national_code": "C",
            "isic_code": "C",
            "weight": "100.0",
            "national_name": "Manufacturing (MPI total)",
        },
        {
            "national_code": "1011",
            "isic_code": "10",
            "weight": "3.5",
            "national_name": "Processing and preserving of meat",
        },
        {
            "national_code": "1072",
            "isic_code": "10",
            "weight": "4.4",
            "national_name": "Manufacture of sugar",
        },
        {
            "national_code": "1104",
            "isic_code": "11",
            "weight": "2.0",
            "national_name": "Manufacture of soft drinks and bottled water",
        },
        {
            "national_code": "1920",
            "isic_code": "19",
            "weight": "6.3",
            "national_name": "Manufacture of refined petroleum products",
        },
        {
            "national_code": "2211",
            "isic_code": "22",
            "weight": "3.1",
            "national_name": "Manufacture of rubber tyres and tubes",
        },
        {
            "national_code": "2219",
            "isic_code": "22",
            "weight": "2.4",
            "national_name": "Manufacture of other rubber products",
        },
        {
            "national_code": "2610",
            "isic_code": "26",
            "weight": "5.2",
            "national_name": "Manufacture of electronic components and boards",
        },
        {
            "national_code": "2620",
            "isic_code": "26",
            "weight": "4.8",
            "national_name": "Manufacture of computers and peripheral equipment (incl. HDD)",
        },
        {
            "national_code": "2910",
            "isic_code": "29",
            "weight": "7.9",
            "national_name": "Manufacture of motor vehicles",
        },
        {
            "national_code": "D",
            "isic_code": "D",
            "weight": "9.2",
            "national_name": "Electricity, gas, steam and air conditioning supply",
        },
        {
            "national_code": "3510",
            "isic_code": "35",
            "weight": "8.0",
            "national_name": "Electric power generation, transmission and distribution",
        },
        {
            "national_code": "3520",
            "isic_code": "35",
            "weight": "1.2",
            "national_name": "Manufacture of gas; distribution of gaseous fuels through mains",
        },
    ]
}
# Viet Nam's VSIC2018, only so that VN_NSO has a concordance too (no corpus file uses its codes;
# a test harness may attach the W09 division weights of a VN file to it).
CONCORDANCE["VSIC2018"] = [
    {"national_code": c, "isic_code": c, "weight": w, "national_name": n}
    for c, w, n in [
        ("B", "8.1", "Mining and quarrying"),
        ("C", "79.4", "Manufacturing"),
        ("D", "10.3", "Electricity, gas, steam and air conditioning supply"),
        ("E", "2.2", "Water supply; sewerage, waste management and remediation activities"),
    ]
]
NAT_TO_ISIC = {e["national_code"]: e["isic_code"] for e in CONCORDANCE["TSIC2009"]}
NAT_WEIGHT = {e["national_code"]: float(e["weight"]) for e in CONCORDANCE["TSIC2009"]}

# --------------------------------------------------------------------------------------------
# Series generation

# Thai-style seasonal pattern of an N manufacturing index: a Songkran drop in April
# (about -20% on March) and the rebound in May; low February and December.
SEASONAL = [1.00, 0.97, 1.08, 0.86, 1.06, 1.03, 1.02, 1.04, 1.01, 1.00, 1.02, 0.95]


def months(start: str, end: str) -> list[str]:
    y, m = map(int, start.split("-"))
    ey, em = map(int, end.split("-"))
    out = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def series(
    start, end, *, seed, level=100.0, growth=0.02, noise=0.006, seasonal=True, base_year=None
):
    """period -> value (1 decimal). With base_year covered, the 12 months average exactly 100."""
    rnd = random.Random(seed)
    out = {}
    for p in months(start, end):
        y, m = map(int, p.split("-"))
        t = (y - 2021) + (m - 1) / 12
        v = level * (1 + growth) ** t * (SEASONAL[m - 1] if seasonal else 1.0)
        v *= 1 + rnd.uniform(-noise, noise)
        out[p] = v
    if base_year is not None:
        base = [out[f"{base_year}-{m:02d}"] for m in range(1, 13)]
        scale = 100.0 / (sum(base) / 12)
        out = {p: v * scale for p, v in out.items()}
    out = {p: round(v, 1) for p, v in out.items()}
    if base_year is not None:
        # Make the base-year mean exactly 100.0 after rounding (E09) by moving December.
        keys = [f"{base_year}-{m:02d}" for m in range(1, 13)]
        residual = round(1200.0 - sum(out[k] for k in keys), 1)
        out[keys[-1]] = round(out[keys[-1]] + residual, 1)
        assert abs(sum(out[k] for k in keys) - 1200.0) < 1e-6
    return out


def exact_base_mean(vals: dict, year: int) -> None:
    """Move December of `year` so that the 12 months average exactly 100.0 (E09)."""
    keys = [f"{year}-{m:02d}" for m in range(1, 13)]
    vals[keys[-1]] = round(vals[keys[-1]] + 1200.0 - sum(vals[k] for k in keys), 1)
    assert abs(sum(vals[k] for k in keys) - 1200.0) < 1e-6


def fmt(v: float) -> str:
    return f"{v:.1f}"


def rows_of(
    values: dict,
    *,
    activity=None,
    nat=None,
    area="TH",
    adj="N",
    freq="M",
    base="2021",
    status="A",
    comment="",
):
    rows = []
    for p, v in values.items():
        r = {
            "REF_AREA": area,
            "ADJUSTMENT": adj,
            "FREQ": freq,
            "TIME_PERIOD": p,
            "OBS_VALUE": fmt(v) if isinstance(v, float) else v,
            "OBS_STATUS": status,
            "BASE_PER": base,
            "COMMENT": comment,
        }
        if nat is not None:
            r["NAT_CODE"] = nat
        else:
            r["ACTIVITY"] = activity
        rows.append(r)
    return rows


def pin(row: dict, rule: str, column: str, **extra) -> dict:
    row.setdefault("_pins", []).append({"rule": rule, "column": column, **extra})
    return row


# --------------------------------------------------------------------------------------------
# Writers. Each returns the list of pinned findings with file positions.


def csv_field(value: str, delimiter: str) -> str:
    value = "" if value is None else str(value)
    if any(c in value for c in (delimiter, '"', "\n", "\r")) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv_long(
    path, rows, columns, *, delimiter=",", encoding="utf-8", bom=False, header=None, newline="\n"
):
    lines = [delimiter.join(csv_field(h, delimiter) for h in (header or columns))]
    pins = []
    for i, r in enumerate(rows):
        lines.append(delimiter.join(csv_field(r.get(c, ""), delimiter) for c in columns))
        for p in r.get("_pins", []):
            full = {
                "rule": p["rule"],
                "row": i + 2,
                "column": p["column"],
                "value": p.get("value", r.get(p["column"], "")),
            }
            # Where the standard does not fix a finding's column or row, pin only what it does.
            only = p.get("only", ("row", "column", "value"))
            pins.append({k: v for k, v in full.items() if k == "rule" or k in only})
    text = newline.join(lines) + newline
    data = text.encode(encoding)
    if bom:
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    return pins


def wide_table(rows, key_columns):
    """Long rows -> (header, table rows, pins by (row index, column)). Keeps first-seen order."""
    periods, order, table = [], [], {}
    for r in rows:
        key = tuple(r.get(c, "") for c in key_columns)
        if key not in table:
            table[key] = {}
            order.append(key)
        table[key][r["TIME_PERIOD"]] = r
        if r["TIME_PERIOD"] not in periods:
            periods.append(r["TIME_PERIOD"])
    periods.sort()
    return key_columns + periods, [(k, table[k]) for k in order], periods


def write_csv_wide(path, rows, key_columns, *, delimiter=","):
    header, table, periods = wide_table(rows, key_columns)
    lines = [delimiter.join(header)]
    for key, by_period in table:
        cells = list(key) + [by_period[p]["OBS_VALUE"] if p in by_period else "" for p in periods]
        lines.append(delimiter.join(csv_field(c, delimiter) for c in cells))
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return []


def deterministic_zip(
    data: bytes, extra: dict[str, bytes] | None = None, content_types_patch=None
) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + FIXED_CORE_TIME.encode() + rb"\g<3>",
                    body,
                )
            if info.filename == "[Content_Types].xml" and content_types_patch:
                body = content_types_patch(body)
            zi = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
        for name, body in (extra or {}).items():
            zi = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def save_wb(wb: Workbook, path: Path, **kw) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    data = deterministic_zip(buf.getvalue(), **kw)
    path.write_bytes(data)
    return data


def new_wb(title: str) -> Workbook:
    wb = Workbook()
    wb.properties.creator = "ipi_exchange corpus"
    wb.properties.lastModifiedBy = "ipi_exchange corpus"
    wb.active.title = title
    return wb


def typed(column: str, value):
    """How a clerk's workbook holds it: numbers as numbers, codes and periods as text."""
    if column == "OBS_VALUE":
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    if column == "BASE_PER":
        return int(value) if str(value).isdigit() else value
    return value


def write_xlsx_long(path, rows, columns, *, sheet="MPI", extra_sheet=None, **kw):
    wb = new_wb(sheet)
    ws = wb.active
    ws.append(columns)
    pins = []
    for i, r in enumerate(rows):
        ws.append([None if r.get(c, "") == "" else typed(c, r[c]) for c in columns])
        for p in r.get("_pins", []):
            cell = f"{get_column_letter(columns.index(p['column']) + 1)}{i + 2}"
            pins.append(
                {
                    "rule": p["rule"],
                    "sheet": sheet,
                    "cell": cell,
                    "row": i + 2,
                    "column": p["column"],
                    "value": p.get("value", r.get(p["column"])),
                }
            )
    if extra_sheet:
        name, content = extra_sheet
        ws2 = wb.create_sheet(name)
        for line in content:
            ws2.append(line)
    save_wb(wb, path, **kw)
    return pins


def write_xlsx_wide(path, rows, key_columns, *, sheet="MPI"):
    header, table, periods = wide_table(rows, key_columns)
    wb = new_wb(sheet)
    ws = wb.active
    ws.append(header)
    pins = []
    for i, (key, by_period) in enumerate(table):
        line = [typed(c, v) for c, v in zip(key_columns, key, strict=True)]
        line += [
            typed("OBS_VALUE", by_period[p]["OBS_VALUE"]) if p in by_period else None
            for p in periods
        ]
        ws.append(line)
        for p_col, r in [(c, by_period[p]) for p in periods for c in [p] if p in by_period]:
            for p in r.get("_pins", []):
                col = p["column"]
                if col == "OBS_VALUE":
                    col_index, col_name = header.index(p_col), p_col
                else:
                    col_index, col_name = key_columns.index(col), col
                pins.append(
                    {
                        "rule": p["rule"],
                        "sheet": sheet,
                        "cell": f"{get_column_letter(col_index + 1)}{i + 2}",
                        "row": i + 2,
                        "column": col_name,
                        "value": p.get("value", r.get(p["column"])),
                    }
                )
    # one pin per cell (a key-column pin repeats for every period of the row)
    unique = []
    for p in pins:
        if p not in unique:
            unique.append(p)
    save_wb(wb, path)
    return unique


SDMX1 = [
    "DATAFLOW",
    "FREQ",
    "REF_AREA",
    "ACTIVITY",
    "ADJUSTMENT",
    "TRANSFORMATION",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "NAT_BASE_PER",
]
SDMX2 = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "FREQ",
    "REF_AREA",
    "ACTIVITY",
    "ADJUSTMENT",
    "TRANSFORMATION",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_STATUS",
    "NAT_BASE_PER",
    "COMMENT",
]


def sdmx_rows(rows, version):
    out = []
    for r in rows:
        s = dict(r, TRANSFORMATION="IX", NAT_BASE_PER=r["BASE_PER"])
        if version == 1:
            s["DATAFLOW"] = "MKG:DF_IPI(1.0)"
        else:
            s.update(STRUCTURE="dataflow", STRUCTURE_ID="MKG:DF_IPI(1.0)", ACTION="I")
        out.append(s)
    return out


def write_json(path, rows, columns):
    obs = []
    for r in rows:
        o = {}
        for c in columns:
            v = r.get(c, "")
            if v == "" and c in ("COMMENT",):
                continue
            if c == "OBS_VALUE" and v != "":
                v = float(v)
            if c == "BASE_PER":
                v = int(v)
            o[c] = v
        obs.append(o)
    path.write_text(
        json.dumps({"observations": obs}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return []


# --------------------------------------------------------------------------------------------
# A small independent model of the value rules, used to check the corpus itself.


def is_division(code: str) -> bool:
    return code.isdigit()


def series_of(rows):
    """{(freq, area, activity-or-NAT:code, adj): {period: value}} for rows with a value."""
    out: dict = {}
    for r in rows:
        code = r.get("ACTIVITY") or "NAT:" + r.get("NAT_CODE", "")
        key = (r.get("FREQ") or "M", r["REF_AREA"], code, r.get("ADJUSTMENT") or "N")
        if r["OBS_VALUE"] not in ("", None):
            out.setdefault(key, {})[r["TIME_PERIOD"]] = float(r["OBS_VALUE"])
        else:
            out.setdefault(key, {})
    return out


def level_kind(code: str) -> str:
    if code.startswith("NAT:"):
        code = NAT_TO_ISIC.get(code[4:], code[4:])
    return "division" if is_division(code) else "section"


def shift(p: str, k: int) -> str:
    y, m = map(int, p.split("-"))
    n = y * 12 + m - 1 + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def check_values(rows):
    """Return {rule: [(series key, period, detail)]} for E09, W01, W02, W03, W05, W06."""
    found: dict = {}

    def add(rule, key, period, detail):
        found.setdefault(rule, []).append((key, period, detail))

    base_of = {}
    for r in rows:
        code = r.get("ACTIVITY") or "NAT:" + r.get("NAT_CODE", "")
        base_of[(r.get("FREQ") or "M", r["REF_AREA"], code, r.get("ADJUSTMENT") or "N")] = r[
            "BASE_PER"
        ]
    all_periods = {}
    for r in rows:
        code = r.get("ACTIVITY") or "NAT:" + r.get("NAT_CODE", "")
        key = (r.get("FREQ") or "M", r["REF_AREA"], code, r.get("ADJUSTMENT") or "N")
        all_periods.setdefault(key, set()).add(r["TIME_PERIOD"])
    for key, vals in series_of(rows).items():
        freq, _area, code, adj = key
        if freq != "M":
            continue
        kind = level_kind(code)
        base = base_of[key]
        if adj in ("N", "W") and all(f"{base}-{m:02d}" in vals for m in range(1, 13)):
            mean = sum(vals[f"{base}-{m:02d}"] for m in range(1, 13)) / 12
            if abs(mean - 100) > 0.5:
                add("E09", key, base, round(mean, 3))
        mom = {
            p: 100 * (v / vals[shift(p, -1)] - 1) for p, v in vals.items() if shift(p, -1) in vals
        }
        if adj == "N":
            for p, x in mom.items():
                y, m = map(int, p.split("-"))
                hist = [
                    mom[f"{yy:04d}-{m:02d}"]
                    for yy in range(y - 10, y)
                    if f"{yy:04d}-{m:02d}" in mom
                ]
                if len(hist) >= 5:
                    med = statistics.median(hist)
                    mad = statistics.median(abs(h - med) for h in hist)
                    z = float("inf") if mad == 0 else (x - med) / (1.4826 * mad)
                    if abs(z) > 4:
                        add("W01", key, p, round(z, 2))
        if adj in ("S", "Y", "T"):
            limit = 15 if kind == "division" else 5
            for p, x in mom.items():
                if abs(x) > limit:
                    add("W02", key, p, round(x, 2))
        for p, v in vals.items():
            if shift(p, -12) in vals:
                yoy = 100 * (v / vals[shift(p, -12)] - 1)
                if abs(yoy) > (40 if kind == "division" else 20):
                    add("W03", key, p, round(yoy, 2))
        present = sorted(all_periods[key])
        if present:
            p = present[0]
            while p < present[-1]:
                if p not in all_periods[key]:
                    add("W05", key, p, "gap")
                p = shift(p, 1)
        ordered = sorted(vals)
        run = 1
        for a, b in itertools.pairwise(ordered):
            run = run + 1 if b == shift(a, 1) and vals[a] == vals[b] else 1
            if run == 3:
                add("W06", key, b, vals[b])
    return found


# --------------------------------------------------------------------------------------------
# The corpus

manifest: list[dict] = []
CHECKED = {"E09", "W01", "W02", "W03", "W05", "W06"}


def entry(
    file,
    *,
    agency="TH_OIE",
    expect=(),
    note="",
    cells=(),
    before=(),
    fmt_=None,
    division_weights=None,
    rows=None,
    absent=(),
    good=False,
    **more,
):
    e = {"file": file, "agency": agency, "expect": list(expect)}
    if good:
        e["errors"] = 0
    if fmt_:
        e["format"] = fmt_
    e["note"] = note
    if cells:
        e["cells"] = list(cells)
    if absent:
        e["absent"] = list(absent)
    e["before"] = list(before)
    e["division_weights"] = division_weights or {}
    e.update(more)
    if rows is not None:
        found = check_values(rows)
        for rule in CHECKED:
            if rule in expect and rule not in found:
                raise SystemExit(f"{file}: expected {rule} but the model does not raise it")
            if rule not in expect and rule in found and (good or rule.startswith("W")):
                raise SystemExit(f"{file}: unexpected {rule}: {found[rule][:3]}")
        for a in (a for a in absent if "row" not in a):
            hits = [f for f in found.get(a["rule"], []) if f[1] == a.get("time_period", f[1])]
            if a["rule"] in CHECKED and hits:
                raise SystemExit(f"{file}: {a} is raised by the model: {hits}")
    manifest.append(e)


def th_c(start="2024-01", end="2024-06", seed=1, **kw):
    return rows_of(series(start, end, seed=seed), activity="C", **kw)


def main() -> None:
    GOOD.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    for folder in (GOOD, BAD):
        for f in folder.iterdir():
            f.unlink()
    (HERE / "concordances.json").write_text(json.dumps(CONCORDANCE, indent=1) + "\n")
    good()
    bad_e01()
    bad_e01_no_table()
    bad_e02_to_e05()
    bad_e06_to_e09()
    bad_warnings()
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    n_good = sum(1 for e in manifest if e["file"].startswith("good/"))
    print(f"wrote {n_good} good and {len(manifest) - n_good} bad files and manifest.json")


# ---------------------------------------------------------------------------- good files


def good_long_comma_rows():
    rows = rows_of(series("2021-01", "2024-06", seed=11, base_year=2021), activity="C")
    rows += rows_of(series("2024-01", "2024-06", seed=12, level=96.0), activity="29")
    rows += rows_of(
        series("2024-01", "2024-06", seed=13, level=103.0, seasonal=False, noise=0.002),
        activity="C",
        adj="S",
    )
    return rows


def good():
    # 1. long CSV, comma: C N 2021-01..2024-06 (2021 averages exactly 100.0), 29 N, C S.
    rows = good_long_comma_rows()
    write_csv_long(GOOD / "long_comma.csv", rows, LONG)
    entry(
        "good/long_comma.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="Long CSV, comma, UTF-8 without BOM. C N 2021-01..2024-06 covers its base year "
        "2021 and averages exactly 100.0 (E09 holds); division 29 N and C S for 2024-01.."
        "2024-06. Songkran April drops are in the data. Only W07 (late) is expected.",
        absent=[{"rule": "E09"}, {"rule": "W01"}, {"rule": "W03"}],
    )

    # 2. long CSV, semicolon, BOM, lower-case headers, Thai comment with ; and , inside quotes,
    #    periods in 2024M01 / 2024-M01 spelling, a missing value with status L.
    rows = rows_of(series("2024-01", "2024-06", seed=21, level=101.0), activity="C")
    rows[1]["TIME_PERIOD"] = "2024M02"
    rows[2]["TIME_PERIOD"] = "2024-M03"
    rows[3]["COMMENT"] = "สงกรานต์; วันหยุดยาว, การผลิตลดลง"
    rows[4]["OBS_STATUS"] = "P"
    rows[4]["COMMENT"] = "ข้อมูลเบื้องต้น (provisional)"
    r10 = rows_of(series("2024-01", "2024-06", seed=22, level=98.0), activity="10")
    r10[5]["OBS_VALUE"] = ""
    r10[5]["OBS_STATUS"] = "L"
    r10[5]["COMMENT"] = "ยังไม่ได้เก็บข้อมูล"
    rows += r10
    write_csv_long(
        GOOD / "long_semicolon_bom.csv",
        rows,
        LONG,
        delimiter=";",
        bom=True,
        header=[c.lower() for c in LONG],
        newline="\r\n",
    )
    model = [dict(r, TIME_PERIOD=normal_period(r["TIME_PERIOD"])) for r in rows]
    entry(
        "good/long_semicolon_bom.csv",
        fmt_="csv-long",
        good=True,
        rows=model,
        note="Long CSV as Excel 'CSV UTF-8' saves it in a semicolon locale: UTF-8 BOM, ';', "
        "CRLF, lower-case headers. Thai COMMENT values (one contains ';' and ',' inside "
        "quotes), periods spelled 2024-01, 2024M02 and 2024-M03, status P, and division "
        "10 2024-06 empty with status L (a missing code: no E06, no W05).",
        absent=[{"rule": "E06"}, {"rule": "W05"}],
    )

    # 3. wide CSV
    rows = (
        rows_of(series("2023-01", "2024-06", seed=31, level=99.0), activity="C")
        + rows_of(series("2023-01", "2024-06", seed=32, level=97.0), activity="10")
        + rows_of(series("2023-01", "2024-06", seed=33, level=104.0), activity="22")
    )
    write_csv_wide(GOOD / "wide.csv", rows, ["REF_AREA", "ACTIVITY", "ADJUSTMENT", "BASE_PER"])
    entry(
        "good/wide.csv",
        fmt_="csv-wide",
        good=True,
        rows=rows,
        note="Wide CSV: REF_AREA, ACTIVITY, ADJUSTMENT, BASE_PER then one column per month "
        "2023-01..2024-06; C, 10 and 22, N, base 2021.",
    )

    # 4. long XLSX, with a second sheet that must be ignored
    rows = rows_of(series("2024-01", "2024-06", seed=41, level=100.5), activity="C") + rows_of(
        series("2024-01", "2024-06", seed=42, level=95.0), activity="26"
    )
    cols = [
        "REF_AREA",
        "ACTIVITY",
        "ADJUSTMENT",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "BASE_PER",
        "COMMENT",
    ]
    write_xlsx_long(
        GOOD / "long.xlsx",
        rows,
        cols,
        extra_sheet=(
            "Notes",
            [
                ["Not data: only the first sheet is read"],
                ["UNKNOWN_COLUMN", "2024-13", "NaN", "ZZ"],
            ],
        ),
    )
    entry(
        "good/long.xlsx",
        fmt_="xlsx-long",
        good=True,
        rows=rows,
        note="Long XLSX, sheet 'MPI': OBS_VALUE numeric cells, BASE_PER a numeric cell 2021 "
        "(must read as 2021, not 2021.0), codes as text. A second sheet 'Notes' holds "
        "junk that would be E02/E05/E06 if read: only the first sheet counts.",
    )

    # 5. wide XLSX
    rows = (
        rows_of(series("2023-07", "2024-06", seed=51, level=100.0), activity="C")
        + rows_of(series("2023-07", "2024-06", seed=52, level=92.0), activity="29")
        + rows_of(
            series("2023-07", "2024-06", seed=53, level=102.0, seasonal=False, noise=0.002),
            activity="C",
            adj="S",
        )
    )
    write_xlsx_wide(GOOD / "wide.xlsx", rows, ["REF_AREA", "ACTIVITY", "ADJUSTMENT", "BASE_PER"])
    entry(
        "good/wide.xlsx",
        fmt_="xlsx-wide",
        good=True,
        rows=rows,
        note="Wide XLSX (first sheet 'MPI'): three series C N, 29 N, C S by 12 month columns "
        "2023-07..2024-06; BASE_PER numeric cell.",
    )

    # 6-7. SDMX-CSV 1.0 and 2.0
    rows = rows_of(series("2024-01", "2024-06", seed=61, level=100.2), activity="C")
    write_csv_long(GOOD / "sdmx_csv_1.csv", sdmx_rows(rows, 1), SDMX1)
    entry(
        "good/sdmx_csv_1.csv",
        fmt_="sdmx-csv-1.0",
        good=True,
        rows=rows,
        note="SDMX-CSV 1.0: DATAFLOW=MKG:DF_IPI(1.0), TRANSFORMATION=IX, base in NAT_BASE_PER.",
    )
    rows = rows_of(series("2024-01", "2024-06", seed=71, level=100.4), activity="C")
    rows[3]["COMMENT"] = "Songkran"
    write_csv_long(GOOD / "sdmx_csv_2.csv", sdmx_rows(rows, 2), SDMX2)
    entry(
        "good/sdmx_csv_2.csv",
        fmt_="sdmx-csv-2.0",
        good=True,
        rows=rows,
        note="SDMX-CSV 2.0: STRUCTURE=dataflow, STRUCTURE_ID=MKG:DF_IPI(1.0), ACTION=I, "
        "NAT_BASE_PER, COMMENT.",
    )

    # 8. JSON, with a quarterly series
    rows = rows_of(series("2024-01", "2024-06", seed=81, level=99.7), activity="C")
    rows += [
        {
            "REF_AREA": "TH",
            "ACTIVITY": "C",
            "ADJUSTMENT": "N",
            "FREQ": "Q",
            "TIME_PERIOD": "2024-Q1",
            "OBS_VALUE": "101.9",
            "OBS_STATUS": "A",
            "BASE_PER": "2021",
        },
        {
            "REF_AREA": "TH",
            "ACTIVITY": "C",
            "ADJUSTMENT": "N",
            "FREQ": "Q",
            "TIME_PERIOD": "2024Q2",
            "OBS_VALUE": "96.4",
            "OBS_STATUS": "A",
            "BASE_PER": "2021",
        },
    ]
    write_json(GOOD / "observations.json", rows, LONG)
    entry(
        "good/observations.json",
        fmt_="json",
        good=True,
        rows=rows,
        note='JSON {"observations": [...]}: upper-case keys, OBS_VALUE a JSON number, BASE_PER '
        "a JSON integer; C N monthly 2024-01..06 plus a quarterly C N series "
        "(2024-Q1 and 2024Q2 spellings).",
    )

    # 9. UTF-16 CSV (Excel 'Unicode' with BOM, but comma-separated)
    rows = rows_of(series("2024-01", "2024-06", seed=91, level=100.1), activity="C")
    rows[3]["COMMENT"] = "เดือนเมษายน: สงกรานต์"
    write_csv_long(GOOD / "utf16.csv", rows, LONG, encoding="utf-16-le", bom=True, newline="\r\n")
    entry(
        "good/utf16.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="Long CSV in UTF-16 LE with BOM (FF FE), comma, CRLF; a Thai COMMENT.",
    )

    # 10. TIS-620 / cp874
    rows = rows_of(series("2024-01", "2024-06", seed=101, level=99.9), activity="C")
    rows[0]["COMMENT"] = "ดัชนีผลผลิตอุตสาหกรรม"
    rows[3]["COMMENT"] = "สงกรานต์ วันหยุดยาว"
    write_csv_long(GOOD / "tis620.csv", rows, LONG, encoding="cp874", newline="\r\n")
    entry(
        "good/tis620.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="Long CSV in TIS-620 (Windows cp874, as Thai Excel saves 'CSV (Comma delimited)'), "
        "Thai comments; not valid UTF-8, must be decoded as Thai, not rejected.",
    )

    # 11. NAT_CODE (TSIC2009), two pairs combined by H1
    rows = []
    for i, code in enumerate(["C", "1011", "1072", "2610", "2620", "2910"]):
        rows += rows_of(series("2024-01", "2024-06", seed=110 + i, level=95 + i * 2), nat=code)
    write_csv_long(GOOD / "nat_codes.csv", rows, LONG_NAT)
    entry(
        "good/nat_codes.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="Long CSV with NAT_CODE (TSIC2009, tests/corpus/concordances.json) instead of "
        "ACTIVITY: 1011 and 1072 both map to ISIC 10, 2610 and 2620 both to 26 - combined "
        "by H1, NOT an E07 duplicate.",
        absent=[{"rule": "E07"}, {"rule": "E03"}],
    )

    # 12. Viet Nam, B-E sections, base 2015
    rows = []
    for i, code in enumerate(["B", "C", "D", "E"]):
        rows += rows_of(
            series(
                "2024-01", "2024-06", seed=120 + i, level=110 + 10 * i, seasonal=False, noise=0.01
            ),
            activity=code,
            area="VN",
            base="2015",
        )
    write_csv_long(GOOD / "vn_long.csv", rows, LONG)
    entry(
        "good/vn_long.csv",
        agency="VN_NSO",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="Viet Nam (VN_NSO): sections B, C, D, E, base 2015, 2024-01..06. Base 2015 vs "
        "newest 2024 is 9 years: no W08.",
        absent=[{"rule": "W08"}],
    )

    # 13-14. Thailand's base change 2016 -> 2021 in two submissions
    old = series("2019-01", "2022-12", seed=131, level=112.0)
    rows = rows_of(old, activity="C", base="2016")
    write_csv_long(GOOD / "th_base2016.csv", rows, LONG)
    entry(
        "good/th_base2016.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="Thailand's old-base series: C N 2019-01..2022-12 with BASE_PER 2016 (does not "
        "cover 2016, so E09 does not apply). Uploaded before th_base2021.csv.",
    )
    new = series("2021-01", "2024-06", seed=132, base_year=2021)
    rows = rows_of(new, activity="C", base="2021")
    write_csv_long(GOOD / "th_base2021.csv", rows, LONG)
    entry(
        "good/th_base2021.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        before=["good/th_base2016.csv"],
        note="Thailand's new base: C N 2021-01..2024-06, BASE_PER 2021, 2021 averages 100.0. "
        "A base change ACROSS submissions is not E08 (E08 is within one submission); the "
        "exchange links the two bases (H3) over 2021-2022.",
        absent=[{"rule": "E08"}, {"rule": "E09"}],
    )

    # 15. an S series covering its base year with mean != 100: E09 applies to N and W only
    rows = rows_of(
        series("2021-01", "2021-12", seed=141, level=102.0, seasonal=False, noise=0.002),
        activity="C",
        adj="S",
    )
    write_csv_long(GOOD / "sa_base_year_not_100.csv", rows, LONG)
    entry(
        "good/sa_base_year_not_100.csv",
        fmt_="csv-long",
        good=True,
        rows=rows,
        note="C S (seasonally adjusted) covering all of 2021 with mean about 102: E09 checks "
        "only N and W series, so no error.",
        absent=[{"rule": "E09"}],
    )


def normal_period(p: str) -> str:
    m = re.fullmatch(r"(\d{4})-?M?(\d{2})", p)
    return f"{m.group(1)}-{m.group(2)}" if m else p


# ---------------------------------------------------------------------------- E01


def small_csv_text():
    rows = th_c()
    buf = [",".join(LONG)] + [",".join(csv_field(r.get(c, ""), ",") for c in LONG) for r in rows]
    return "\n".join(buf) + "\n"


def minimal_workbook_bytes(rows) -> bytes:
    wb = new_wb("MPI")
    ws = wb.active
    cols = ["REF_AREA", "ACTIVITY", "ADJUSTMENT", "TIME_PERIOD", "OBS_VALUE", "BASE_PER"]
    ws.append(cols)
    for r in rows:
        ws.append([typed(c, r[c]) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_zip(buf.getvalue())


def bad_e01():
    def e01(name, data, note, fmt_=None):
        (BAD / name).write_bytes(data)
        # No "format": a file refused as unreadable may never get a detected format.
        entry(f"bad/{name}", expect=["E01"], note=note)

    e01("e01_empty.csv", b"", "Zero-byte file.")
    rnd = random.Random(1)
    junk = bytes(rnd.randrange(256) for _ in range(4096))
    assert junk[:2] not in (b"\xff\xfe", b"\xfe\xff")
    e01("e01_binary_junk.csv", junk, "4 KB of random bytes with a .csv name.")
    pdf = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    e01("e01_report.pdf", pdf, "A PDF (the printed MPI bulletin) instead of the data.")
    e01("e01_pdf_renamed.csv", pdf, "PDF bytes renamed to .csv: detected by content, not name.")
    cfb = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(504)
        + bytes(rnd.randrange(256) for _ in range(1024))
    )
    e01(
        "e01_legacy.xls",
        cfb,
        "Legacy Excel 97-2003 (.xls, OLE/CFB magic D0 CF 11 E0 A1 B1 1A E1): not accepted; "
        "the message should say 'save as .xlsx'.",
    )
    data = minimal_workbook_bytes(th_c())
    macro = deterministic_zip(
        data,
        extra={"xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)},
        content_types_patch=lambda b: b.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            b"</Types>",
        ),
    )
    e01(
        "e01_macro_enabled.xlsm",
        macro,
        "Macro-enabled workbook: otherwise valid data, but the zip holds xl/vbaProject.bin. "
        "Rejected for safety.",
        fmt_="xlsx-long",
    )
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in [
            ("readme.txt", b"MPI data for June 2024\n"),
            ("mpi_2024_06.csv", small_csv_text().encode()),
        ]:
            zi = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, body)
    e01(
        "e01_zip_not_workbook.xlsx",
        zbuf.getvalue(),
        "A zip archive (with a CSV inside) named .xlsx: not a workbook ([Content_Types].xml and "
        "xl/workbook.xml missing). Archives are not unpacked.",
    )
    e01(
        "e01_truncated.xlsx",
        data[: len(data) // 2],
        "The first half of a valid workbook (an interrupted download): zip cannot be read.",
    )
    text = small_csv_text().encode("utf-8")
    # bytes 0xDB-0xDE and 0xFC-0xFE are neither UTF-8 nor defined in TIS-620/cp874
    bad = text.replace(b",2021,\n", b",2021,M\xfcller \xdb\xdc\xfd\n", 1)
    assert bad != text
    for enc in ("utf-8", "cp874"):
        try:
            bad.decode(enc)
            raise SystemExit(f"invalid-text sample decodes as {enc}")
        except UnicodeDecodeError:
            pass
    e01(
        "e01_invalid_utf8.csv",
        bad,
        "CSV whose COMMENT holds bytes FC DB DC FD: not UTF-8 and not Thai (these bytes are "
        "undefined in TIS-620/cp874), no UTF-16 BOM. Row 2 of the file.",
        fmt_="csv-long",
    )
    obs = [{k: v for k, v in r.items() if k != "COMMENT"} for r in th_c()]
    e01(
        "e01_json_no_observations.json",
        (json.dumps({"data": obs}, indent=1) + "\n").encode(),
        'JSON whose top-level key is "data", not "observations".',
        fmt_="json",
    )
    e01(
        "e01_json_malformed.json",
        (json.dumps({"observations": obs}, indent=1)[:300]).encode(),
        "Truncated JSON (a body cut off): not parsable.",
        fmt_="json",
    )
    html = (
        b"<html><body><table><tr><td>REF_AREA</td><td>ACTIVITY</td><td>TIME_PERIOD</td>"
        b"<td>OBS_VALUE</td><td>BASE_PER</td></tr><tr><td>TH</td><td>C</td><td>2024-01</td>"
        b"<td>101.2</td><td>2021</td></tr></table></body></html>\n"
    )
    e01(
        "e01_html_saved_as.xls",
        html,
        "An HTML table saved with an .xls name (Excel 'Web page' export or a system download): "
        "not a workbook.",
    )


def bad_e01_no_table():
    """Files that are readable but hold no observations, or whose table cannot be found."""
    header = ",".join(LONG)
    (BAD / "e01_header_only.csv").write_bytes(f"{header}\r\n".encode())
    entry(
        "bad/e01_header_only.csv",
        expect=["E01"],
        fmt_="csv-long",
        note="The header row and no data rows: nothing to publish (E01, the file holds no "
        "observations), never an accepted release of 0 rows.",
        cells=[{"rule": "E01", "row": 1}],
    )
    # The exchange's wide template as downloaded, uploaded without typing a value in.
    periods = months("2024-01", "2024-06")
    wb = new_wb("Data")
    ws = wb.active
    ws.append(["REF_AREA", "ACTIVITY", "ADJUSTMENT", "FREQ", "BASE_PER", *periods])
    for activity in ("C", "10", "29"):
        ws.append(["TH", activity, "N", "M", 2021])
    save_wb(wb, BAD / "e01_blank_template.xlsx")
    entry(
        "bad/e01_blank_template.xlsx",
        expect=["E01"],
        fmt_="xlsx-wide",
        note="The wide template (REF_AREA, ACTIVITY, ADJUSTMENT, FREQ, BASE_PER, then one column "
        "per month) uploaded blank: series rows but no value, so no observations (E01).",
        cells=[{"rule": "E01", "sheet": "Data", "row": 1}],
    )
    title = "Manufacturing Production Index (2021 = 100)"
    text = f"{title},,\nSource: Office of Industrial Economics,,\n\n" + small_csv_text()
    (BAD / "e01_title_rows.csv").write_bytes(text.encode())
    entry(
        "bad/e01_title_rows.csv",
        expect=["E01"],
        note="Two title rows and a blank row above the header (row 4): the header must be the "
        "first row with text; the finding names row 1 and says the header seems to be in row 4.",
        cells=[{"rule": "E01", "row": 1, "value": title}],
    )
    (BAD / "e01_utf16_no_bom.csv").write_bytes(small_csv_text().encode("utf-16-le"))
    entry(
        "bad/e01_utf16_no_bom.csv",
        expect=["E01"],
        note="UTF-16 LE text without its byte-order mark (FF FE): which UTF-16 it is cannot be "
        "told reliably, so it is refused with its own message (save as CSV UTF-8).",
    )


# ---------------------------------------------------------------------------- E02-E05


def bad_csv(
    name,
    rows,
    columns,
    expect,
    note,
    *,
    agency="TH_OIE",
    header=None,
    cells_extra=(),
    delimiter=",",
    fmt_="csv-long",
    model=True,
    **kw,
):
    pins = write_csv_long(BAD / name, rows, columns, header=header, delimiter=delimiter)
    clean = [r for r in rows if r.get("OBS_VALUE") not in (None,)]
    entry(
        f"bad/{name}",
        agency=agency,
        expect=expect,
        note=note,
        cells=list(cells_extra) + pins,
        fmt_=fmt_,
        rows=clean if model else None,
        **kw,
    )


def bad_e02_to_e05():
    # E02
    rows = th_c()
    for r in rows:
        r["UNIT"] = "index"
    bad_csv(
        "e02_unknown_column.csv",
        rows,
        [*LONG, "UNIT"],
        ["E02"],
        "An extra column UNIT: unknown columns are an error, not ignored.",
        cells_extra=[{"rule": "E02", "row": 1, "column": "UNIT", "value": "UNIT"}],
        model=False,
    )
    cols = [c for c in LONG if c != "BASE_PER"]
    bad_csv(
        "e02_missing_base_per.csv",
        th_c(),
        cols,
        ["E02"],
        "No BASE_PER column.",
        cells_extra=[{"rule": "E02", "row": 1, "column": "BASE_PER", "value": ""}],
        model=False,
        fmt_=None,  # layout undecidable without the missing column
    )
    cols = [c for c in LONG if c != "TIME_PERIOD"]
    bad_csv(
        "e02_missing_time_period.csv",
        th_c(),
        cols,
        ["E02"],
        "No TIME_PERIOD column.",
        cells_extra=[{"rule": "E02", "row": 1, "column": "TIME_PERIOD", "value": ""}],
        model=False,
        fmt_=None,  # layout undecidable without the missing column
    )
    rows = th_c()
    for r in rows:
        r["NAT_CODE"] = ""
    rows[2]["NAT_CODE"] = "2910"
    pin(rows[2], "E02", "NAT_CODE", only=("row",))
    bad_csv(
        "e02_activity_and_nat_code.csv",
        rows,
        ["REF_AREA", "ACTIVITY", "NAT_CODE", *LONG[2:]],
        ["E02"],
        "Both ACTIVITY and NAT_CODE columns exist (allowed) but row 4 fills both "
        "(ACTIVITY C and NAT_CODE 2910): exactly one per row.",
        model=False,
    )
    cols = [c for c in LONG if c != "ACTIVITY"]
    bad_csv(
        "e02_no_activity_column.csv",
        th_c(),
        cols,
        ["E02"],
        "Neither ACTIVITY nor NAT_CODE column.",
        cells_extra=[{"rule": "E02", "row": 1, "column": "ACTIVITY", "value": ""}],
        model=False,
        fmt_=None,  # layout undecidable without the missing column
    )

    # E03
    rows = th_c() + rows_of(series("2024-01", "2024-06", seed=301), activity="10")
    rows[8]["ACTIVITY"] = "99"
    pin(rows[8], "E03", "ACTIVITY")
    bad_csv(
        "e03_activity_99.csv",
        rows,
        LONG,
        ["E03"],
        "ACTIVITY 99 (not an ISIC division of B-E) on one row; division 10 otherwise.",
        model=False,
    )
    rows = th_c()
    rows[1]["ADJUSTMENT"] = "X"
    pin(rows[1], "E03", "ADJUSTMENT")
    bad_csv("e03_adjustment_x.csv", rows, LONG, ["E03"], "ADJUSTMENT X.", model=False)
    rows = th_c()
    rows[4]["OBS_STATUS"] = "Z"
    pin(rows[4], "E03", "OBS_STATUS")
    bad_csv("e03_obs_status_z.csv", rows, LONG, ["E03"], "OBS_STATUS Z.", model=False)
    rows = th_c()
    rows[0]["FREQ"] = "W"
    pin(rows[0], "E03", "FREQ")
    bad_csv(
        "e03_freq_w.csv",
        rows,
        LONG,
        ["E03"],
        "FREQ W (weekly is not in CL_FREQ for uploads; only M and Q).",
        model=False,
    )
    rows = []
    for code in ["1011", "1072", "9999"]:
        rows += rows_of(series("2024-01", "2024-03", seed=302), nat=code)
    for r in rows[6:]:
        pin(r, "E03", "NAT_CODE")
    bad_csv(
        "e03_unknown_nat_code.csv",
        rows,
        LONG_NAT,
        ["E03"],
        "NAT_CODE 9999 is not in TH_OIE's TSIC2009 concordance (rows 8-10).",
        model=False,
    )
    rows = []
    for code in ["B", "5", "6"]:
        rows += rows_of(
            series("2024-01", "2024-03", seed=303, seasonal=False),
            activity=code,
            area="VN",
            base="2015",
        )
    for r in rows[3:]:
        pin(r, "E03", "ACTIVITY")
    bad_csv(
        "e03_leading_zero_lost.csv",
        rows,
        LONG,
        ["E03"],
        agency="VN_NSO",
        note="ACTIVITY 5 and 6 where 05 and 06 were meant: Excel dropped the leading zero.",
        model=False,
    )
    rows = (
        rows_of(series("2024-01", "2024-06", seed=304), activity="C")
        + rows_of(series("2024-01", "2024-06", seed=305, level=97), activity="MFG")
        + rows_of(series("2024-01", "2024-06", seed=306, level=94), activity="29")
    )
    for r in rows[6:12]:
        pin(r, "E03", "ACTIVITY")
    name = "e03_wide_activity.xlsx"
    pins = write_xlsx_wide(BAD / name, rows, ["REF_AREA", "ACTIVITY", "ADJUSTMENT", "BASE_PER"])
    entry(
        f"bad/{name}",
        expect=["E03"],
        fmt_="xlsx-wide",
        cells=pins,
        note="Wide XLSX: the second series (sheet MPI row 3) has ACTIVITY 'MFG' (cell B3).",
    )

    # E04
    rows = th_c(area="VN")
    for r in rows:
        pin(r, "E04", "REF_AREA")
    bad_csv(
        "e04_ref_area_vn.csv",
        rows,
        LONG,
        ["E04"],
        "TH_OIE uploads rows for REF_AREA VN.",
        model=False,
    )
    rows = th_c()
    rows[5]["REF_AREA"] = "MKG"
    pin(rows[5], "E04", "REF_AREA")
    bad_csv(
        "e04_ref_area_mkg.csv",
        rows,
        LONG,
        ["E04"],
        "One row with REF_AREA MKG: a regional aggregate is computed, never uploaded.",
        model=False,
    )

    # E05
    for name, period, freq, note in [
        ("e05_month_13.csv", "2024-13", "M", "TIME_PERIOD 2024-13."),
        ("e05_quarter_5.csv", "2024-Q5", "Q", "FREQ Q with TIME_PERIOD 2024-Q5."),
        ("e05_future.csv", "2031-01", "M", "TIME_PERIOD 2031-01 is later than the current period."),
        (
            "e05_text_month.csv",
            "Jan 2024",
            "M",
            "TIME_PERIOD 'Jan 2024' (as Excel displays a date); must be 2024-01.",
        ),
        ("e05_freq_mismatch.csv", "2024-Q2", "M", "FREQ M with a quarterly TIME_PERIOD 2024-Q2."),
    ]:
        rows = th_c()
        rows[-1]["TIME_PERIOD"] = period
        rows[-1]["FREQ"] = freq
        pin(rows[-1], "E05", "TIME_PERIOD")
        bad_csv(name, rows, LONG, ["E05"], note, model=False)


# ---------------------------------------------------------------------------- E06-E09


def bad_e06_to_e09():
    for name, value, status, note in [
        ("e06_nan.csv", "NaN", "A", "OBS_VALUE NaN."),
        ("e06_inf.csv", "Inf", "A", "OBS_VALUE Inf."),
        ("e06_dot.csv", ".", "A", "OBS_VALUE '.' (a missing-value marker)."),
        ("e06_minus_9999.csv", "-9999", "A", "OBS_VALUE -9999 (a sentinel for missing)."),
        (
            "e06_thousands_separator.csv",
            "1,234.5",
            "A",
            'OBS_VALUE "1,234.5" (quoted, with a thousands separator).',
        ),
        ("e06_zero.csv", "0", "A", "OBS_VALUE 0: index levels must be > 0."),
        (
            "e06_empty_status_a.csv",
            "",
            "A",
            "OBS_VALUE empty with OBS_STATUS A (not a missing code).",
        ),
        (
            "e06_value_with_status_m.csv",
            "104.2",
            "M",
            "OBS_VALUE 104.2 with OBS_STATUS M (missing, cannot exist): a missing status takes an "
            "empty value.",
        ),
    ]:
        rows = th_c()
        rows[2]["OBS_VALUE"] = value
        rows[2]["OBS_STATUS"] = status
        pin(rows[2], "E06", "OBS_VALUE")
        bad_csv(name, rows, LONG, ["E06"], note + " Row 4 of the file.", model=False)
    rows = rows_of(
        series("2024-01", "2024-06", seed=601, level=120, seasonal=False),
        activity="C",
        area="VN",
        base="2015",
    )
    rows[1]["OBS_VALUE"] = "121,4"
    pin(rows[1], "E06", "OBS_VALUE")
    bad_csv(
        "e06_decimal_comma.csv",
        rows,
        LONG,
        ["E06"],
        agency="VN_NSO",
        delimiter=";",
        note="Semicolon CSV with a decimal comma 121,4 on row 3 (the decimal mark must be '.').",
        model=False,
    )
    rows = th_c() + rows_of(series("2024-01", "2024-06", seed=602, level=96), activity="29")
    rows[9]["OBS_VALUE"] = "#N/A"
    pin(rows[9], "E06", "OBS_VALUE")
    cols = [
        "REF_AREA",
        "ACTIVITY",
        "ADJUSTMENT",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "BASE_PER",
    ]
    name = "e06_long.xlsx"
    pins = write_xlsx_long(BAD / name, rows, cols)
    entry(
        f"bad/{name}",
        expect=["E06"],
        fmt_="xlsx-long",
        cells=pins,
        note="Long XLSX: cell E11 (division 29, 2024-04) holds the Excel error #N/A.",
    )

    # E07
    rows = th_c()
    dup = dict(rows[3])
    dup["OBS_VALUE"] = "88.8"
    rows.insert(4, dup)
    pin(rows[4], "E07", "TIME_PERIOD", only=("row",))
    bad_csv(
        "e07_duplicate.csv",
        rows,
        LONG,
        ["E07"],
        "C N 2024-04 appears on rows 5 and 6 with different values.",
        model=False,
    )
    rows = th_c()
    dup = dict(rows[2], TIME_PERIOD="2024M03", ADJUSTMENT="", OBS_VALUE="107.0")
    rows.append(dup)
    pin(rows[-1], "E07", "TIME_PERIOD", only=("row",))
    bad_csv(
        "e07_duplicate_period_spelling.csv",
        rows,
        LONG,
        ["E07"],
        "Row 8 repeats row 4 (C N 2024-03) as 2024M03 with ADJUSTMENT empty (default N): "
        "the same key after normalisation.",
        model=False,
    )

    # E08
    rows = th_c()
    for r in rows[3:]:
        r["BASE_PER"] = "2016"
    pin(rows[3], "E08", "BASE_PER", only=("column", "value"))
    bad_csv(
        "e08_two_base_years.csv",
        rows,
        LONG,
        ["E08"],
        "One series (C N) with BASE_PER 2021 on rows 2-4 and 2016 on rows 5-7.",
        model=False,
    )
    for name, base, note in [
        ("e08_base_1985.csv", "1985", "BASE_PER 1985 (before 1990)."),
        ("e08_base_two_digits.csv", "21", "BASE_PER 21 (two digits)."),
        ("e08_base_future.csv", "2030", "BASE_PER 2030 (after the current year)."),
    ]:
        rows = th_c(base=base)
        for r in rows:
            pin(r, "E08", "BASE_PER")
        bad_csv(name, rows, LONG, ["E08"], note, model=False)

    # E09
    vals = series("2021-01", "2021-12", seed=901, base_year=2021)
    vals = {p: round(v * 1.032, 1) for p, v in vals.items()}
    rows = rows_of(vals, activity="C")
    bad_csv(
        "e09_base_mean_103.csv",
        rows,
        LONG,
        ["E09"],
        "C N covers all 12 months of its BASE_PER 2021 with mean about 103.2.",
    )
    vals = series("2021-01", "2021-12", seed=902, base_year=2021, seasonal=False, noise=0.01)
    vals = {p: round(v * 0.992, 1) for p, v in vals.items()}
    rows = rows_of(vals, activity="C", adj="W")
    bad_csv(
        "e09_calendar_adjusted.csv",
        rows,
        LONG,
        ["E09"],
        "C W (calendar adjusted) covers 2021 with mean about 99.2: off by 0.8 > 0.5.",
    )


# ---------------------------------------------------------------------------- warnings


def bad_warnings():
    # W01: self-contained 2017-01..2023-05 C N with a Songkran April drop every year,
    # then a +40% jump in May 2023 where May usually rebounds about +23%.
    vals = series("2017-01", "2023-05", seed=1001, base_year=2021, noise=0.01)
    # Songkran: April falls 19-23% every year, as Thai holidays fall (-21.3% in April 2023).
    for y, change in zip(
        range(2017, 2024), [-19.2, -22.4, -20.3, -23.1, -18.9, -21.8, -21.3], strict=True
    ):
        vals[f"{y}-04"] = round(vals[f"{y}-03"] * (1 + change / 100), 1)
    exact_base_mean(vals, 2021)
    vals["2023-05"] = round(vals["2023-04"] * 1.40, 1)
    rows = rows_of(vals, activity="C")
    rows[-1]["COMMENT"] = ""
    pin(rows[-1], "W01", "OBS_VALUE")
    aprils = [{"rule": "W01", "time_period": f"{y}-04"} for y in range(2017, 2024)]
    bad_csv(
        "w01_unusual_movement.csv",
        rows,
        LONG,
        ["W01"],
        "C N 2017-01..2023-05 (BASE_PER 2021, 2021 averages 100.0): every April falls "
        "19-23% (Songkran; -21.3% in April 2023) and must NOT be flagged; 2023-05 rises "
        "+40% where May's rebound was +20% to +27% in 2017-2022: flagged (robust z about "
        "6, 6 years of May history). The last row of the file.",
        absent=aprils,
    )
    # W02
    vals = series("2024-01", "2024-06", seed=1002, level=102, seasonal=False, noise=0.002)
    vals["2024-04"] = round(vals["2024-03"] * 1.07, 1)
    vals["2024-05"] = round(vals["2024-04"] * 1.002, 1)
    vals["2024-06"] = round(vals["2024-05"] * 0.998, 1)
    rows = rows_of(vals, activity="C", adj="S")
    pin(rows[3], "W02", "OBS_VALUE")
    div = series("2024-01", "2024-06", seed=1003, level=95, seasonal=False, noise=0.002)
    div["2024-04"] = round(div["2024-03"] * 1.10, 1)
    div["2024-05"] = round(div["2024-04"] * 1.001, 1)
    div["2024-06"] = round(div["2024-05"] * 1.003, 1)
    rows += rows_of(div, activity="29", adj="S")
    bad_csv(
        "w02_adjusted_jump.csv",
        rows,
        LONG,
        ["W02"],
        "C S rises +7% in 2024-04 (> 5% for a section): flagged on row 5. Division 29 S "
        "rises +10% in the same month (< 15% for a division): not flagged.",
        absent=[{"rule": "W02", "row": 11}],
    )
    # W03
    vals = series("2023-01", "2024-06", seed=1004, level=99)
    vals["2024-03"] = round(vals["2023-03"] * 1.25, 1)
    rows = rows_of(vals, activity="C")
    pin(rows[14], "W03", "OBS_VALUE")
    bad_csv(
        "w03_year_on_year.csv",
        rows,
        LONG,
        ["W03"],
        "C N 2023-01..2024-06; 2024-03 is 25% above 2023-03 (> 20% for a section): "
        "flagged on row 16. No W01 (too little history).",
    )
    # W04: revise C N 2024-03 of good/long_comma.csv by +5%, division 29 2024-02 by +3%.
    base_rows = good_long_comma_rows()
    c_mar = next(
        r
        for r in base_rows
        if r["ACTIVITY"] == "C" and r["ADJUSTMENT"] == "N" and r["TIME_PERIOD"] == "2024-03"
    )
    d_feb = next(r for r in base_rows if r["ACTIVITY"] == "29" and r["TIME_PERIOD"] == "2024-02")
    rows = [
        dict(
            c_mar,
            OBS_VALUE=fmt(round(float(c_mar["OBS_VALUE"]) * 1.05, 1)),
            COMMENT="revised: late questionnaires",
        ),
        dict(d_feb, OBS_VALUE=fmt(round(float(d_feb["OBS_VALUE"]) * 1.03, 1))),
    ]
    pin(rows[0], "W04", "OBS_VALUE")
    bad_csv(
        "w04_revision.csv",
        rows,
        LONG,
        ["W04"],
        before=["good/long_comma.csv"],
        note=f"Upload good/long_comma.csv first (accepted and published), then this file: "
        f"C N 2024-03 moves {c_mar['OBS_VALUE']} -> {rows[0]['OBS_VALUE']} (+5%, > 2% "
        f"for a section): flagged on row 2. Division 29 N 2024-02 moves "
        f"{d_feb['OBS_VALUE']} -> {rows[1]['OBS_VALUE']} (+3%, < 5% for a division): "
        f"not flagged.",
        absent=[{"rule": "W04", "row": 3}],
    )
    # W05
    rows = rows_of(series("2024-01", "2024-06", seed=1005, level=100), activity="C")
    del rows[3]
    r10 = rows_of(series("2024-01", "2024-06", seed=1006, level=97), activity="10")
    r10[3]["OBS_VALUE"] = ""
    r10[3]["OBS_STATUS"] = "O"
    rows += r10
    bad_csv(
        "w05_gap.csv",
        rows,
        LONG,
        ["W05"],
        "C N has 2024-01..03 and 2024-05..06 but no 2024-04 row: a gap. Division 10 has a "
        "2024-04 row with an empty value and status O: not a gap, not E06.",
        cells_extra=[{"rule": "W05", "time_period": "2024-04", "series_key": "M.TH.C.N"}],
        absent=[{"rule": "E06"}],
    )
    # W06
    vals = series("2024-01", "2024-06", seed=1007, level=100, seasonal=False, noise=0.01)
    vals["2024-03"] = vals["2024-04"] = vals["2024-05"] = 101.5
    rows = rows_of(vals, activity="C")
    bad_csv(
        "w06_flat_line.csv",
        rows,
        LONG,
        ["W06"],
        "C N holds 101.5 in 2024-03, 2024-04 and 2024-05 (rows 4-6): a copy-paste flat line.",
        cells_extra=[{"rule": "W06", "column": "OBS_VALUE", "value": "101.5"}],
    )
    # W07
    rows = rows_of(series("2025-01", "2025-06", seed=1008, level=104), activity="C")
    bad_csv(
        "w07_late.csv",
        rows,
        LONG,
        ["W07"],
        "Newest period 2025-06, more than 45 days before any submission date after "
        "2025-08-15. (Every corpus file is late in this sense; this one has nothing else.)",
    )
    # W08
    rows = rows_of(series("2023-01", "2023-06", seed=1009, level=131), activity="C", base="2010")
    bad_csv(
        "w08_stale_base.csv",
        rows,
        LONG,
        ["W08"],
        "BASE_PER 2010, newest period 2023-06: 13 years (> 10).",
    )
    # W09 with ISIC divisions and manifest weights (Viet Nam, section B and all 5 divisions)
    weights = {"05": 10, "06": 55, "07": 8, "08": 20, "09": 7}
    div_vals = {
        "05": [98.0, 97.5],
        "06": [105.0, 104.6],
        "07": [110.0, 111.2],
        "08": [102.0, 101.4],
        "09": [99.0, 99.8],
    }
    wmean = [sum(weights[d] * div_vals[d][i] for d in weights) / 100 for i in range(2)]
    b_vals = [round(wmean[0], 1), round(wmean[1] - 2.2, 1)]
    periods = ["2024-01", "2024-02"]
    rows = rows_of(dict(zip(periods, b_vals, strict=True)), activity="B", area="VN", base="2015")
    for d in weights:
        rows += rows_of(
            dict(zip(periods, div_vals[d], strict=True)), activity=d, area="VN", base="2015"
        )
    pin(rows[1], "W09", "OBS_VALUE")
    assert abs(b_vals[0] - wmean[0]) <= 0.5 and abs(b_vals[1] - wmean[1]) > 0.5
    bad_csv(
        "w09_section_vs_divisions.csv",
        rows,
        LONG,
        ["W09"],
        agency="VN_NSO",
        division_weights={k: str(v) for k, v in weights.items()},
        note=f"Viet Nam, section B and all its divisions 05-09 with weights "
        f"{weights}. 2024-01: B {b_vals[0]} vs weighted mean {wmean[0]:.3f} "
        f"(consistent). 2024-02: B {b_vals[1]} vs {wmean[1]:.3f} (off by "
        f"{wmean[1] - b_vals[1]:.2f} > 0.5): flagged on row 3.",
        absent=[{"rule": "W09", "row": 2}],
    )
    # W09 with NAT_CODE rows: D vs division 35 built by H1 from 3510 and 3520
    v3510, v3520 = [101.0, 102.0], [92.0, 90.0]
    w1, w2 = NAT_WEIGHT["3510"], NAT_WEIGHT["3520"]
    d35 = [(w1 * a + w2 * b) / (w1 + w2) for a, b in zip(v3510, v3520, strict=True)]
    d_vals = [round(d35[0], 1), 103.0]
    assert abs(d_vals[0] - d35[0]) <= 0.5 and abs(d_vals[1] - d35[1]) > 0.5
    rows = (
        rows_of(dict(zip(periods, d_vals, strict=True)), nat="D")
        + rows_of(dict(zip(periods, v3510, strict=True)), nat="3510")
        + rows_of(dict(zip(periods, v3520, strict=True)), nat="3520")
    )
    pin(rows[1], "W09", "OBS_VALUE")
    bad_csv(
        "w09_nat_codes.csv",
        rows,
        LONG_NAT,
        ["W09"],
        note=f"TSIC2009 codes: D -> ISIC D; 3510 (weight 8.0) and 3520 (weight 1.2) -> "
        f"ISIC 35, D's only division. 2024-01: D {d_vals[0]} vs 35 = {d35[0]:.3f} "
        f"(consistent). 2024-02: D 103.0 vs 35 = {d35[1]:.3f}: flagged on row 3. "
        f"(Unweighted the 35 mean would be {(v3510[1] + v3520[1]) / 2:.1f}.)",
        absent=[{"rule": "W09", "row": 2}],
    )

    # Several errors in one file: a report lists all findings, not just the first.
    rows = th_c() + rows_of(series("2024-01", "2024-06", seed=1101, level=97), activity="10")
    rows[1]["ACTIVITY"] = "1O"
    pin(rows[1], "E03", "ACTIVITY")
    rows[4]["TIME_PERIOD"] = "2024/05"
    pin(rows[4], "E05", "TIME_PERIOD")
    rows[7]["OBS_VALUE"] = "n.a."
    pin(rows[7], "E06", "OBS_VALUE")
    rows[10]["OBS_VALUE"] = "-1"
    pin(rows[10], "E06", "OBS_VALUE")
    bad_csv(
        "many_errors.csv",
        rows,
        LONG,
        ["E03", "E05", "E06"],
        model=False,
        note="Four problems on four rows (ACTIVITY '1O' with a letter O, TIME_PERIOD "
        "2024/05, OBS_VALUE n.a., OBS_VALUE -1): the report lists all of them.",
    )


if __name__ == "__main__":
    main()
