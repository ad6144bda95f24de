"""pandas.read_csv straight from the API over HTTP, the token in storage_options."""

import pandas as pd
import pytest

from countries.models import Agency
from tests.factories import credential_for
from tests.indices.disseminate.series.base import URLCONF
from tests.indices.publishing import monthly_csv, publish, year_2021


@pytest.mark.django_db(transaction=True)
def test_pandas_reads_the_data_and_bulk_csv_from_a_live_server(seeded, live_server, settings):
    settings.ROOT_URLCONF = URLCONF
    settings.IPI_API_RATE = "100000/minute"
    publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110.123456}))
    _, token = credential_for(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="pandas")
    headers = {"Authorization": f"Bearer {token}"}

    frame = pd.read_csv(
        f"{live_server.url}/api/v1/data/M.TH.C.N.IX?format=csv&startPeriod=2021-12",
        storage_options=headers,
    )
    assert list(frame.columns) == [
        "KEY",
        "FREQ",
        "REF_AREA",
        "ACTIVITY",
        "ADJUSTMENT",
        "TRANSFORMATION",
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "COMMENT",
    ]
    assert frame["TIME_PERIOD"].tolist() == ["2021-12", "2022-01"]
    assert frame["OBS_VALUE"].tolist() == [102.0, 110.12]

    bulk = pd.read_csv(
        f"{live_server.url}/api/v1/bulk/data.csv?ref_area=TH", storage_options=headers
    )
    assert len(bulk) > len(frame)
    assert set(bulk["KEY"]) >= {"M.TH.C.N.IX", "A.TH.C.N.IX"}

    with pytest.raises(Exception, match="401"):
        pd.read_csv(f"{live_server.url}/api/v1/data/M.TH.C.N.IX?format=csv")
