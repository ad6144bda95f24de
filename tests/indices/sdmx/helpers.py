"""Published data for the SDMX tests (tests/indices/publishing.py), and reading a body."""

from __future__ import annotations

from tests.indices.publishing import monthly_csv, publish, year_2021

URLCONF = "tests.indices.sdmx.urls"
TH_2022 = {"2022-01": 110, "2022-02": 111.234, "2022-03": 112.5}
VN_2022 = {"2022-01": 130}


def publish_th_and_vn() -> None:
    publish(monthly_csv("TH", "C", {**year_2021(), **TH_2022}))
    publish(monthly_csv("VN", "C", {**year_2021(), **VN_2022}), agency="VN_NSO")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
