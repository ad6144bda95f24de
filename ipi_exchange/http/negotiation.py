"""Content negotiation for every API view: DRF's, with its two refusals made explicit.

DRF answers an unknown `?format=` with a bare 404 ("Not found."), as if the address did not
exist; here it is a 400 naming the parameter and the formats this endpoint offers. An Accept
header that no renderer satisfies stays a 406, whose detail lists the media types offered.
Both reach the problem+json handler like every other error.
"""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        # `?format=` with no value: DRF ignores it; it is a mistake to report. (Imported here:
        # params imports DRF's views, which import this module through DRF's settings.)
        from ipi_exchange.http.params import reject_blank

        reject_blank(request.query_params, [self.settings.URL_FORMAT_OVERRIDE])
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            offered = ", ".join(dict.fromkeys(r.media_type for r in renderers))
            raise exceptions.NotAcceptable(
                f"Cannot answer in any of the media types in the Accept header; this endpoint "
                f"offers {offered}."
            ) from None

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        renderers = list(renderers)
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            name = self.settings.URL_FORMAT_OVERRIDE
            offered = ", ".join(dict.fromkeys(r.format for r in renderers))
            raise exceptions.ValidationError(
                {
                    name: [
                        exceptions.ErrorDetail(
                            f"Unknown format {format!r}; this endpoint offers: {offered}.",
                            code="invalid_choice",
                        )
                    ]
                }
            )
        return found
