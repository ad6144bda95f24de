from django.urls import path

from indices.validate.apis import SubmissionConfirmApi, SubmissionReportApi

urlpatterns = [
    path(
        "submissions/<str:submission_id>/confirm/",
        SubmissionConfirmApi.as_view(),
        name="submission-confirm",
    ),
    path(
        "submissions/<str:submission_id>/report",
        SubmissionReportApi.as_view(),
        name="submission-report",
    ),
]
