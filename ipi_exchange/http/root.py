"""GET /api/v1/: where everything is, for a person with curl or a program discovering links."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

LINKS = [
    "standard",
    "codelist-list",
    "country-list",
    "agency-list",
    "credential-list",
    "classification-list",
    "submission-list",
    "weight-list",
    "audit-list",
    "webhook-list",
    "series-list",
    "release-list",
]


class ApiRootApi(APIView):
    """Any valid token; counts towards the read limit like every read endpoint."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        links = {name.removesuffix("-list"): reverse(name, request=request) for name in LINKS}
        links["schema"] = reverse("schema", request=request)
        links["docs"] = reverse("docs", request=request)
        return Response({"service": "Mekong IPI Data Exchange", "version": "v1", "links": links})
