"""What every write endpoint of this app shares."""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from countries.permissions import IsSecretariatAdmin


class WritePermissionMixin(APIView):
    """GET for any valid token; POST only for the secretariat's admin tokens."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsSecretariatAdmin()]
        return [IsAuthenticated()]
