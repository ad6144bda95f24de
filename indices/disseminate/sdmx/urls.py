"""SDMX-REST 1.5 routes, mounted at /sdmx/ (a stable prefix partners configure once).

Django matches the decoded path, so percent-encoded flowRefs (`MKG%2CDF_IPI%2C1.0`) and keys
(`M.TH%2BVN.C.N.IX`) work as they are; every route takes an optional trailing slash.
"""

from django.urls import re_path

from indices.disseminate.sdmx.apis import (
    SdmxAvailabilityApi,
    SdmxDataApi,
    SdmxStructureApi,
    SdmxUnknownApi,
)
from indices.disseminate.sdmx.references import RESOURCES

SEGMENT = r"[^/]*"
# Other SDMX resources go to SdmxUnknownApi: 501 Not implemented.
STRUCTURE_RESOURCES = "|".join(RESOURCES)

urlpatterns = [
    re_path(
        rf"^data/(?P<flow>[^/]+)(?:/(?P<key>{SEGMENT})(?:/(?P<provider>{SEGMENT}))?)?/?$",
        SdmxDataApi.as_view(),
        name="sdmx-data",
    ),
    re_path(
        rf"^availableconstraint/(?P<flow>[^/]+)(?:/(?P<key>{SEGMENT})"
        rf"(?:/(?P<provider>{SEGMENT})(?:/(?P<component>{SEGMENT}))?)?)?/?$",
        SdmxAvailabilityApi.as_view(),
        name="sdmx-availability",
    ),
    re_path(
        rf"^(?P<resource>{STRUCTURE_RESOURCES})(?:/(?P<agency>{SEGMENT})"
        rf"(?:/(?P<resource_id>{SEGMENT})(?:/(?P<version>{SEGMENT})"
        rf"(?:/(?P<item_id>{SEGMENT}))?)?)?)?/?$",
        SdmxStructureApi.as_view(),
        name="sdmx-structure",
    ),
    re_path(r"^(?P<path>.*)$", SdmxUnknownApi.as_view(), name="sdmx-unknown"),
]
