"""The printable review (core.report_html): the same sections, tables and charts as the
other outputs, in one HTML document that needs nothing else."""
import html
import json
import re

from core.report_html import render_html
from tests.core.test_reports import contests_like, report_of

CHART = re.compile(r'<canvas data-chart="([^"]+)"')


def test_the_document_has_each_section_its_figures_and_tables_in_vietnamese_format():
    page = render_html(report_of(contests_like()))
    assert "<h1>BÁO CÁO SƠ KẾT, TỔNG KẾT 2020–2022 (3 năm, 2 đơn vị)</h1>" in page
    assert "<h2>Hội thi, cuộc thi sáng tạo</h2>" in page
    assert '<tr><td>Số cuộc thi</td><td class="num">3</td></tr>' in page
    assert '<th class="num">Tiền thưởng (tr.đ)</th>' in page
    assert '<tr class="total"><td class="">Tổng cộng</td><td class="num">1.207</td>' in page
    assert "Kinh phí tính bằng triệu đồng." in page


def test_the_charts_carry_the_tables_figures_money_in_millions():
    page = render_html(report_of(contests_like()))
    charts = [json.loads(html.unescape(found)) for found in CHART.findall(page)]
    assert [(c["type"], c["title"]) for c in charts] == [("bar", "Giải pháp theo lĩnh vực"), ("pie", "Tiền thưởng")]
    assert charts[0]["labels"] == ["Nông nghiệp", "Y tế"] and charts[0]["datasets"][0]["data"] == [1200, 7]
    assert charts[1]["datasets"][0]["data"] == [12750.0, 22.6]


def test_the_document_stands_alone_with_the_chart_library_inlined():
    page = render_html(report_of(contests_like()))
    assert "Chart.js v4" in page and "Released under the MIT License" in page
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', page)


def test_text_from_a_sheet_is_escaped():
    from core.reports import Column, Section, Table

    section = Section("s", "<b>S</b>", tables=[Table("t", "T", [Column("name", "Tên", "text")], [("<script>x</script>",)])])
    page = render_html(report_of(section))
    assert "<b>S</b>" not in page and "&lt;b&gt;S&lt;/b&gt;" in page and "&lt;script&gt;x" in page


def test_the_report_command_writes_html(runner, app, units, tmp_path):
    out = tmp_path / "bao-cao.html"
    result = runner("report", "--from", "2020", "--to", "2022", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "BÁO CÁO SƠ KẾT, TỔNG KẾT 2020–2022" in page
