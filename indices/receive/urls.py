from django.urls import path

from indices.receive.apis.submissions import SubmissionDetailApi, SubmissionListApi
from indices.receive.apis.templates import SubmissionTemplateApi

urlpatterns = [
    path("submissions/", SubmissionListApi.as_view(), name="submission-list"),
    path("submissions/templates/", SubmissionTemplateApi.as_view(), name="submission-template"),
    path(
        "submissions/<str:submission_id>/", SubmissionDetailApi.as_view(), name="submission-detail"
    ),
]
