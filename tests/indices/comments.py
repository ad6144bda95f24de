"""Submissions with a COMMENT column, and the published data the comment read tests share
(REST API, SDMX): Thailand's manufacturing with comments, then a comment-only revision."""

from __future__ import annotations

from datetime import datetime

from tests.indices.publishing import publish, year_2021

THAI = "ทดสอบ: โรงงานปิดซ่อมบำรุง"  # "test: plant closed for maintenance"
# CSV and XML both have to quote this one.
QUOTED = 'closed, "maintenance" <2 weeks> & restart'
REVISED = "ทดสอบ (แก้ไข)"  # "test (revised)"


def commented_csv(
    area: str, values: dict[str, float], comments: dict[str, str], *, activity: str = "C"
) -> bytes:
    lines = ["REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER,COMMENT"]
    for period, value in values.items():
        comment = comments.get(period, "").replace('"', '""')
        lines.append(f'{area},{activity},{period},{value},A,2021,"{comment}"')
    return ("\n".join(lines) + "\n").encode()


def publish_commented() -> datetime:
    """TH manufacturing 2021-01..2022-03, comments on 2022-01 (THAI) and 2022-02 (QUOTED); then
    2022-02 revised in its comment only (REVISED). Returns the instant before the revision."""
    values = {**year_2021(), "2022-01": 110, "2022-02": 104.5, "2022-03": 99.9}
    publish(commented_csv("TH", values, {"2022-01": THAI, "2022-02": QUOTED}))
    return publish(commented_csv("TH", {"2022-02": 104.5}, {"2022-02": REVISED}))
