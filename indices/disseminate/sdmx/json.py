"""SDMX-JSON 1.0 data messages, streamed: data sets first, then the structure whose value
lists the data sets' indices point into (key order does not matter to JSON readers)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from indices.disseminate.sdmx.data import SERIES_ATTRIBUTES, DataSetBlock, SeriesData
from indices.disseminate.sdmx.dsd import ATTRIBUTES, DIMENSIONS, code_names
from indices.disseminate.sdmx.writers_common import Shape, obs_attributes
from indices.disseminate.sdmx.xmlutil import (
    DSD_URN,
    FLOW_URN,
    SENDER,
    instant,
    message_id,
    prepared,
)

_NAMES = {c.id: c.name for c in (*DIMENSIONS, *ATTRIBUTES)}
_CODELIST = {c.id: c.codelist for c in (*DIMENSIONS, *ATTRIBUTES)}
OBS_ATTRIBUTES = ("OBS_STATUS", "COMMENT")
_KEY_POSITION = {c: i for i, c in enumerate([*(d.id for d in DIMENSIONS), "TIME_PERIOD"])}


class _Index:
    """Per component, the values met so far in order; a value's index is its position."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.values: dict[str, dict[str, int]] = {i: {} for i in ids}

    def __call__(self, component: str, value: str) -> int:
        return self.values[component].setdefault(value, len(self.values[component]))

    def describe(self, names: dict[str, dict[str, str]], positions: bool) -> list[dict]:
        out = []
        for component, values in self.values.items():
            labels = names.get(_CODELIST.get(component, ""), {})
            entry: dict = {"id": component, "name": _NAMES.get(component, "Time period")}
            if positions:
                entry["keyPosition"] = _KEY_POSITION[component]
            if component == "TIME_PERIOD":
                entry["role"] = "time"
            entry["values"] = [{"id": v, "name": labels.get(v, v)} for v in values]
            out.append(entry)
        return out


def _attribute_list(index: _Index, values: dict[str, str], ids: Iterable[str]) -> list:
    return [index(i, values[i]) if i in values else None for i in ids]


def _observation(index: _Index, obs, extra: list[tuple[str, str]], ids) -> str:
    values = dict([*extra, *obs_attributes(obs)])
    value = obs.value if obs.value is not None else "null"
    attributes = _attribute_list(index, values, ids)
    return "[" + ",".join([value, *(json.dumps(a) for a in attributes)]) + "]"


def sdmx_json(blocks: Iterable[DataSetBlock], shape: Shape) -> Iterator[str]:
    dim_ids = [d.id for d in DIMENSIONS]
    flat = shape.flat
    dims = _Index([*dim_ids, "TIME_PERIOD"]) if flat else _Index(dim_ids)
    times = dims if flat else _Index(["TIME_PERIOD"])
    series_attr_ids = [] if flat else list(SERIES_ATTRIBUTES)
    obs_attr_ids = [*SERIES_ATTRIBUTES, *OBS_ATTRIBUTES] if flat else list(OBS_ATTRIBUTES)
    attributes = _Index([*series_attr_ids, *obs_attr_ids])
    header = {"id": message_id(), "test": False, "prepared": prepared(), "sender": {"id": SENDER}}
    yield '{"header":' + json.dumps(header) + ',"dataSets":['
    for number, block in enumerate(blocks):
        meta = {"action": block.action}
        if block.valid_from is not None:
            meta["validFrom"] = instant(block.valid_from)
        if block.valid_to is not None:
            meta["validTo"] = instant(block.valid_to)
        yield (
            ("," if number else "")
            + json.dumps(meta)[:-1]
            + (',"observations":{' if flat else ',"series":{')
        )
        first = True
        for item in block.series:
            chunk = _series(item, shape, dims, times, attributes, series_attr_ids, obs_attr_ids)
            if chunk:
                yield ("" if first else ",") + chunk
                first = False
        yield "}}"
    names = code_names()
    described = attributes.describe(names, False)
    structure = {
        "name": "Industrial Production Index (harmonized)",
        "links": [
            {"rel": "dataflow", "urn": FLOW_URN},
            {"rel": "datastructure", "urn": DSD_URN},
        ],
        "dimensions": {
            "dataSet": [],
            "series": [] if flat else dims.describe(names, True),
            "observation": (dims if flat else times).describe(names, True),
        },
        "attributes": {
            "dataSet": [],
            "series": [a for a in described if a["id"] in series_attr_ids],
            "observation": [a for a in described if a["id"] in obs_attr_ids],
        },
    }
    yield '],"structure":' + json.dumps(structure, ensure_ascii=False) + "}\n"


def _series(item: SeriesData, shape, dims, times, attributes, series_ids, obs_ids) -> str:
    show_attributes = shape.attributes
    if shape.flat:
        parts = []
        for obs in item.observations:
            key = ":".join(
                str(dims(i, v)) for i, v in [*item.key, ("TIME_PERIOD", obs.time_period)]
            )
            extra = item.attributes if show_attributes else []
            observation = _observation(attributes, obs, extra, obs_ids if show_attributes else [])
            parts.append(f'"{key}":{observation}')
        return ",".join(parts)
    key = ":".join(str(dims(i, v)) for i, v in item.key)
    body: dict[str, object] = {}
    if show_attributes:
        body["attributes"] = _attribute_list(attributes, dict(item.attributes), series_ids)
    text = json.dumps(body)[:-1]
    if shape.observations:
        observations = ",".join(
            f'"{times("TIME_PERIOD", obs.time_period)}":'
            + _observation(attributes, obs, [], obs_ids if show_attributes else [])
            for obs in item.observations
        )
        text += ("," if body else "") + '"observations":{' + observations + "}"
    return f'"{key}":' + text + "}"
