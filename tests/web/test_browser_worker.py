"""A clerk uploads in a real browser (Debian's Chromium, Playwright), watches the status,
opens the report and confirms the warnings; a real Celery worker publishes; a reader sees the
chart draw the published points. A module of its own: the module's worker stops with it, so
the other browser tests validate and publish in their own process with no worker racing them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from countries.models import Agency
from indices.publish.models import PublishedObservation, Release
from tests.web.base import THAI, URLCONF, make_user
from tests.web.test_browser import ARTIFACTS, UPLOAD, sign_in
from tests.workers import wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


def test_clerk_uploads_confirms_and_a_reader_sees_the_published_chart(
    worker, live_server, settings, browser
):
    settings.ROOT_URLCONF = URLCONF
    make_user("somchai", Agency.objects.get(pk="TH_OIE"))
    reader_agency = Agency.objects.create(id="RESEARCH_WEB", name="Research", role="reader")
    make_user("reader", reader_agency)
    base = live_server.url

    # The clerk: upload, watch the status change without reloading, read the report, confirm.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, "somchai")
    page.get_by_role("link", name="Upload", exact=True).click()
    page.wait_for_url(f"{base}/upload/")
    page.wait_for_load_state()  # the deferred script listens for the file input's change
    page.set_input_files("#id_file", str(UPLOAD))
    expect(page.locator("#dropzone-name")).to_have_text(UPLOAD.name)
    page.get_by_label("Comment").fill(THAI)
    page.screenshot(path=ARTIFACTS / "1-upload.png", full_page=True)
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(f"{base}/submissions/*/")
    page.locator("[data-rule=W07]").wait_for(timeout=45_000)  # polled, then reloaded
    assert page.locator("#progress [data-role=status]").inner_text() == "NEEDS_CONFIRMATION"
    assert page.locator("#progress [data-role=rows_read]").inner_text() == "54"
    assert THAI in page.locator(".comment").inner_text()
    assert "late" in page.locator("[data-rule=W07] summary").inner_text().lower()
    page.screenshot(path=ARTIFACTS / "2-report.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (CSV)").click()
    assert download.value.suggested_filename.startswith("report-")
    page.get_by_role("button", name="Confirm the warnings").click()
    page.get_by_text("Warnings accepted").wait_for()
    assert page.locator("#progress [data-role=status]").inner_text() == "ACCEPTED"
    page.get_by_role("link", name="Submissions", exact=True).click()
    assert THAI in page.locator("table.submissions").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    context.close()

    # The worker publishes on its `publication` queue.
    assert wait_until(
        lambda: Release.objects.filter(status=Release.Status.PUBLISHED).exists(), timeout=30
    )
    expected = PublishedObservation.objects.filter(
        series_key="M.TH.C.N.IX", valid_to__isnull=True
    ).count()
    assert expected == 42  # C N 2021-01..2024-06

    # The reader, in a narrow window: the chart draws every published point.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, base, "reader")
    assert page.get_by_role("link", name="Submissions").count() == 0
    page.goto(f"{base}/series/?country=TH&country=VN&activity=C&adjustment=N")
    chart = page.locator("#chart")
    chart.locator("svg.main-svg").first.wait_for()
    page.wait_for_function("window.ipiChart !== undefined")
    assert chart.get_attribute("data-plotted") == str(expected)
    assert page.evaluate("window.ipiChart.points") == expected
    assert chart.locator(".scatterlayer .trace").count() == 1
    assert chart.locator(".scatterlayer .point").count() == expected
    page.screenshot(path=ARTIFACTS / "3-chart-narrow.png", full_page=True)

    # Year-on-year growth: a year fewer.
    page.get_by_label("Year-on-year growth (%)").check()
    with page.expect_navigation():  # the old page's chart is no answer
        page.get_by_role("button", name="Show").click()
    page.wait_for_function("window.ipiChart !== undefined")
    assert page.evaluate("window.ipiChart.points") == expected - 12
    assert chart.locator(".scatterlayer .point").count() == expected - 12

    # The board and the calendar, and no way to the submissions.
    page.goto(f"{base}/timeliness/")
    assert page.locator("tr[data-country=TH] td.mono").first.inner_text() == "2024-06"
    page.goto(f"{base}/releases/")
    assert "M.TH.C.N.IX" in page.locator("#published").inner_text()
    page.screenshot(path=ARTIFACTS / "4-calendar-narrow.png", full_page=True)
    response = page.goto(f"{base}/submissions/")
    assert response.status == 403
    context.close()


# Issue #17: what a phone-sized window, the keyboard and a browser without JavaScript meet. The
# data is published in this process (no worker): two browser contexts, a few pages, seconds.
