"""Report sections as data (core.reports) and their layout as text, JSON and xlsx
(core.report_output) — for any area, without the core knowing which."""
import importlib
import json
import re
import sys
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.errors import ConfigError
from core.report_output import render_json, render_text, write_xlsx
from core.reports import Chart, Column, Figure, Period, Report, Section, Table, collect

REPO = Path(__file__).resolve().parents[2]


def contests_like():
    """A section an area other than training could hand in: every kind of column."""
    return Section(
        key="contests", title="Hội thi, cuộc thi sáng tạo", sheet_title="Hội thi",
        figures=[Figure("editions", "Số cuộc thi", 3), Figure("note", "Ghi chú", "Số liệu tạm", "text")],
        tables=[
            Table("fields", "Lĩnh vực", [
                Column("name", "Lĩnh vực", "text"), Column("entries", "Số giải pháp"),
                Column("per_unit", "TB/đơn vị", "average"), Column("prize.money", "Tiền thưởng", "money"),
                Column("prize.share", "Tỷ lệ đạt giải (%)", "share"),
            ], rows=[("Nông nghiệp", 1200, 1.7, 12_750_000_000, 99), ("Y tế", 7, None, 22_600_000, 12.345)],
                total=("Tổng cộng", 1207, 1.75, 12_772_600_000, 98.5), keyed=True),
            Table("authors", "Tác giả nhiều giải nhất", [Column("name", "Tác giả", "text"), Column("prizes", "Số giải")],
                  rows=[(f"Tác giả {n:02d}", 30 - n) for n in range(25)], numbered=True, text_limit=20),
        ],
        charts=[Chart("column", "fields", ["entries"], "Giải pháp theo lĩnh vực"),
                Chart("pie", "fields", ["prize.money"], "Tiền thưởng")],
    )


def report_of(*sections, units=2):
    return Report(Period(2020, 2022), units, sections)


# -- the JSON form follows from the parts ----------------------------------------------------
def test_json_of_figures_keyed_table_total_and_ranked_table():
    data = contests_like().as_json()
    assert list(data) == ["editions", "note", "fields", "total", "authors"]
    assert data["editions"] == 3 and data["note"] == "Số liệu tạm"
    assert data["fields"] == {
        "Nông nghiệp": {"entries": 1200, "per_unit": 1.7, "prize": {"money": 12_750_000_000, "share": 99}},
        "Y tế": {"entries": 7, "per_unit": None, "prize": {"money": 22_600_000, "share": 12.345}},
    }
    assert data["total"] == {"entries": 1207, "per_unit": 1.75, "prize": {"money": 12_772_600_000, "share": 98.5}}
    assert data["authors"][:2] == [{"name": "Tác giả 00", "prizes": 30}, {"name": "Tác giả 01", "prizes": 29}]


def test_the_module_docstring_example_gives_the_json_it_states():
    import core.reports

    text = core.reports.__doc__
    example = eval(re.search(r"    (Section\(.*?\n    \))\n", text, flags=re.S).group(1),  # noqa: S307 — our own docstring
                   {"Section": Section, "Figure": Figure, "Table": Table, "Column": Column, "Chart": Chart})
    assert example.as_json() == {
        "greetings": 12,
        "by_unit": [{"unit": "LHH Bắc Giang", "greetings": 7}, {"unit": "LHH Phú Thọ", "greetings": 5}],
        "total": {"unit": "Tổng cộng", "greetings": 12},
    }


def test_an_unkeyed_total_keeps_its_first_cell_and_may_be_named():
    table = Table("rows", "Dòng", [Column("name", "Tên", "text"), Column("n", "Số")], [("a", 1)],
                  total=("Cộng", 1), total_key="rows_total")
    assert Section("s", "S", tables=[table]).as_json() == {"rows": [{"name": "a", "n": 1}],
                                                         "rows_total": {"name": "Cộng", "n": 1}}


# -- a malformed section fails where it is built ----------------------------------------------
NAME = Column("name", "Tên", "text")


@pytest.mark.parametrize("build, message", [
    (lambda: Column("n", "Số", "percent"), "kind 'percent'"),
    (lambda: Column("a..b", "Số"), "empty part"),
    (lambda: Table("t", "T", [NAME, Column("n", "Số")], rows=[("a",)]), "1 cells for 2 columns"),
    (lambda: Table("t", "T", [NAME, Column("n", "Số")], rows=[("a", 1)], total=("x",)), "1 cells for 2 columns"),
    (lambda: Table("t", "T", []), "no columns"),
    (lambda: Table("t", "T", [Column("n", "Số"), NAME], keyed=True), "first column must be text"),
    (lambda: Table("t", "T", [NAME], rows=[("a",), ("a",)], keyed=True), "must be unique"),
    (lambda: Table("t", "T", [Column("budget", "KP"), Column("budget.total", "KP tổng")]), "collide"),
    (lambda: Section("s", "S", figures=[Figure("t", "T", 1)], tables=[Table("t", "T", [NAME])]), "collide"),
    (lambda: Section("s", "S", tables=[Table("a", "A", [NAME], total=("x",)), Table("b", "B", [NAME], total=("y",))]),
     "'total' and 'total' collide"),
    (lambda: Section("s", "S", charts=[Chart("pie", "nope", ["n"])]), "unknown table 'nope'"),
    (lambda: Section("s", "S", tables=[Table("t", "T", [NAME])], charts=[Chart("bar", "t", ["n"])]), "unknown column"),
    (lambda: Section("s", "S", tables=[Table("t", "T", [NAME])], charts=[Chart("bar", "t", ["name"])]), "text column"),
    (lambda: Chart("pie", "t", ["a", "b"]), "one column"),
    (lambda: Chart("radar", "t", ["a"]), "radar"),
    (lambda: Section("s", "S", sheet_title="x" * 32), "31 characters"),
    (lambda: Section("", "S"), "needs a key"),
])
def test_a_malformed_section_is_refused_when_built(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build()


# -- gathering ---------------------------------------------------------------------------------
def plugin_manager(module_dir, **answers):
    """A plugin manager of small plugins, each answering ``phoihop_report`` with the
    source expression given (``name="Section(...)"``)."""
    from core.plugins import get_plugin_manager

    names = []
    for name, expression in answers.items():
        module_dir(name, f"from core import hookimpl\nfrom core.reports import *\n\n\n@hookimpl\n"
                         f"def phoihop_report(period, units):\n    return {expression}\n")
        names.append(name)
    return get_plugin_manager(plugins=names, builtins=(), entry_points=False)


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name, source):
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
        monkeypatch.delitem(sys.modules, name, raising=False)  # a module of that name from another test
        importlib.invalidate_caches()

    return write


def test_sections_are_collected_in_plugin_order_and_none_is_skipped(module_dir):
    pm = plugin_manager(module_dir, rep_a="Section('a', 'A', figures=[Figure('n', 'N', period.years)])",
                        rep_b="None", rep_c="Section('c', 'C', figures=[Figure('units', 'U', len(units))])")
    report = collect(pm, Period(2020, 2022), ["u1", "u2"])
    assert sorted(s.key for s in report.sections) == ["a", "c"]
    assert report.as_json()["sections"] == {"a": {"n": 3}, "c": {"units": 2}} and report.units == 2


def test_a_failing_plugin_is_named_and_left_out_when_failures_are_asked_for(module_dir, app):
    pm = plugin_manager(module_dir, ok_a="Section('a', 'A')", broken_b="1 / 0", wrong_c="{'n': 1}")
    failed = []
    with app.app_context():
        report = collect(pm, Period(2021, 2021), [], failed=failed)
    assert [s.key for s in report.sections] == ["a"]
    assert sorted(plugin for plugin, _message in failed) == ["broken_b", "wrong_c"]
    assert dict(failed)["broken_b"] == "division by zero"


def test_a_failing_plugin_stops_the_report_when_failures_are_not_asked_for(module_dir):
    pm = plugin_manager(module_dir, ok_a="Section('a', 'A')", broken_b="1 / 0")
    with pytest.raises(ZeroDivisionError):
        collect(pm, Period(2021, 2021), [])


def test_two_plugins_with_one_section_key_are_refused(module_dir):
    pm = plugin_manager(module_dir, dup_a="Section('same', 'A')", dup_b="Section('same', 'B')")
    with pytest.raises(ConfigError, match="'same'.*dup_"):
        collect(pm, Period(2021, 2021), [])


def test_a_legacy_pair_is_still_read_with_a_deprecation_warning(module_dir):
    data = {"greetings": 2, "by_kind": {"a": {"n": 1, "avg": 0.5}}, "top": [{"name": "X", "n": 3}], "note": None}
    pm = plugin_manager(module_dir, old_style=f"('old', {data!r})")
    with pytest.warns(DeprecationWarning, match="old_style"):
        report = collect(pm, Period(2021, 2021), [])
    assert report.as_json()["sections"] == {"old": data}
    text = render_text(report)
    assert "by kind.a.avg: 0,50" in text and "greetings: 2" in text and "note: —" in text


@pytest.mark.parametrize("answer, message", [
    ("('old', {'a.b': 1})", "bad_answer trả về phần báo cáo không đọc được"),
    ("('old', [1, 2])", "bad_answer trả về phần báo cáo không đọc được"),
    ("{'n': 1}", "bad_answer trả về dict cho phoihop_report, cần một core.reports.Section"),
    ("[1, 2]", "bad_answer trả về list"),
])
def test_an_answer_that_is_no_section_is_a_config_error(module_dir, answer, message):
    pm = plugin_manager(module_dir, bad_answer=answer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ConfigError, match=re.escape(message)):
            collect(pm, Period(2021, 2021), [])


# -- text --------------------------------------------------------------------------------------
def cells(text, first):
    line = next(line for line in text.splitlines() if line.startswith(first + "  "))
    return re.split(r"\s{2,}", line[len(first):].strip())


def test_text_shows_each_kind_in_vietnamese_format():
    text = render_text(report_of(contests_like()))
    assert text.startswith("BÁO CÁO SƠ KẾT, TỔNG KẾT 2020–2022 (3 năm, 2 đơn vị)\nKinh phí tính bằng triệu đồng.")
    assert "HỘI THI, CUỘC THI SÁNG TẠO" in text and "Số cuộc thi: 3" in text and "Ghi chú: Số liệu tạm" in text
    assert "Tiền thưởng (tr.đ)" in text
    assert cells(text, "Nông nghiệp") == ["1.200", "1,70", "12.750", "99,00"]
    assert cells(text, "Y tế") == ["7", "—", "22,6", "12,35"]
    assert cells(text, "Tổng cộng") == ["1.207", "1,75", "12.772,6", "98,50"]


def test_text_numbers_a_ranked_table_and_cuts_it_at_its_limit():
    text = render_text(report_of(contests_like()))
    assert re.search(r"^ +1  Tác giả 00 +30$", text, flags=re.M)
    assert re.search(r"^ *20  Tác giả 19 +11$", text, flags=re.M)
    assert "Tác giả 20" not in text and "… và 5 dòng khác" in text


def test_text_without_money_has_no_money_note():
    section = Section("s", "Phần", tables=[Table("t", "Bảng", [NAME, Column("n", "Số")], [("a", 1)])])
    text = render_text(report_of(section))
    assert "triệu đồng" not in text and "(tr.đ)" not in text
    assert render_text(report_of(Section("e", "Trống", tables=[Table("t", "Bảng", [NAME])]))).rstrip().endswith("(không có)")


def test_json_output_is_the_sections_data():
    data = json.loads(render_json(report_of(contests_like())))
    assert data["period"] == {"from": 2020, "to": 2022, "years": 3} and data["units"] == 2
    assert data["sections"]["contests"] == json.loads(json.dumps(contests_like().as_json()))


# -- xlsx --------------------------------------------------------------------------------------
def test_xlsx_has_a_sheet_per_section_with_formatted_text_and_the_hinted_charts(tmp_path):
    other = Section("hello", "Lời chào", figures=[Figure("greetings", "Số lời chào", 1234)])
    write_xlsx(report_of(contests_like(), other), tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Tổng hợp", "Hội thi", "Lời chào"]
    sheet = book["Hội thi"]
    rows = list(sheet.iter_rows(values_only=True))
    assert next(r for r in rows if r[0] == "Nông nghiệp")[:5] == ("Nông nghiệp", "1.200", "1,70", "12.750", "99,00")
    assert next(r for r in rows if r[0] == "1")[:3] == ("1", "Tác giả 00", "30")
    # each chart's figures as numbers (money in million đồng), and the chart beside them
    data = [i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Số liệu biểu đồ")]
    assert [rows[i][0] for i in data] == ["Số liệu biểu đồ: Giải pháp theo lĩnh vực", "Số liệu biểu đồ: Tiền thưởng"]
    assert rows[data[0] + 2][:2] == ("Nông nghiệp", 1200) and rows[data[1] + 2][:2] == ("Nông nghiệp", 12750.0)
    assert [type(c).__name__ for c in sheet._charts] == ["BarChart", "PieChart"]
    assert list(book["Lời chào"].iter_rows(values_only=True))[-1][:2] == ("Số lời chào", "1.234")


def test_xlsx_sheet_titles_are_cleaned_and_unique(tmp_path):
    write_xlsx(report_of(Section("a", "Phần: A/B"), Section("b", "Phần: A/B")), tmp_path / "r.xlsx")
    assert load_workbook(tmp_path / "r.xlsx").sheetnames == ["Tổng hợp", "Phần  A B", "Phần  A B (2)"]


def test_xlsx_of_no_section_is_the_summary_sheet_with_the_heading(tmp_path):
    write_xlsx(report_of(), tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Tổng hợp"] and book.active["A1"].value.startswith("BÁO CÁO SƠ KẾT")


def test_xlsx_summary_gives_the_period_and_units_first(tmp_path):
    write_xlsx(report_of(contests_like()), tmp_path / "r.xlsx")
    rows = list(load_workbook(tmp_path / "r.xlsx")["Tổng hợp"].iter_rows(values_only=True))
    assert rows[1][:2] == ("Giai đoạn", "2020–2022") and rows[3][:2] == ("Số đơn vị", "2")


def test_xlsx_summary_gives_each_sections_first_figure_linked_to_its_sheet(tmp_path):
    other = Section("hello", "Lời chào", figures=[Figure("greetings", "Số lời chào", 1234)])
    write_xlsx(report_of(other), tmp_path / "r.xlsx")
    sheet = load_workbook(tmp_path / "r.xlsx")["Tổng hợp"]
    line = next(row for row in sheet.iter_rows() if row[0].value == "Lời chào")
    assert [c.value for c in line[:3]] == ["Lời chào", "Số lời chào", "1.234"]
    assert line[0].hyperlink.location == "'Lời chào'!A1" or line[0].hyperlink.target == "#'Lời chào'!A1"


def test_xlsx_summary_takes_a_tables_total_when_a_section_has_no_figure(tmp_path):
    table = Table("t", "Theo loại", [Column("name", "Loại", "text"), Column("n", "Số lượng")], [("A", 2), ("B", 3)],
                  total=("Tổng cộng", 5))
    write_xlsx(report_of(Section("x", "Phần X", tables=[table])), tmp_path / "r.xlsx")
    rows = list(load_workbook(tmp_path / "r.xlsx")["Tổng hợp"].iter_rows(values_only=True))
    assert ("Phần X", "Theo loại: Số lượng", "5") in [r[:3] for r in rows]


# -- the core names no area ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["core/reports.py", "core/report_output.py"])
def test_the_report_layout_names_no_area(name):
    source = (REPO / name).read_text(encoding="utf-8").lower()
    for word in ("training", "honours", "contests", "critique", "coordination", "tập huấn", "hội thảo", "phối hợp"):
        assert word not in source, f"{name} names {word!r}: the area hands it in through its Section"
