"""SDMX-REST 1.5 (SDMX 2.1) endpoints under /sdmx/: structures, data, availability.

Bearer token with the `read` scope, like the rest of the API; but errors are SDMX error
messages (SDMX-ML `mes:Error`, or SDMX-JSON for JSON clients), not problem+json, since SDMX
clients read those, and content negotiation is SDMX's (Accept), not DRF's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from django.http import Http404, HttpResponse, StreamingHttpResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from countries.permissions import CanRead
from indices.sdmx import media
from indices.sdmx.availability import available
from indices.sdmx.csv import sdmx_csv
from indices.sdmx.data import data_sets
from indices.sdmx.errors import SdmxError, error_response, no_results
from indices.sdmx.generic import generic_data
from indices.sdmx.json import sdmx_json
from indices.sdmx.query import check_flow_ref, check_provider, data_query
from indices.sdmx.references import select
from indices.sdmx.structure_specific import structure_specific_data
from indices.sdmx.structures import Selection, structure_message
from indices.sdmx.writers_common import Shape, effective_dimension

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024


def sdmx_exception_handler(exc: Exception, context: dict) -> HttpResponse:
    request = context.get("request")
    as_json = media.wants_json(request.META.get("HTTP_ACCEPT") if request else None)
    headers: dict[str, str] = {}
    if isinstance(exc, SdmxError):
        error = exc
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        error = SdmxError(110, str(exc.detail), status=exc.status_code)
        # Set by APIView.handle_exception when an authenticator names its scheme.
        if auth_header := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth_header
    elif isinstance(exc, exceptions.PermissionDenied):
        error = SdmxError(110, str(exc.detail), status=403)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        error = no_results()
    elif isinstance(exc, exceptions.APIException):
        error = SdmxError(140 if exc.status_code == 400 else 500, str(exc.detail))
        error.status = exc.status_code
    else:
        logger.exception("SDMX request failed")
        error = SdmxError(500, "The server failed to process this request; it has been logged.")
    response = error_response(error, as_json=as_json)
    for name, value in headers.items():
        response[name] = value
    response["Vary"] = "Accept, Authorization"
    return response


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


class SdmxApi(APIView):
    permission_classes = [CanRead]
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


class SdmxDataApi(SdmxApi):
    """`/data/{flowRef}/{key}/{providerRef}` with SDMX-REST 1.5 query parameters (and asOf)."""

    def get(
        self, request: Request, flow: str, key: str | None = None, provider: str | None = None
    ) -> StreamingHttpResponse:
        check_flow_ref(flow)
        check_provider(provider)
        fmt = media.negotiate(
            self.accept(request), structure=False, format_param=request.GET.get("format")
        )
        query = data_query(key, request.GET)
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
        raise SdmxError(
            501 if path else 100,
            f"No SDMX resource {path!r} here. This service answers data, availableconstraint, "
            "dataflow, datastructure, codelist and conceptscheme queries.",
        )


def _structure_response(selection: Selection) -> HttpResponse:
    response = HttpResponse(structure_message(selection), content_type=media.STRUCTURE)
    response["Vary"] = "Accept, Authorization"
    return response
