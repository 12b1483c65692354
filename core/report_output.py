"""The annual review on paper: a :class:`core.reports.Report` as text, JSON or xlsx (and
HTML, :mod:`core.report_html`), and ``phoihop report``.

Every section is laid out from what it declares (:mod:`core.reports`), never from what
area it is. Text and xlsx show figures in Vietnamese format by their column's kind:
``count`` grouped by thousands (``12.750``), ``money`` in million đồng to 0,01 without
trailing zeros (``22,6``; its header says ``(tr.đ)``), ``share`` and ``average`` with two
decimals (``99,00``, ``1,70``), a missing figure ``—``. JSON is each section's
:meth:`~core.reports.Section.as_json` with plain numbers: money in đồng (ints), shares in
percent and averages as floats.

xlsx: a summary sheet first (``Tổng hợp``: the period, the number of units, and each
section's headline figure — its first figure, else its first table's total, else that
table's number of rows — linked to the section's sheet), then one worksheet per section;
figures are written as text in Vietnamese format, right-aligned, exactly as the text
output shows them. A section's chart hints add a small table of the charted figures as
numbers, and the chart drawn from it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import click

from core.vietnamese import format_decimal, format_int

MONEY_UNIT = Decimal(1_000_000)
MONEY_SUFFIX = " (tr.đ)"
MONEY_NOTE = "Kinh phí tính bằng triệu đồng."
MISSING = "—"
CHART_SIZE = (16, 7.5)  # cm
CHART_ROWS = 17  # rows of the default height that a chart of CHART_SIZE covers, and a gap
SUMMARY_TITLE = "Tổng hợp"
SUMMARY_HEADER = ("Phần", "Chỉ tiêu", "Số liệu")


# -- figures -------------------------------------------------------------------------------
def millions(value):
    """An amount in đồng as million đồng, rounded half up to 0,01."""
    return (Decimal(value) / MONEY_UNIT).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def show(value, kind):
    """One figure in Vietnamese format, according to its kind."""
    if value is None:
        return MISSING
    if kind == "text":
        return str(value)
    if kind == "money":
        return format_decimal(millions(value))
    if kind in ("share", "average"):
        return format_decimal(value, places=2)
    return format_int(value)


def header(column):
    return column.label + (MONEY_SUFFIX if column.kind == "money" else "")


def has_money(report):
    return any(part.kind == "money"
               for section in report.sections
               for part in [*section.figures, *(c for t in section.tables for c in t.columns)])


def heading(report):
    period = report.period
    years = f"năm {period.start}" if period.start == period.end else f"{period.start}–{period.end}"
    return f"BÁO CÁO SƠ KẾT, TỔNG KẾT {years} ({period.years} năm, {report.units} đơn vị)"


def laid_out(table, rows=None):
    """``(header, rows of text, right-aligned flags)`` of a table, its total row last."""
    rows = table.rows if rows is None else rows
    head = [header(c) for c in table.columns]
    body = [[show(v, c.kind) for v, c in zip(row, table.columns)] for row in rows]
    numeric = [c.kind != "text" for c in table.columns]
    if table.numbered:
        head, numeric = ["STT", *head], [True, *numeric]
        body = [[format_int(i), *cells] for i, cells in enumerate(body, 1)]
    if table.total is not None:
        total = [show(v, c.kind) for v, c in zip(table.total, table.columns)]
        body.append(["", *total] if table.numbered else total)
    return head, body, numeric


# -- text ----------------------------------------------------------------------------------
def render_text(report):
    """The report as plain text tables, in Vietnamese number format."""
    lines = [heading(report)] + ([MONEY_NOTE] if has_money(report) else []) + [""]
    for section in report.sections:
        lines += [section.title.upper(), ""]
        for figure in section.figures:
            lines.append(f"{figure.label}: {show(figure.value, figure.kind)}")
        if section.figures:
            lines.append("")
        for table in section.tables:
            limit = table.text_limit
            more = len(table.rows) - limit if limit is not None and len(table.rows) > limit + 1 else 0
            head, body, numeric = laid_out(table, table.rows[:len(table.rows) - more])
            lines += [table.title + ":"] + text_table(head, body, numeric)
            if more:
                lines.append(f"… và {format_int(more)} dòng khác")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def text_table(head, rows, numeric):
    if not rows:
        return ["(không có)"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells):
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)).rstrip()

    return [line(head), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


# -- JSON ----------------------------------------------------------------------------------
def render_json(report):
    """The report as JSON (UTF-8, not ASCII-escaped)."""
    def plain(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        raise TypeError(f"{type(value).__name__} is not JSON data")

    return json.dumps(report.as_json(), ensure_ascii=False, indent=2, default=plain) + "\n"


# -- xlsx ----------------------------------------------------------------------------------
def sheet_title(text, taken):
    title = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Báo cáo"
    base, n = title, 2
    while title in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def chart_value(value, kind):
    """A charted figure as a number: money in million đồng."""
    if value is None:
        return None
    return float(millions(value)) if kind == "money" else value if kind == "count" else float(value)


def write_xlsx(report, path):
    """One worksheet per section, then the charts its hints ask for."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    taken = {SUMMARY_TITLE}
    titles = [sheet_title(section.sheet_title or section.title, taken) for section in report.sections]
    write_summary(book.create_sheet(SUMMARY_TITLE), report, titles)
    for section, title in zip(report.sections, titles):
        sheet = book.create_sheet(title)
        sheet.append([heading(report)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([section.title])
        if has_money(report):
            sheet.append([MONEY_NOTE])
        widths = {}
        if section.figures:
            sheet.append([])
        for figure in section.figures:
            sheet.append([figure.label, show(figure.value, figure.kind)])
            sheet.cell(sheet.max_row, 2).data_type = "s"
            sheet.cell(sheet.max_row, 2).alignment = Alignment(horizontal="right")
        for table in section.tables:
            head, body, numeric = laid_out(table)
            sheet.append([])
            sheet.append([table.title])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            sheet.append(head)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in body:
                sheet.append(row)
                for cell, num in zip(sheet[sheet.max_row], numeric):
                    cell.data_type = "s"
                    if num:
                        cell.alignment = Alignment(horizontal="right")
            for i, text in enumerate(head):
                width = max([len(text) // 2 + 2] + [len(r[i]) + 2 for r in body])
                widths[i] = min(max(widths.get(i, 8), width), 60)
        for chart in section.charts:
            add_chart(sheet, section.table(chart.table), chart)
        for i, width in widths.items():
            sheet.column_dimensions[column_letter(i + 1)].width = width
    book.save(path)


def headline(section):
    """``(label, value, kind)`` of a section's headline figure: its first figure, else its
    first table's total (the first number of the total row), else that table's number of
    rows; ``None`` for a section with neither."""
    if section.figures:
        figure = section.figures[0]
        return figure.label, figure.value, figure.kind
    if not section.tables:
        return None
    table = section.tables[0]
    if table.total is not None:
        for value, column in zip(table.total, table.columns):
            if column.kind != "text" and value is not None:
                return f"{table.title}: {header(column)}", value, column.kind
    return f"{table.title}: số dòng", len(table.rows), "count"


def write_summary(sheet, report, titles):
    """The summary sheet: the heading, the period and units, then one line per section
    with its headline figure, the section's name linking to its sheet."""
    from openpyxl.styles import Alignment, Font

    period = report.period
    sheet.append([heading(report)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["Giai đoạn", f"{period.start}–{period.end}" if period.end != period.start else str(period.start)])
    sheet.append(["Số năm", format_int(period.years)])
    sheet.append(["Số đơn vị", format_int(report.units)])
    if has_money(report):
        sheet.append([MONEY_NOTE])
    sheet.append([])
    sheet.append(list(SUMMARY_HEADER))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for section, title in zip(report.sections, titles):
        found = headline(section)
        label, value = (found[0], show(found[1], found[2])) if found else ("", MISSING)
        sheet.append([section.title, label, value])
        link = sheet.cell(sheet.max_row, 1)
        link.hyperlink = f"#'{title}'!A1"
        link.font = Font(color="0563C1", underline="single")
        sheet.cell(sheet.max_row, 3).data_type = "s"
        sheet.cell(sheet.max_row, 3).alignment = Alignment(horizontal="right")
    for letter, width in (("A", 48), ("B", 48), ("C", 16)):
        sheet.column_dimensions[letter].width = width


def column_letter(n):
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def add_chart(sheet, table, chart):
    """The charted figures as numbers under the tables, and the chart beside them; the
    next block starts below the chart."""
    from openpyxl.chart import BarChart, PieChart, Reference
    from openpyxl.styles import Font

    columns = [table.columns[0]] + [table.column(key) for key in chart.columns]
    index = [table.columns.index(c) for c in columns]
    sheet.append([])
    sheet.append([f"Số liệu biểu đồ: {chart.title}" if chart.title else "Số liệu biểu đồ"])
    top = sheet.max_row
    sheet.cell(top, 1).font = Font(bold=True)
    sheet.append([header(c) for c in columns])
    first = sheet.max_row
    for row in table.rows:
        sheet.append([row[index[0]]] + [chart_value(row[i], c.kind) for i, c in zip(index[1:], columns[1:])])
        for cell, column in zip(sheet[sheet.max_row][1:], columns[1:]):
            cell.number_format = "#,##0" if column.kind == "count" else "#,##0.00"
    last = sheet.max_row
    if chart.kind == "pie":
        drawn = PieChart()
    else:
        drawn = BarChart()
        drawn.type = "col" if chart.kind == "column" else "bar"
        drawn.legend = None if len(columns) == 2 else drawn.legend
    drawn.title = chart.title or None
    drawn.width, drawn.height = CHART_SIZE
    drawn.add_data(Reference(sheet, min_col=2, max_col=len(columns), min_row=first, max_row=last),
                   titles_from_data=True)
    drawn.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    sheet.add_chart(drawn, f"{column_letter(len(columns) + 2)}{top}")
    for _ in range(CHART_ROWS - (last - top + 1)):
        sheet.append([])


# -- the command ---------------------------------------------------------------------------
def units_in_scope(unit_name):
    """Every registered unit, or the one named (its name or code, see :func:`core.models.find_unit`)."""
    from core.cli_support import fail
    from core.models import Unit, find_unit

    if not unit_name:
        return list(Unit.select().order_by(Unit.name))
    unit = find_unit(unit_name)
    if unit is None:
        names = [u.name for u in Unit.select(Unit.name).order_by(Unit.name)]
        fail(f"Không có đơn vị {unit_name!r}. Các đơn vị đã đăng ký: " + (", ".join(names) or "(chưa có)"))
    return [unit]


def period_from(start, end):
    """--from/--to: a missing end is the start; a missing start is the end; neither is this year."""
    from core.reports import Period

    year = dt.date.today().year
    start = start if start is not None else (end if end is not None else year)
    return Period(start, end if end is not None else start)


@click.command("report")
@click.option("--from", "start", type=click.IntRange(1900, 9999), help="First year (default: this year).")
@click.option("--to", "end", type=click.IntRange(1900, 9999), help="Last year (default: --from).")
@click.option("--unit", "unit_name", help="Only this unit (an LHH); default: every registered unit.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx", "html"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file (needed for xlsx).")
def report_command(start, end, unit_name, fmt, out):
    """The annual review (sơ kết / tổng kết): every plugin's figures for a period."""
    from core.cli_support import State, app_context, fail
    from core.reports import collect

    if fmt == "xlsx" and not out:
        fail("Định dạng xlsx cần --out TỆP.xlsx (không in bảng tính ra màn hình).")
    period = period_from(start, end)
    state = click.get_current_context().find_object(State)
    with app_context():
        report = collect(state.pm, period, units_in_scope(unit_name))
    if fmt == "xlsx":
        write_xlsx(report, out)
        click.echo(f"Đã ghi báo cáo vào {out}", err=True)
        return
    if fmt == "html":
        from core.report_html import render_html

        body = render_html(report)
    else:
        body = render_json(report) if fmt == "json" else render_text(report)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(body)
        click.echo(f"Đã ghi báo cáo vào {out}", err=True)
    else:
        click.echo(body, nl=False)
