"""The secretariat's audit log: newest first, filtered by action and agency."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from countries.models import AuditEvent
from indices.web.access import secretariat_page
from indices.web.forms import AuditFilterForm


@require_safe
@secretariat_page
def audit_log(request: HttpRequest) -> HttpResponse:
    actions = list(
        AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    form = AuditFilterForm(request.GET or None, actions=actions)
    events = AuditEvent.objects.order_by("-at", "-id")
    if form.is_valid():
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["agency"]:
            events = events.filter(agency=form.cleaned_data["agency"].strip().upper())
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "web/audit.html", {"form": form, "page": page, "query": query.urlencode()}
    )
