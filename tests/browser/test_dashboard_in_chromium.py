"""The served demo as an office user meets it in Chromium: the dashboard with its charts
drawn, a figure opened into its list, an edit, a refused value, an export, another unit's
record out of reach — and the printable review, offline."""
import csv
import io
from pathlib import Path

import pytest

from tests.browser.conftest import csp_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshots" / "dashboard.png"
PERIOD = "/admin/?from=2015&to=2026"  # every year of the demo's records
ADMIN, EDITOR_BG = "admin@phoihop.local", "bientap.bacgiang@phoihop.local"
# The share of a canvas's pixels that are painted (not transparent), in the page.
PAINTED = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i]) { painted += 1; } }
  return canvas.width * canvas.height ? painted / (canvas.width * canvas.height) : 0;
}"""


@pytest.fixture
def demo(app, pm, tmp_path):
    from core.demo import populate

    with app.app_context():
        populate(app, pm, str(tmp_path / "workbooks"), PASSWORD)


def log_in(page, server, email, then=PERIOD):
    page.goto(f"{server}/login?next={then.replace('&', '%26').replace('?', '%3F')}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{server}{then}")


def painted(page):
    page.wait_for_selector("html[data-charts-drawn=true]")
    return [canvas.evaluate(PAINTED) for canvas in page.query_selector_all("canvas[data-chart]")]


def test_the_dashboard_draws_every_chart(demo, live_server, page):
    page.set_viewport_size({"width": 1366, "height": 1500})
    log_in(page, live_server, ADMIN)
    shares = painted(page)
    assert len(shares) >= 10 and all(share > 0.01 for share in shares), shares
    assert page.inner_text("#dashboard-title").startswith("Tổng quan 2015–2026")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert csp_violations(page) == []


def test_a_figure_opens_the_list_of_its_records(demo, live_server, page):
    log_in(page, live_server, ADMIN)
    link = page.locator("#section-training a.phoihop-link").first
    figure = int(link.inner_text().replace(".", ""))
    link.click()
    page.wait_for_url("**/admin/training_activity/**")
    assert page.locator("table.model-list tbody tr").count() == figure > 0
    assert csp_violations(page) == []


def test_an_editor_edits_a_record_and_a_bad_value_is_refused(app, demo, live_server, page):
    from core.models import Unit
    from plugins.training.models import Activity

    with app.app_context():
        activity = Activity.select().join(Unit).where(Unit.code == "BG").order_by(Activity.id).first()
    log_in(page, live_server, EDITOR_BG, then="/admin/")
    page.goto(f"{live_server}/admin/training_activity/edit/?id={activity.id}")
    page.fill("#participants", "-3")
    page.click("input[type=submit].btn-primary")
    assert "Số người tham dự" in page.inner_text(".invalid-feedback")  # the field's own Vietnamese error
    with app.app_context():
        assert Activity.get_by_id(activity.id).participants == activity.participants
    page.fill("#participants", "321")
    page.click("input[type=submit].btn-primary")
    page.wait_for_url("**/admin/training_activity/**")
    with app.app_context():
        assert Activity.get_by_id(activity.id).participants == 321
    assert csp_violations(page) == []


def test_an_editor_exports_the_list_of_their_unit(app, demo, live_server, page):
    from core.models import Unit
    from plugins.training.models import Activity

    log_in(page, live_server, EDITOR_BG, then="/admin/training_activity/")
    with page.expect_download() as download:
        page.evaluate("() => { window.location.href = '/admin/training_activity/export/csv/'; }")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    with app.app_context():
        own = Activity.select().join(Unit).where(Unit.code == "BG").count()
    assert len(rows) - 1 == own and all(row[0] == "Liên hiệp hội tỉnh Bắc Giang" for row in rows[1:])


def test_an_editor_cannot_open_another_units_record(app, demo, live_server, page):
    from core.models import Unit
    from plugins.training.models import Activity

    with app.app_context():
        theirs = Activity.select().join(Unit).where(Unit.code == "PT").first()
    log_in(page, live_server, EDITOR_BG, then="/admin/")
    for path in (f"/admin/training_activity/details/?id={theirs.id}", f"/admin/training_activity/edit/?id={theirs.id}"):
        answer = page.goto(f"{live_server}{path}")
        assert answer.status == 404, path


def test_the_printable_review_draws_its_charts_offline_and_prints(app, pm, demo, browser, tmp_path):
    from core.report_html import render_html
    from core.reports import Period, collect
    from core.models import Unit

    with app.app_context():
        report = collect(pm, Period(2015, 2026), list(Unit.select()))
    path = tmp_path / "bao-cao.html"
    path.write_text(render_html(report), encoding="utf-8")
    context = browser.new_context()
    context.set_offline(True)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        shares = painted(page)
        assert len(shares) >= 10 and all(share > 0.01 for share in shares), shares
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > len(report.sections)
    finally:
        context.close()
