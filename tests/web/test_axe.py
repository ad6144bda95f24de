"""axe-core (the engine behind Lighthouse's and Deque's audits) over every page, in Chromium:
no serious or critical violation anywhere a clerk, a reader or the secretariat goes."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from countries.models import Agency
from tests.web.base import URLCONF, make_user
from tests.web.test_browser import UPLOAD, _published_with_an_aggregate_and_a_revision, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

SERIOUS = {"serious", "critical"}


def _violations(page, axe: Axe) -> list[str]:
    found = axe.run(page).response["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}) at {', '.join(n['target'][0] for n in v['nodes'])}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def test_no_page_has_a_serious_or_critical_axe_violation(live_server, settings, browser):
    """At a phone's width (390 px), where the tables and forms are tightest."""
    from tests.web.base import validated

    settings.ROOT_URLCONF = URLCONF
    make_user("somchai", Agency.objects.get(pk="TH_OIE"))
    make_user("sec", Agency.objects.get(pk="MKG_SEC"))
    make_user("reader", Agency.objects.create(id="RESEARCH_AXE", name="Research", role="reader"))
    _published_with_an_aggregate_and_a_revision()
    report = validated(UPLOAD.read_bytes())  # a report with findings to show
    base = live_server.url
    pages = {
        "somchai": [
            "/",
            "/upload/",
            "/submissions/",
            f"/submissions/{report.pk}/",
            "/releases/",
            "/timeliness/",
            "/no-such-page/",
        ],
        "reader": [
            "/series/",
            "/series/M.TH.C.N.IX/",
            "/series/M.TH.C.N.IX/vintages/",
            "/series/M.MKG.C.N.IX/",
            "/find/?q=thai+manufacturing",
            "/compare/",
        ],
        "sec": ["/audit/", "/submissions/"],
    }
    axe = Axe()
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    # The sign-in page itself, before anyone signs in.
    page.goto(f"{base}/accounts/login/")
    problems += _violations(page, axe)
    for username, paths in pages.items():
        sign_in(page, base, username)
        for path in paths:
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            problems += _violations(page, axe)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{base}/accounts/login/")
    context.close()
    assert problems == []
