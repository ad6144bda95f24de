"""The pages in a real browser: Debian's Chromium driven by Playwright, against a live server
(the clerk's whole path with a real worker: test_browser_worker.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from countries.models import Agency
from tests.indices.corpus import CORPUS
from tests.web.base import PASSWORD, URLCONF, make_user
from tests.workers import ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]

ARTIFACTS = ROOT / "test-artifacts" / "web"
UPLOAD = CORPUS / "good" / "long_comma.csv"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


FOCUSABLE = (
    "a, button, input, select, textarea, iframe, [tabindex]:not([tabindex='-1']), [contenteditable]"
)


def _published_and_a_report():
    from tests.indices.publishing import monthly_csv, publish, year_2021
    from tests.web.base import validated

    publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110.0}))
    return validated(UPLOAD.read_bytes())  # W07 warnings: long messages to fix


def test_narrow_window_keyboard_and_chart_semantics(live_server, settings, browser):
    settings.ROOT_URLCONF = URLCONF
    make_user("somchai", Agency.objects.get(pk="TH_OIE"))
    report = _published_and_a_report()
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    sign_in(page, base, "somchai")
    assert problems == []  # no /favicon.ico 404 (or anything else) on a first load

    # The board fits the window; its scroll box is reachable and scrolls from the keyboard.
    page.goto(f"{base}/timeliness/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    board = page.locator(".table-wrap").first
    assert board.get_attribute("tabindex") == "0" and board.get_attribute("aria-label")
    board.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.table-wrap').scrollLeft > 0")

    # The report: "What to fix" keeps a readable width; every scroll box is reachable and named.
    page.goto(f"{base}/submissions/{report.pk}/")
    cell = page.locator("[data-rule=W07] td.fix").first.bounding_box()
    assert cell is not None and cell["width"] >= 250 and cell["height"] < 300, cell
    for wrap in page.locator(".table-wrap").all():
        assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("aria-label")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "5-report-narrow.png", full_page=True)

    # A single series: named above the chart and in a legend; nothing focusable in an image.
    page.goto(f"{base}/series/?country=TH&activity=C&adjustment=N")
    page.wait_for_function("window.ipiChart !== undefined")
    assert "Thailand" in page.locator("#chart-title").inner_text()
    assert page.locator("#chart .legend .traces").count() == 1
    nested = page.evaluate(
        """(focusable) => [...document.querySelectorAll('[role=img]')]
            .filter((image) => image.querySelector(focusable)).length""",
        FOCUSABLE,
    )
    assert nested == 0
    assert page.locator("#values").get_attribute("open") is None  # folded once drawn
    page.screenshot(path=ARTIFACTS / "6-single-series-narrow.png", full_page=True)
    assert problems == []
    context.close()


def test_without_javascript_progress_reloads_and_the_chart_says_so(live_server, settings, browser):
    from unittest import mock

    from indices.receive.services import SubmissionOptions, submission_create
    from indices.validate.services import submission_validate

    settings.ROOT_URLCONF = URLCONF
    make_user("somchai", Agency.objects.get(pk="TH_OIE"))
    _published_and_a_report()
    with mock.patch("indices.validate.tasks.validate_submission.delay_on_commit"):
        pending, _ = submission_create(
            agency=Agency.objects.get(pk="TH_OIE"),
            credential=None,
            chunks=[UPLOAD.read_bytes().replace(b"2021-03", b"2021-3")],
            original_name="pending.csv",
            media_type="text/csv",
            options=SubmissionOptions(),
        )
    base = live_server.url
    # Sign in with JavaScript (the form works either way), then browse without it.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    sign_in(context.new_page(), base, "somchai")
    state = context.storage_state()
    context.close()
    context = browser.new_context(java_script_enabled=False, storage_state=state)
    page = context.new_page()
    page.goto(f"{base}/submissions/{pending.pk}/")
    assert "reload" in page.locator("#progress-hint").inner_text()
    assert page.locator("#report-title").count() == 0
    submission_validate(pending.pk)  # the worker's part, here
    page.locator("#report-title").wait_for(timeout=12_000)  # the page reloaded by itself

    page.goto(f"{base}/series/?country=TH&activity=C&adjustment=N")
    assert "needs JavaScript" in page.locator("#chart-noscript").inner_text()
    assert page.locator("#values table").first.is_visible()
    page.screenshot(path=ARTIFACTS / "7-series-without-javascript.png", full_page=True)
    context.close()


# Issue #17, the readers' pages: what axe would check, by hand (tests/web/a11y.js).
A11Y = (Path(__file__).parent / "a11y.js").read_text()


def _published_with_an_aggregate_and_a_revision() -> None:
    from countries.models import Country
    from indices.publish.models import ValueAddedWeight
    from tests.indices.publishing import monthly_csv, publish, year_2021

    for code, value in (("TH", 300), ("VN", 100), ("KH", 20)):
        ValueAddedWeight.objects.create(
            country=Country.objects.get(pk=code), activity="C", year=2021, value_added=value
        )
    publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110.0}))
    publish(monthly_csv("VN", "C", year_2021()), agency="VN_NSO")
    publish(monthly_csv("TH", "C", {"2022-01": 111.0, "2022-02": 112.0}))


def test_reader_pages_at_390_px_with_and_without_javascript(live_server, settings, browser):
    settings.ROOT_URLCONF = URLCONF
    make_user("reader", Agency.objects.create(id="RESEARCH_WEB", name="Research", role="reader"))
    _published_with_an_aggregate_and_a_revision()
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(base) else None)
    sign_in(page, base, "reader")

    # Found by words, then its page: the chart draws every value shown in the table.
    page.get_by_role("link", name="Find", exact=True).click()
    page.get_by_label("Country, region or activity, in words").fill("thai manufacturing")
    page.get_by_role("button", name="Find").click()
    page.locator("#found a").first.click()
    page.wait_for_url(f"{base}/series/M.TH.C.N.IX/")
    page.wait_for_function("window.ipiChart !== undefined")
    assert page.evaluate("window.ipiChart.points") == 14
    assert page.locator("#chart .scatterlayer .point").count() == 14
    assert page.locator("#series-table tbody tr").count() == 14
    page.screenshot(path=ARTIFACTS / "8-series-page-narrow.png", full_page=True)
    checked = ["series"]
    assert page.evaluate(A11Y, FOCUSABLE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="Year on year").click()
    page.wait_for_url(f"{base}/series/M.TH.C.N.PCH_SM/")  # the old page's chart is no answer
    page.wait_for_function("window.ipiChart !== undefined")
    assert page.evaluate("window.ipiChart.lines[0].key") == "M.TH.C.N.PCH_SM"

    for path, lines in [("/series/M.TH.C.N.IX/vintages/", 2), ("/compare/", 4)]:
        page.goto(f"{base}{path}")
        page.wait_for_function("window.ipiChart !== undefined")
        assert page.evaluate("window.ipiChart.traces") == lines, path
        assert page.evaluate(A11Y, FOCUSABLE) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        checked.append(path)
    assert "95.2%" in page.locator("[data-group='M.MKG.C.N.IX']").inner_text()
    page.screenshot(path=ARTIFACTS / "9-compare-narrow.png", full_page=True)
    page.goto(f"{base}/find/?area=MKG")
    assert page.evaluate(A11Y, FOCUSABLE) == []
    assert problems == [], problems
    state = context.storage_state()
    context.close()

    # Without JavaScript: the tables show, the switches and forms work, the download comes.
    context = browser.new_context(
        java_script_enabled=False, storage_state=state, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"{base}/series/M.TH.C.N.IX/")
    assert page.locator("#series-table").is_visible()
    page.get_by_label("From").select_option("2022")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#series-table tbody tr")).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "M.TH.C.N.IX-from-2022.csv"
    assert len(Path(download.value.path()).read_text().splitlines()) == 3
    page.get_by_role("link", name="Quarterly").click()
    assert "Q.TH.C.N.IX" in page.url
    page.goto(f"{base}/series/M.TH.C.N.IX/vintages/")
    assert page.locator("#differences tr.differs").count() == 2
    page.goto(f"{base}/compare/")
    page.get_by_label("Viet Nam").uncheck()
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#compare-table thead th")).to_have_count(1 + 3 + 2)  # TH, MKG, MKG_JP
    page.screenshot(path=ARTIFACTS / "10-compare-without-javascript.png", full_page=True)
    context.close()
