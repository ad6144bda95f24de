from django.urls import path

from indices.apis.standard import CodelistDetailApi, CodelistListApi, StandardCurrentApi
from indices.apis.submissions import (
    SubmissionConfirmApi,
    SubmissionDetailApi,
    SubmissionListApi,
    SubmissionReportApi,
)
from indices.apis.templates import SubmissionTemplateApi
from indices.apis.weights import AuditEventListApi, WeightListApi

urlpatterns = [
    path("weights/", WeightListApi.as_view(), name="weight-list"),
    path("audit/", AuditEventListApi.as_view(), name="audit-list"),
    path("standard/", StandardCurrentApi.as_view(), name="standard"),
    path("codelists/", CodelistListApi.as_view(), name="codelist-list"),
    path("codelists/<str:codelist_id>/", CodelistDetailApi.as_view(), name="codelist-detail"),
    path("submissions/", SubmissionListApi.as_view(), name="submission-list"),
    path("submissions/templates/", SubmissionTemplateApi.as_view(), name="submission-template"),
    path(
        "submissions/<str:submission_id>/", SubmissionDetailApi.as_view(), name="submission-detail"
    ),
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
