"""Published data for the SDMX tests, made the way production makes it: upload, validate,
publish due releases."""

from __future__ import annotations

from countries.models import Agency
from indices.models import Submission
from indices.services.publication import releases_publish_due
from indices.services.submissions import SubmissionOptions, submission_create
from indices.services.validation_run import submission_validate

URLCONF = "tests.indices.sdmx.urls"
# 2021 averages exactly 100 (base year of the series and the reference year).
YEAR_2021 = [98, 96, 104, 90, 100, 101, 102, 103, 99, 100, 105, 102]
TH_2022 = {"2022-01": 110, "2022-02": 111.234, "2022-03": 112.5}
VN_2022 = {"2022-01": 130}


def monthly_csv(area: str, activity: str, values: dict[str, float], status: str = "A") -> bytes:
    lines = ["REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER"]
    lines += [f"{area},{activity},{p},{v},{status},2021" for p, v in values.items()]
    return ("\n".join(lines) + "\n").encode()


def year_2021() -> dict[str, float]:
    return {f"2021-{m:02d}": v for m, v in enumerate(YEAR_2021, start=1)}


def accept(content: bytes, agency: str = "TH_OIE", **options) -> Submission:
    submission, _ = submission_create(
        agency=Agency.objects.get(pk=agency),
        credential=None,
        chunks=[content],
        original_name="sdmx.csv",
        media_type="text/csv",
        options=SubmissionOptions(acknowledge_warnings=True, **options),
    )
    submission_validate(submission.pk)
    submission.refresh_from_db()
    assert submission.status == "ACCEPTED", submission.summary
    return submission


def publish(content: bytes, agency: str = "TH_OIE", **options) -> Submission:
    submission = accept(content, agency, **options)
    releases_publish_due()
    return submission


def publish_th_and_vn() -> None:
    publish(monthly_csv("TH", "C", {**year_2021(), **TH_2022}))
    publish(monthly_csv("VN", "C", {**year_2021(), **VN_2022}), agency="VN_NSO")


def withdraw(area: str, activity: str, period: str, agency: str = "TH_OIE") -> Submission:
    content = (
        f"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\n{area},{activity},{period},,2021\n"
    )
    return publish(content.encode(), agency, action="delete")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
