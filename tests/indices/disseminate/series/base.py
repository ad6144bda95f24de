"""Published data for the read API tests, produced the real way (tests/indices/publishing.py):
submissions validated and released by the publication service."""

from __future__ import annotations

from django.test import override_settings

from tests.base import PersonaTestCase
from tests.indices.publishing import monthly_csv, publish, year_2021

URLCONF = "tests.indices.disseminate.series.urls"
TH_2022 = {"2022-01": 110.123456, "2022-02": 104.5, "2022-03": 99.87654}


@override_settings(ROOT_URLCONF=URLCONF, IPI_API_RATE="100000/minute")
class ReadApiTestCase(PersonaTestCase):
    """TH manufacturing 2021-01..2022-03 (2022-03 provisional) and VN manufacturing 2021."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        publish(monthly_csv("TH", "C", {**year_2021(), **TH_2022}))
        # 2022-03 becomes provisional: a second vintage of one observation.
        cls.before_revision = publish(monthly_csv("TH", "C", {"2022-03": 99.87654}, status="P"))
        publish(monthly_csv("VN", "C", year_2021()), agency="VN_NSO")


INSTANT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"


def normalized(body: object) -> object:
    """The body with every instant replaced by "<instant>" (they differ on each run)."""
    import json
    import re

    return json.loads(re.sub(INSTANT, "<instant>", json.dumps(body)))
