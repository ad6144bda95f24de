"""SDMX-ML 2.1 StructureSpecificData, written as a stream of text chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from indices.disseminate.sdmx.data import DataSetBlock, SeriesData
from indices.disseminate.sdmx.writers_common import Shape, obs_attributes
from indices.disseminate.sdmx.xmlutil import (
    NS,
    STRUCTURE_REF,
    attr,
    data_header,
    instant,
    ss_namespace,
)


def _attrs(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f" {k}={attr(v)}" for k, v in values)


def _dataset_open(block: DataSetBlock) -> str:
    dates = ""
    if block.valid_from is not None:
        dates += f" ss:validFromDate={attr(instant(block.valid_from))}"
    if block.valid_to is not None:
        dates += f" ss:validToDate={attr(instant(block.valid_to))}"
    return (
        f'<mes:DataSet ss:structureRef="{STRUCTURE_REF}" xsi:type="ns1:DataSetType" '
        f'ss:dataScope="DataStructure" ss:action={attr(block.action)}{dates}>'
    )


def _series(item: SeriesData, shape: Shape, delete: bool) -> str:
    attributes = shape.attributes and not delete
    series_attributes = item.attributes if attributes else []
    parts = []
    if shape.flat:
        for obs in item.observations:
            values = [*item.key, ("TIME_PERIOD", obs.time_period)]
            if obs.value is not None:
                values.append(("OBS_VALUE", obs.value))
            if attributes:
                values += [*series_attributes, *obs_attributes(obs)]
            parts.append(f"<Obs{_attrs(values)}/>")
        return "".join(parts)
    parts.append(f"<Series{_attrs([*item.key, *series_attributes])}>")
    if shape.observations:
        for obs in item.observations:
            values = [("TIME_PERIOD", obs.time_period)]
            if obs.value is not None:
                values.append(("OBS_VALUE", obs.value))
            if attributes:
                values += obs_attributes(obs)
            parts.append(f"<Obs{_attrs(values)}/>")
    parts.append("</Series>")
    return "".join(parts)


def structure_specific_data(blocks: Iterable[DataSetBlock], shape: Shape) -> Iterator[str]:
    namespace = ss_namespace(shape.dimension_at_observation)
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<mes:StructureSpecificData xmlns:mes="{NS["mes"]}" xmlns:ss="{NS["ss"]}" '
        f'xmlns:ns1="{namespace}" xmlns:com="{NS["com"]}" xmlns:xsi="{NS["xsi"]}">'
    )
    yield data_header(dimension_at_observation=shape.dimension_at_observation, namespace=True)
    for block in blocks:
        yield _dataset_open(block)
        for item in block.series:
            yield _series(item, shape, block.action == "Delete")
        yield "</mes:DataSet>"
    yield "</mes:StructureSpecificData>\n"
