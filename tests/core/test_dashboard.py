"""The home page: every plugin's figures for the user's units and a period, charts, and
links into the filtered lists behind the figures; the admin-only "Hệ thống" page."""
import html
import json
import re

import pytest
from werkzeug.datastructures import MultiDict

from core.dashboard import chosen_period
from core.reports import Period
from tests.conftest import PASSWORD, login

PERIOD = "/admin/?from=2015&to=2026"  # every year of the demo's records
LINK = re.compile(r'<a href="([^"]+)" class="phoihop-link">([^<]+)</a>')
LISTED = re.compile(r'class="nav-link active">[^<(]*\((\d+)\)</a>')
CHART = re.compile(r'<canvas data-chart="([^"]+)"')


@pytest.fixture
def demo(app, pm, tmp_path):
    """The demo's two units, users and every plugin's sample data, synced from workbooks."""
    from core.demo import populate

    with app.app_context():
        populate(app, pm, str(tmp_path / "workbooks"), PASSWORD)


def logged_in(client, email):
    assert login(client, email).status_code == 302
    return client


def figure_links(page):
    return [(html.unescape(url), int(text.replace(".", ""))) for url, text in LINK.findall(page)]


def listed(client, url):
    page = client.get(url).get_data(as_text=True)
    found = LISTED.search(page)
    return int(found.group(1)) if found else 0


def test_each_figure_link_opens_a_list_of_as_many_rows(demo, client):
    page = logged_in(client, "admin@phoihop.local").get(PERIOD).get_data(as_text=True)
    links = figure_links(page)
    assert {url.split("/")[2] for url, _ in links} >= {
        "training_activity", "contests_entry", "critique_request", "honours_nomination"}
    for url, figure in links:
        assert listed(client, url) == figure, url


def test_the_links_of_an_editor_of_one_unit_count_that_units_rows(demo, client):
    page = logged_in(client, "bientap.phutho@phoihop.local").get(PERIOD).get_data(as_text=True)
    links = figure_links(page)
    assert links
    for url, figure in links:
        assert listed(client, url) == figure, url


def test_an_editor_sees_the_figures_of_their_unit_only(app, pm, demo, client):
    from core.models import Unit
    from core.reports import collect

    page = logged_in(client, "bientap.bacgiang@phoihop.local").get(PERIOD).get_data(as_text=True)
    with app.app_context():
        unit = Unit.get(Unit.code == "BG")
        own = collect(pm, Period(2015, 2026), [unit]).sections
    training = next(s for s in own if s.key == "training").table("kinds").total[1]
    assert 'id="dashboard-units">Liên hiệp hội tỉnh Bắc Giang<' in page
    section = page.split('id="section-training"')[1].split("</section>")[0]
    assert re.search(rf'Tổng cộng</td><td class="text-right"><a href="[^"]+" class="phoihop-link">{training}</a>', section)


def test_the_admin_sees_both_units(demo, client):
    page = logged_in(client, "admin@phoihop.local").get(PERIOD).get_data(as_text=True)
    assert 'id="dashboard-units">2 đơn vị<' in page


def test_the_charts_of_the_review_are_on_the_page(demo, client):
    page = logged_in(client, "admin@phoihop.local").get(PERIOD).get_data(as_text=True)
    charts = [json.loads(html.unescape(found)) for found in CHART.findall(page)]
    titles = {chart["title"] for chart in charts}
    assert {"Số hoạt động theo năm và loại", "Kinh phí theo nguồn (tr.đ)", "Số giải theo hạng",
            "Lượt tôn vinh theo hình thức, lũy kế", "Tỷ lệ tiếp thu kiến nghị theo cơ quan đề nghị (%)",
            "Nhiệm vụ, kiến nghị và kiến nghị được tiếp thu theo cơ quan đề nghị"} <= titles
    for chart in charts:
        assert chart["labels"] and all(len(d["data"]) == len(chart["labels"]) for d in chart["datasets"])


def test_the_page_loads_the_vendored_chart_library_with_the_nonce(demo, client):
    page = logged_in(client, "admin@phoihop.local").get("/admin/").get_data(as_text=True)
    assert re.search(r'<script nonce="[^"]+" src="/static/phoihop/vendor/chartjs/chart\.umd\.min\.js">', page)
    assert client.get("/static/phoihop/vendor/chartjs/chart.umd.min.js").status_code == 200


def test_text_from_a_sheet_is_escaped_on_the_dashboard(app, units, login_as):
    from plugins.training.models import ActivityKind

    with app.app_context():
        ActivityKind.create(name='<img src=x onerror="alert(1)">', sort_order=99)
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_a_plugin_whose_section_fails_is_named_and_the_others_shown(app, units, login_as, monkeypatch):
    import plugins.training.reports

    def broken(period, units):
        raise RuntimeError("<b>hỏng</b>")

    monkeypatch.setattr(plugins.training.reports, "report_section", broken)
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert "Không tính được phần báo cáo của plugin plugins.training: &lt;b&gt;hỏng&lt;/b&gt;" in page
    assert 'id="section-critique"' in page and 'id="section-training"' not in page


def test_an_invalid_period_is_said_and_the_term_shown(app, units, login_as):
    page = login_as("admin").get("/admin/?from=2025&to=2020").get_data(as_text=True)
    assert "Năm cuối (2020) trước năm đầu (2025)." in page


@pytest.mark.parametrize("args,expected", [
    ({}, (2022, 2026)),
    ({"year": "2024"}, (2024, 2024)),
    ({"from": "2021", "to": "2023"}, (2021, 2023)),
    ({"from": "2021"}, (2021, 2021)),
    ({"to": "2019"}, (2019, 2019)),
])
def test_the_period_comes_from_the_query_or_is_the_term(args, expected):
    assert chosen_period(MultiDict(args), 2026) == (Period(*expected), None)


@pytest.mark.parametrize("args", [{"year": "abc"}, {"from": "12345"}, {"from": "2024", "to": "2023"}])
def test_a_period_not_understood_falls_back_to_the_term_with_a_reason(app, args):
    with app.test_request_context():
        period, problem = chosen_period(MultiDict(args), 2026)
    assert period == Period(2022, 2026) and problem


def test_the_system_page_lists_the_plugins_for_admins(login_as):
    page = login_as("admin").get("/admin/system/").get_data(as_text=True)
    assert 'id="plugins"' in page and "hello" in page and "entry point" in page and 'id="bindings"' in page


def test_the_home_page_no_longer_lists_plugins(login_as):
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert 'id="plugins"' not in page


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_the_system_page_is_refused_to_others(login_as, role):
    assert login_as(role).get("/admin/system/").status_code == 403


def test_a_link_to_a_filter_the_list_does_not_have_is_a_plugins_mistake(app, units, make_user):
    from flask_login import login_user

    from core.dashboard import list_url
    from core.errors import ConfigError
    from core.models import User
    from core.reports import Link

    make_user("admin@phoihop.test", "admin")
    with app.test_request_context():
        login_user(User.get(User.email == "admin@phoihop.test"))
        admin = app.extensions["phoihop_admin"]
        assert list_url(admin, Link("training_activity", [("Năm", "2021-2022")])).startswith("/admin/training_activity/?flt0_")
        with pytest.raises(ConfigError, match="Không có bộ lọc|không có bộ lọc"):
            list_url(admin, Link("training_activity", [("Không có", "1")]))


def test_a_long_table_shows_its_first_rows_the_total_and_how_many_more():
    from core.dashboard import SHOWN_ROWS, shown_table
    from core.reports import Column, Link, Table

    rows = [(f"Đơn vị {n:02d}", n) for n in range(SHOWN_ROWS + 5)]
    table = Table("t", "T", [Column("name", "Tên", "text"), Column("n", "Số")], rows, total=("Tổng cộng", 1),
                  links=[Link("x", [("Năm", str(n))]) for n in range(len(rows))], total_link=Link("x"))
    shown = shown_table(table, lambda link: "/list?" + "&".join(v for _label, v in link.filters))
    assert shown.more == 5 and len(shown.rows) == SHOWN_ROWS + 1
    assert shown.rows[0] == [("Đơn vị 00", None), ("0", "/list?0")]  # the link is on the counted cell
    assert shown.rows[-1] == [("Tổng cộng", None), ("1", "/list?")]
