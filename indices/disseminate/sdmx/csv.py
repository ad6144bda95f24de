"""SDMX-CSV 1.0 data messages, streamed one series at a time.

Two documented extension columns, present only when asked for: VALID_FROM/VALID_TO
(`includeHistory`) and ACTION (`updatedAfter`: I = new or revised, D = withdrawn, as in
SDMX-CSV 2.0), since SDMX-CSV 1.0 has no place for vintages or deletions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from indices.disseminate.sdmx.data import SERIES_ATTRIBUTES, DataSetBlock, SeriesData
from indices.disseminate.sdmx.dsd import DIMENSIONS
from indices.disseminate.sdmx.writers_common import Shape, obs_attributes
from indices.disseminate.sdmx.xmlutil import FLOW_LABEL, instant

ACTION_CODES = {"Replace": "I", "Delete": "D", "Information": "I"}


def _columns(shape: Shape, *, history: bool, changes: bool) -> list[str]:
    columns = ["DATAFLOW", *(d.id for d in DIMENSIONS)]
    if shape.observations:
        columns += ["TIME_PERIOD", "OBS_VALUE"]
        if shape.attributes:
            columns += ["OBS_STATUS", "COMMENT"]
    if shape.attributes:
        columns += list(SERIES_ATTRIBUTES)
    if history:
        columns += ["VALID_FROM", "VALID_TO"]
    if changes:
        columns.append("ACTION")
    return columns


def _rows(item: SeriesData, block: DataSetBlock, shape: Shape) -> Iterator[dict[str, str]]:
    base = {"DATAFLOW": FLOW_LABEL, **dict(item.key)}
    if shape.attributes and block.action != "Delete":
        base.update(item.attributes)
    base["VALID_FROM"] = instant(block.valid_from) if block.valid_from else ""
    base["VALID_TO"] = instant(block.valid_to) if block.valid_to else ""
    base["ACTION"] = ACTION_CODES[block.action]
    if not shape.observations:
        yield base
        return
    for obs in item.observations:
        row = {**base, "TIME_PERIOD": obs.time_period, "OBS_VALUE": obs.value or ""}
        if shape.attributes and block.action != "Delete":
            row.update(obs_attributes(obs))
        yield row


def sdmx_csv(
    blocks: Iterable[DataSetBlock], shape: Shape, *, history: bool = False, changes: bool = False
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=_columns(shape, history=history, changes=changes),
        extrasaction="ignore",
        lineterminator="\r\n",
    )
    writer.writeheader()
    for block in blocks:
        for item in block.series:
            writer.writerows(_rows(item, block, shape))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
