"""SDMX-ML 2.1 GenericData, written as a stream of text chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from indices.disseminate.sdmx.data import DataSetBlock, SeriesData
from indices.disseminate.sdmx.writers_common import Shape, obs_attributes
from indices.disseminate.sdmx.xmlutil import NS, STRUCTURE_REF, attr, data_header, instant


def _values(tag: str, values: Iterable[tuple[str, str]]) -> str:
    inner = "".join(f"<gen:Value id={attr(k)} value={attr(v)}/>" for k, v in values)
    return f"<gen:{tag}>{inner}</gen:{tag}>" if inner else ""


def dataset_open(block: DataSetBlock, tag: str = "mes:DataSet") -> str:
    dates = ""
    if block.valid_from is not None:
        dates += f" validFromDate={attr(instant(block.valid_from))}"
    if block.valid_to is not None:
        dates += f" validToDate={attr(instant(block.valid_to))}"
    return f"<{tag} structureRef={attr(STRUCTURE_REF)} action={attr(block.action)}{dates}>"


def _series(item: SeriesData, shape: Shape, delete: bool) -> str:
    attributes = shape.attributes and not delete
    if shape.flat:
        parts = []
        for obs in item.observations:
            key = [*item.key, ("TIME_PERIOD", obs.time_period)]
            parts.append("<gen:Obs>" + _values("ObsKey", key))
            if obs.value is not None:
                parts.append(f"<gen:ObsValue value={attr(obs.value)}/>")
            if attributes:
                parts.append(_values("Attributes", [*item.attributes, *obs_attributes(obs)]))
            parts.append("</gen:Obs>")
        return "".join(parts)
    parts = ["<gen:Series>", _values("SeriesKey", item.key)]
    if attributes:
        parts.append(_values("Attributes", item.attributes))
    if shape.observations:
        for obs in item.observations:
            parts.append(f"<gen:Obs><gen:ObsDimension value={attr(obs.time_period)}/>")
            if obs.value is not None:
                parts.append(f"<gen:ObsValue value={attr(obs.value)}/>")
            if attributes:
                parts.append(_values("Attributes", obs_attributes(obs)))
            parts.append("</gen:Obs>")
    parts.append("</gen:Series>")
    return "".join(parts)


def generic_data(blocks: Iterable[DataSetBlock], shape: Shape) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<mes:GenericData xmlns:mes="{NS["mes"]}" xmlns:gen="{NS["gen"]}" '
        f'xmlns:com="{NS["com"]}" xmlns:xsi="{NS["xsi"]}">'
    )
    yield data_header(dimension_at_observation=shape.dimension_at_observation)
    for block in blocks:
        yield dataset_open(block)
        for item in block.series:
            yield _series(item, shape, block.action == "Delete")
        yield "</mes:DataSet>"
    yield "</mes:GenericData>\n"
