"""Who works with submissions."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from countries.models import Agency


class WorksWithSubmissions(BasePermission):
    """Reporters see their own submissions, the secretariat all; readers none."""

    message = "Only reporting agencies and the secretariat work with submissions."

    def has_permission(self, request: Request, view: object) -> bool:
        agency = getattr(request.user, "agency", None)
        return agency is not None and agency.role != Agency.Role.READER
