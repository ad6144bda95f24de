"""HTTP for submissions: upload (202), list, detail with live progress."""

from __future__ import annotations

import itertools
import json
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from countries.models import agency_id_validator, country_code_validator
from countries.permissions import CanSubmit
from countries.principals import ApiRequest
from indices.receive.models import Submission
from indices.receive.permissions import WorksWithSubmissions
from indices.receive.progress import submission_progress
from indices.receive.selectors import submission_get, submission_list
from indices.receive.services import SubmissionOptions, submission_create
from ipi_exchange.errors import ApplicationError, upload_too_large
from ipi_exchange.http.fields import InstantField, StrictCharField
from ipi_exchange.http.pagination import paginated, paginated_schema
from ipi_exchange.http.params import PAGINATION, parse_instant, reject_unknown
from ipi_exchange.http.parsers import (
    FileUploadParser,
    JSONParser,
    MultiPartParser,
    json_too_deep,
    max_json_depth,
    too_deep_error,
)
from ipi_exchange.http.schema import (
    AGENCY_ID_PATTERN,
    COUNTRY_CODE_PATTERN,
    FREE_TEXT_PATTERN,
    INSTANT_PATTERN,
    TEXT_PATTERN,
    Refusal,
    refusals,
    string,
)
from ipi_exchange.http.text import reject_non_ascii_digits

INSTANT = string(INSTANT_PATTERN)

# Read from a raw body at a time; the first one is looked at before the rest is streamed.
CHUNK = 1024 * 1024
# Room for multipart boundaries and form fields around a file of the maximum size.
MULTIPART_OVERHEAD = 64 * 1024


class UtcInstantField(IsoDateTimeField):
    """An ISO 8601 instant as every query parameter takes it (`params.parse_instant`), in UTC:
    PostgreSQL refuses offsets past 15:59 (a 500, not a 400)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_instant(str(self.label or "instant"), value)
        except ValidationError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcInstantFilter(filters.IsoDateTimeFilter):
    field_class = UtcInstantField


class SubmissionFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Submission.Status.choices)
    received_after = UtcInstantFilter(field_name="received_at", lookup_expr="gte")
    received_before = UtcInstantFilter(field_name="received_at", lookup_expr="lt")
    # Refused when not of the form of a code (as the schema says), not just an empty list.
    country = filters.CharFilter(
        field_name="agency__country_id", validators=[country_code_validator]
    )
    agency = filters.CharFilter(field_name="agency_id", validators=[agency_id_validator])

    class Meta:
        model = Submission
        fields = ["status", "received_after", "received_before", "country", "agency"]


class SubmissionOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency_id")
    country = serializers.CharField(source="agency.country_id", allow_null=True)
    file = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "url",
            "report_url",
            "agency",
            "country",
            "status",
            "action",
            "release_at",
            "dry_run",
            "acknowledge_warnings",
            "comment",
            "file",
            "progress",
            "summary",
            "attempts",
            "received_at",
            "validation_started_at",
            "validated_at",
            "confirmed_at",
        ]

    def get_url(self, submission: Submission) -> str:
        return reverse(
            "submission-detail", args=[submission.pk], request=self.context.get("request")
        )

    def get_report_url(self, submission: Submission) -> str:
        return reverse(
            "submission-report", args=[submission.pk], request=self.context.get("request")
        )

    def get_file(self, submission: Submission) -> dict:
        return {
            "sha256": submission.sha256,
            "size": submission.size,
            "original_name": submission.original_name,
            "media_type": submission.media_type,
            "detected_format": submission.detected_format,
            "layout": submission.layout,
        }

    def get_progress(self, submission: Submission) -> dict:
        return submission_progress(submission)


class UploadOptionsSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Submission.Action.choices, default="merge")
    release_at = InstantField(required=False, allow_null=True, default=None)
    dry_run = serializers.BooleanField(default=False)
    acknowledge_warnings = serializers.BooleanField(default=False)
    comment = StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


class SubmissionListApi(APIView):
    """GET: submissions (own agency; the secretariat sees all). POST: upload one file."""

    parser_classes = [MultiPartParser, JSONParser, FileUploadParser]
    filterset_class = SubmissionFilter

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), WorksWithSubmissions(), CanSubmit()]
        return [IsAuthenticated(), WorksWithSubmissions()]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, many=True, enum=Submission.Status.values),
            OpenApiParameter("received_after", INSTANT, description="ISO 8601 instant"),
            OpenApiParameter("received_before", INSTANT, description="ISO 8601 instant"),
            OpenApiParameter("country", string(COUNTRY_CODE_PATTERN), description="e.g. TH"),
            OpenApiParameter("agency", string(AGENCY_ID_PATTERN), description="e.g. TH_OIE"),
        ],
        operation_id="submissions_list",
        responses=paginated_schema(SubmissionOutputSerializer),
    )
    def get(self, request: ApiRequest) -> Response:
        # Strict like every list: a typo'd or misplaced filter (`dry_run` is an upload option)
        # would otherwise silently list everything.
        reject_unknown(request.query_params, [*SubmissionFilter.base_filters, *PAGINATION])
        filtered = SubmissionFilter(
            request.query_params, queryset=submission_list(principal=request.user)
        )
        if not filtered.is_valid():
            raise serializers.ValidationError(filtered.errors)
        return paginated(request, self, filtered.qs, SubmissionOutputSerializer)

    @extend_schema(
        operation_id="submission_upload",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string; retrying with it returns the same "
                "submission instead of a new one.",
            ),
            OpenApiParameter(
                "filename",
                string(FREE_TEXT_PATTERN),
                description="Name of a file sent as the raw body",
            ),
            OpenApiParameter("action", str, enum=Submission.Action.values),
            OpenApiParameter("release_at", string(INSTANT_PATTERN), description="ISO 8601 instant"),
            OpenApiParameter("dry_run", bool),
            OpenApiParameter("acknowledge_warnings", bool),
            OpenApiParameter(
                "comment", string(TEXT_PATTERN, maxLength=1000), description="Free text"
            ),
        ],
        request={
            "multipart/form-data": inline_serializer(
                "SubmissionUpload",
                {"file": serializers.FileField(), **UploadOptionsSerializer().get_fields()},
            ),
            # The file itself, kept as sent: its content is checked by the validation (the
            # findings are in the report), so the upload accepts any JSON object.
            "application/json": {
                "type": "object",
                "description": 'The observations as JSON: {"observations": [{"REF_AREA": "TH", '
                '"ACTIVITY": "C", "TIME_PERIOD": "2024-01", "OBS_VALUE": 101.2, ...}, ...]}. '
                "A body under 1 MiB that is not JSON is refused at once (parse_error).",
                # Refused at once without it (_check_json_start), and a short body that is not
                # JSON; the rest is the validation's.
                "required": ["observations"],
                "properties": {"observations": {"description": "The rows"}},
            },
            # An empty body is refused at once (file_missing).
            "text/csv": {"type": "string", "minLength": 1, "description": "The CSV file, as text"},
        },
        responses={
            202: SubmissionOutputSerializer,
            200: OpenApiResponse(
                SubmissionOutputSerializer,
                description="The same upload was received before: that one.",
            ),
            413: OpenApiResponse(description="Larger than IPI_MAX_UPLOAD_BYTES"),
        },
        extensions=refusals(
            Refusal(
                "conflicting_parameters",
                400,
                "across",
                "an upload option given both in the query and in the form: give it once",
            ),
            Refusal(
                "idempotency_key_reused",
                422,
                "data",
                "the Idempotency-Key was used before for a different file",
            ),
        ),
    )
    def post(self, request: ApiRequest) -> Response:
        # The body is required (file_missing without it): REQUIRED_BODIES in http/schema.py.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.IPI_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            raise upload_too_large(settings.IPI_MAX_UPLOAD_BYTES)  # before reading the body
        # A misspelt option (`acknowledge_warning`) must not be dropped in silence.
        option_names = list(UploadOptionsSerializer().fields)
        reject_unknown(request.query_params, [*option_names, "filename"])
        chunks, name, media_type, form = _upload_source(request)
        reject_unknown(form, option_names)
        reject_non_ascii_digits((name, [value]) for name, value in form.items())
        # Given twice, the form would silently win (`?dry_run=false` and a form's true).
        if twice := sorted(set(request.query_params) & set(form)):
            raise ValidationError(
                {
                    name: [
                        ErrorDetail(
                            "Given both in the query and in the form: give it once.",
                            code="conflicting_parameters",
                        )
                    ]
                    for name in twice
                }
            )
        options = UploadOptionsSerializer(data={**request.query_params.dict(), **form})
        options.is_valid(raise_exception=True)
        submission, created = submission_create(
            agency=request.user.agency,
            credential=request.user.credential,
            chunks=chunks,
            original_name=name,
            media_type=media_type,
            options=SubmissionOptions(**options.validated_data),
            idempotency_key=request.headers.get("Idempotency-Key", "")[:200],
        )
        body = SubmissionOutputSerializer(submission, context={"request": request}).data
        return Response(
            body,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
            headers={"Location": body["url"]},
        )


def _upload_source(request: Request):
    """(chunks, file name, media type, form options): a multipart `file` field, or the raw
    body itself (JSON `{"observations": [...]}`, CSV, XLSX) streamed without parsing it here."""
    media_type = request.content_type.split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        files = request.FILES.getlist("file")
        if not files:
            raise ApplicationError(
                "Send the file in a multipart field named `file`.", code="file_missing"
            )
        if len(files) > 1 or set(request.FILES) != {"file"}:
            raise ApplicationError(
                "Send one file per submission, in the multipart field `file`.",
                code="too_many_files",
            )
        upload = files[0]
        # A multipart body: its data is a QueryDict.
        form = {k: v for k, v in cast(QueryDict, request.data).items() if k != "file"}
        return upload.chunks(), upload.name, upload.content_type or "", form
    stream = request.stream
    if stream is None:
        raise ApplicationError(
            "The request has no body: send a file (multipart field `file`) or the data itself.",
            code="file_missing",
        )
    name = request.query_params.get("filename", "")
    first = stream.read(CHUNK)
    if media_type == "application/json" or media_type.endswith("+json"):
        _check_json_start(first, complete=len(first) < CHUNK)
    rest = iter(lambda: stream.read(CHUNK), b"")
    return itertools.chain([first] if first else [], rest), name, media_type, {}


def _check_json_start(first: bytes, *, complete: bool) -> None:
    """A JSON body that cannot be `{"observations": [...]}` is refused now, not after it is
    queued: judged from its first bytes (the body is streamed to the file store, never held
    whole), or from all of it when it is that short; a short body that is not JSON at all is a
    `parse_error`, as at every other JSON endpoint. What the rows hold (a NUL in a string
    included) stays the validation's business: it reports it row by row."""
    text = first.decode("utf-8", "replace").lstrip(" \t\r\n\ufeff")
    if not text:
        return  # an empty body: the validation says so
    if text[0] != "{":
        raise _not_an_object()
    if not complete:
        return
    if json_too_deep(text, limit := max_json_depth()):
        raise too_deep_error(limit)
    try:
        data = json.loads(text)
    except ValueError as error:
        # The schema says JSON: a body that is not is refused, not queued for an E01.
        raise ParseError(f"JSON parse error - {error}") from None
    if not isinstance(data, dict) or not any(
        str(key).strip().lower() == "observations" for key in data
    ):
        raise _not_an_object()


def _not_an_object() -> ValidationError:
    return ValidationError(
        {
            "body": [
                ErrorDetail(
                    'A JSON body must be one object of the form {"observations": [{...}, ...]}.',
                    code="not_an_object",
                )
            ]
        }
    )


class SubmissionDetailApi(APIView):
    permission_classes = [IsAuthenticated, WorksWithSubmissions]

    @extend_schema(responses=SubmissionOutputSerializer)
    def get(self, request: ApiRequest, submission_id: str) -> Response:
        submission = submission_get(principal=request.user, submission_id=submission_id)
        return Response(SubmissionOutputSerializer(submission, context={"request": request}).data)
