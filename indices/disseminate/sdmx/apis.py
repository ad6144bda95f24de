"""SDMX-REST 1.5 (SDMX 2.1) endpoints under /sdmx/: structures, data, availability.

Bearer token with the `read` scope, counted against the same per-credential rate limit as the
REST read endpoints, and data answers with ETag/Last-Modified and 304s like REST data; but
errors are SDMX error messages (SDMX-ML `mes:Error`, or SDMX-JSON for JSON clients), not
problem+json, since SDMX clients read those, and content negotiation is SDMX's (Accept), not
DRF's.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator

from django.http import Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from indices.disseminate.apis.base import ReadApi, StoredAnswers
from indices.disseminate.sdmx import media
from indices.disseminate.sdmx.availability import available
from indices.disseminate.sdmx.csv import sdmx_csv
from indices.disseminate.sdmx.data import data_sets
from indices.disseminate.sdmx.errors import (
    SdmxError,
    code_for_status,
    error_response,
    no_results,
    not_implemented,
)
from indices.disseminate.sdmx.generic import generic_data
from indices.disseminate.sdmx.json import sdmx_json
from indices.disseminate.sdmx.query import check_flow_ref, check_provider, data_query
from indices.disseminate.sdmx.references import RESOURCES, UNIMPLEMENTED_RESOURCES, select
from indices.disseminate.sdmx.structure_specific import structure_specific_data
from indices.disseminate.sdmx.structures import Selection, structure_message
from indices.disseminate.sdmx.writers_common import Shape, effective_dimension
from indices.disseminate.selectors.published import series_list
from indices.disseminate.selectors.versions import series_version

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024
ANSWERED = ("data", "availableconstraint", *RESOURCES)


def sdmx_exception_handler(exc: Exception, context: dict) -> HttpResponse:
    """Every refusal as an SDMX error message, with the HTTP status (and Retry-After,
    WWW-Authenticate) of the original exception; the SDMX code from the SDMX-REST mapping
    (indices/sdmx/errors.py)."""
    request = context.get("request")
    as_json = media.wants_json(request.META.get("HTTP_ACCEPT") if request else None)
    headers: dict[str, str] = {}
    if isinstance(exc, SdmxError):
        error = exc
    elif isinstance(exc, Http404 | exceptions.NotFound):
        error = no_results()
    elif isinstance(exc, exceptions.APIException):
        status = exc.status_code
        error = SdmxError(code_for_status(status), _detail(exc.detail), status=status)
        # auth_header: set by APIView.handle_exception when an authenticator names its scheme.
        if auth_header := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth_header
        # wait: on Throttled, the rate limit's and the failed-token lockout's.
        if (wait := getattr(exc, "wait", None)) is not None:
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
    else:
        logger.exception("SDMX request failed")
        error = SdmxError(500, "The server failed to process this request; it has been logged.")
    response = error_response(error, as_json=as_json)
    for name, value in headers.items():
        response[name] = value
    response["Vary"] = "Accept, Authorization"
    return response


def _detail(detail: object) -> str:
    """DRF's detail (a message, or messages per field) as one line of text."""
    if isinstance(detail, dict):
        return " ".join(f"{name}: {_detail(value)}" for name, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_detail(item) for item in detail)
    return str(detail)


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    """Fewer, larger writes: a data message is many small pieces."""
    buffer: list[str] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


class SdmxApi(ReadApi):
    """`read` scope and the credential's read limit, shared with the REST endpoints
    (RateLimit-* headers, 429 with Retry-After); errors as SDMX messages."""

    renderer_classes = [JSONRenderer]
    # SDMX-REST has its own specification (docs/sdmx.md); it is not described in OpenAPI.
    schema = None

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # SDMX media types are negotiated by each view (406 as an SDMX error), not by DRF.
        return (JSONRenderer(), "application/json")

    def get_exception_handler(self):
        return sdmx_exception_handler

    def accept(self, request: Request) -> str | None:
        return request.META.get("HTTP_ACCEPT")


class SdmxDataApi(StoredAnswers, SdmxApi):
    """`/data/{flowRef}/{key}/{providerRef}` with SDMX-REST 1.5 query parameters (and asOf)."""

    sdmx_messages = True

    def get(
        self, request: Request, flow: str, key: str | None = None, provider: str | None = None
    ) -> StreamingHttpResponse | HttpResponseNotModified:
        check_flow_ref(flow)
        check_provider(provider)
        fmt = media.negotiate(
            self.accept(request), structure=False, format_param=request.GET.get("format")
        )
        query = data_query(key, request.GET)
        # The published series the key selects (the REST data endpoint's validator): their
        # count and latest change move with every release touching them, and with nothing
        # under embargo. Weak: each message has its own ID and preparation time.
        version = series_version(series_list(**query.key.as_filters()))
        if version.count == 0:
            raise no_results("No series match the key.")
        if (fresh := self.not_modified(request, version, fmt, weak=True)) is not None:
            return fresh
        shape = Shape(
            query.detail, effective_dimension(query.detail, query.dimension_at_observation)
        )
        blocks = data_sets(query)
        if fmt == "generic":
            chunks = generic_data(blocks, shape)
        elif fmt == "structurespecific":
            chunks = structure_specific_data(blocks, shape)
        elif fmt == "json":
            chunks = sdmx_json(blocks, shape)
        else:
            chunks = sdmx_csv(
                blocks,
                shape,
                history=query.include_history and query.updated_after is None,
                changes=query.updated_after is not None,
            )
        response = StreamingHttpResponse(_encoded(chunks), content_type=media.CONTENT_TYPES[fmt])
        response["Vary"] = "Accept, Authorization"
        return response


class SdmxStructureApi(SdmxApi):
    """`/{resource}/{agencyID}/{resourceID}/{version}/{itemID}?references=&detail=`."""

    def get(
        self,
        request: Request,
        resource: str,
        agency: str | None = None,
        resource_id: str | None = None,
        version: str | None = None,
        item_id: str | None = None,
    ) -> HttpResponse:
        media.negotiate(self.accept(request), structure=True)
        selection = select(
            resource,
            agency,
            resource_id,
            version,
            item_id,
            request.GET.get("references", "none"),
            request.GET.get("detail", "full"),
        )
        return _structure_response(selection)


class SdmxAvailabilityApi(SdmxApi):
    """`/availableconstraint/{flowRef}/{key}/{providerRef}/{componentID}?mode=&references=`."""

    def get(
        self,
        request: Request,
        flow: str,
        key: str | None = None,
        provider: str | None = None,
        component: str | None = None,
    ) -> HttpResponse:
        check_flow_ref(flow)
        check_provider(provider)
        media.negotiate(self.accept(request), structure=True)
        params = request.GET.copy()
        for ignored in ("updatedAfter", "asOf", "includeHistory", "detail"):
            params.pop(ignored, None)
        query = data_query(key, params)
        constraint = available(query, component, request.GET.get("mode", "exact"))
        references = request.GET.get("references", "none")
        selection = Selection()
        if references != "none":
            selection = select("dataflow", None, None, None, None, "all", "full")
            if references not in {"all", "descendants"}:
                keep = {"dataflow": "dataflows", "datastructure": "datastructures"}
                keep |= {"codelist": "codelists", "conceptscheme": "conceptschemes"}
                if references not in keep:
                    raise SdmxError(140, f"references={references!r} is not understood here.")
                selection = Selection(**{keep[references]: getattr(selection, keep[references])})
        selection.constraints.append(constraint)
        return _structure_response(selection)


class SdmxUnknownApi(SdmxApi):
    def get(self, request: Request, path: str = "") -> HttpResponse:
        resource = path.strip("/").split("/")[0].lower()
        if resource in UNIMPLEMENTED_RESOURCES:
            raise not_implemented(
                f"{resource!r} queries are not implemented by this service, which answers "
                f"{', '.join(ANSWERED)}."
            )
        raise no_results(
            f"No SDMX resource {path!r} here; this service answers {', '.join(ANSWERED)}."
        )


def _structure_response(selection: Selection) -> HttpResponse:
    response = HttpResponse(structure_message(selection), content_type=media.STRUCTURE)
    response["Vary"] = "Accept, Authorization"
    return response
