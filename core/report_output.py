"""The annual review on paper: a gathered report as text, JSON or xlsx, and ``phoihop report``.

:func:`core.reports.gather` returns plain data; this module only lays it out. The JSON
output is that data as it is::

    {"period": {"from": 2020, "to": 2022, "years": 3},
     "units": 50,
     "sections": {
       "training": {
         "kinds": {
           "Hội thảo khoa học": {"count": 255, "per_unit_per_year": 1.7, "participants": …,
                                 "budget": {"total": 12750000000, "state": …, "other": …,
                                            "state_share": 99.33, "per_year": …,
                                            "per_unit_per_year": 85000000}},
           …},
         "partners": [{"name": …, "activities": …}, …]}}}

Plain numbers only: money in đồng (ints), shares in percent (floats, 2 decimals), counts
per unit per year as floats (2 decimals). A section may hold more keys than these (the
training section adds a ``total`` row and ``speakers`` per kind).

Text and xlsx show the same figures in Vietnamese number format (``1,70``, ``12.750``),
read from the keys, so that any plugin's section is laid out without special code:
numbers under a ``budget`` key (or a key ending ``_vnd``) are money, shown in million
đồng to 0,01; keys ending ``share`` are percents; other floats show 2 decimals; ints are
grouped by thousands. A dict of dicts is a table (one row per key), a dict of figures one
row, a list of dicts a ranked table, anything else a ``label: value`` line.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import click

from sheets.values import format_decimal, format_int

SECTION_TITLES = {
    "training": "Hội thảo, hội nghị, tập huấn, phổ biến kiến thức",
    "honours": "Tôn vinh trí thức",
    "contests": "Hội thi, cuộc thi sáng tạo",
    "critique": "Tư vấn, phản biện và giám định xã hội",
    "coordination": "Quy chế, chương trình phối hợp",
}
SHEET_NAMES = {  # worksheet titles: 31 characters at most
    "training": "Tập huấn, hội thảo", "honours": "Tôn vinh", "contests": "Hội thi, cuộc thi",
    "critique": "Tư vấn, phản biện", "coordination": "Phối hợp",
}
LABELS = {
    "kinds": "Loại hoạt động", "total": "Tổng cộng", "partners": "Đơn vị phối hợp",
    "count": "Số lượng", "per_unit_per_year": "TB/đơn vị/năm", "participants": "Người tham dự",
    "speakers": "Báo cáo viên", "budget": "Kinh phí", "name": "Tên", "activities": "Số hoạt động",
}
# Column headers of nested figures: (parent, key) → header.
NESTED_LABELS = {
    ("budget", "total"): "KP tổng", ("budget", "state"): "KP ngân sách", ("budget", "other"): "KP huy động",
    ("budget", "state_share"): "Tỷ lệ ngân sách (%)", ("budget", "per_year"): "KP TB/năm",
    ("budget", "per_unit_per_year"): "KP TB/đơn vị/năm",
}
MONEY_UNIT = Decimal(1_000_000)
TEXT_TOP = 20  # ranked lists: rows shown in the text output
MONEY_NOTE = "Kinh phí tính bằng triệu đồng."


# -- numbers -------------------------------------------------------------------------------
def is_money(path):
    return any(key == "budget" or key.endswith("_vnd") for key in path)


def show(value, path=()):
    """One figure in Vietnamese format, according to the keys that lead to it."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    last = path[-1] if path else ""
    if is_money(path) and not last.endswith("share"):
        millions = (Decimal(value) / MONEY_UNIT).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return format_decimal(millions)
    if isinstance(value, int):
        return format_int(value)
    fixed = Decimal(repr(value) if isinstance(value, float) else value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{fixed:f}".partition(".")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return f"{sign}{format_int(int(whole))},{frac}"


def is_number(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def label(key):
    return LABELS.get(key, key.replace("_", " "))


def column_label(path):
    text = NESTED_LABELS.get(tuple(path[-2:])) or " ".join(label(k) for k in path)
    if is_money(path) and not path[-1].endswith("share"):
        text += " (tr.đ)"
    return text


# -- tables --------------------------------------------------------------------------------
def flatten(figures, prefix=()):
    """``{"budget": {"total": 1}}`` → ``{("budget", "total"): 1}``, keys in order."""
    flat = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update(flatten(value, prefix + (key,)))
        else:
            flat[prefix + (key,)] = value
    return flat


def blocks(section):
    """A section as a list of ``("line", text)`` and ``("table", title, header, rows, numeric)``."""
    out = []
    for key, value in section.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            columns = list(dict.fromkeys(p for figures in value.values() for p in flatten(figures)))
            rows = [[name] + [show(flatten(fig).get(p), p) for p in columns] for name, fig in value.items()]
            out.append(("table", label(key), [label(key)] + [column_label(p) for p in columns], rows,
                        [False] + [True] * len(columns)))
        elif isinstance(value, dict):
            flat = flatten(value)
            header = [column_label(p) for p in flat]
            row = [label(key)] + [show(v, p) for p, v in flat.items()]
            if out and out[-1][0] == "table" and out[-1][2][1:] == header:
                out[-1][3].append(row)  # a total row under the table it sums up
            else:
                out.append(("table", label(key), [""] + header, [row], [False] + [True] * len(flat)))
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for item in value for k in item))
            rows = [[format_int(i)] + [show(item.get(k), (key, k)) for k in columns] for i, item in enumerate(value, 1)]
            numeric = [True] + [all(is_number(item.get(k)) or item.get(k) is None for item in value) for k in columns]
            out.append(("table", label(key), ["STT"] + [label(k) for k in columns], rows, numeric))
        else:
            out.append(("line", f"{label(key)}: {show(value, (key,))}"))
    return out


def heading(report):
    period = report["period"]
    years = f"năm {period['from']}" if period["from"] == period["to"] else f"{period['from']}–{period['to']}"
    return f"BÁO CÁO SƠ KẾT, TỔNG KẾT {years} ({period['years']} năm, {report['units']} đơn vị)"


def section_title(key):
    return SECTION_TITLES.get(key, key)


# -- text ----------------------------------------------------------------------------------
def render_text(report):
    """The report as plain text tables, in Vietnamese number format."""
    lines = [heading(report), MONEY_NOTE, ""]
    for key, section in report["sections"].items():
        lines += [section_title(key).upper(), ""]
        if not isinstance(section, dict):
            lines += [show(section), ""]
            continue
        for block in blocks(section):
            if block[0] == "line":
                lines.append(block[1])
                continue
            _, title, header, rows, numeric = block
            more = len(rows) - TEXT_TOP if title == label("partners") and len(rows) > TEXT_TOP + 1 else 0
            lines += [title + ":"] + text_table(header, rows[:len(rows) - more] if more else rows, numeric)
            if more:
                lines.append(f"… và {format_int(more)} đơn vị khác")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def text_table(header, rows, numeric):
    if not rows:
        return ["(không có)"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(c).rjust(w) if num else str(c).ljust(w)
                         for c, w, num in zip(cells, widths, numeric)).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


# -- JSON ----------------------------------------------------------------------------------
def render_json(report):
    """The report as JSON (UTF-8, not ASCII-escaped)."""
    def plain(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        raise TypeError(f"{type(value).__name__} is not JSON data")

    return json.dumps(report, ensure_ascii=False, indent=2, default=plain) + "\n"


# -- xlsx ----------------------------------------------------------------------------------
def sheet_title(text, taken):
    title = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Báo cáo"
    base, n = title, 2
    while title in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def write_xlsx(report, path):
    """One worksheet per section. Figures are written as Vietnamese-formatted text
    ('1,70', '12.750'), right-aligned, exactly as the text output shows them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken = set()
    sections = report["sections"] or {"": {}}
    for key, section in sections.items():
        sheet = book.create_sheet(sheet_title(SHEET_NAMES.get(key) or section_title(key), taken))
        sheet.append([heading(report)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([section_title(key)])
        sheet.append([MONEY_NOTE])
        widths = {}
        for block in blocks(section) if isinstance(section, dict) else [("line", show(section))]:
            sheet.append([])
            if block[0] == "line":
                sheet.append([block[1]])
                continue
            _, title, header, rows, numeric = block
            sheet.append([title])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            sheet.append(header)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in rows:
                sheet.append(row)
                for cell, num in zip(sheet[sheet.max_row], numeric):
                    cell.data_type = "s"
                    if num:
                        cell.alignment = Alignment(horizontal="right")
            for i, text in enumerate(header):
                width = max([len(str(text)) // 2 + 2] + [len(str(r[i])) + 2 for r in rows])
                widths[i] = min(max(widths.get(i, 8), width), 60)
        for i, width in widths.items():
            sheet.column_dimensions[get_column_letter(i + 1)].width = width
    book.save(path)


# -- the command ---------------------------------------------------------------------------
def units_in_scope(unit_name):
    """Every registered unit, or the one named (by name, spacing/case-insensitive, or code)."""
    from core.cli_support import fail
    from core.models import Unit, name_key

    units = list(Unit.select().order_by(Unit.name))
    if not unit_name:
        return units
    wanted = name_key(unit_name)
    found = [u for u in units if name_key(u.name) == wanted or (u.code and name_key(u.code) == wanted)]
    if not found:
        fail(f"Không có đơn vị {unit_name!r}. Các đơn vị đã đăng ký: "
             + (", ".join(u.name for u in units) or "(chưa có)"))
    return found[:1]


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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file (needed for xlsx).")
def report_command(start, end, unit_name, fmt, out):
    """The annual review (sơ kết / tổng kết): every plugin's figures for a period."""
    from core.cli_support import State, app_context, fail
    from core.reports import gather

    if fmt == "xlsx" and not out:
        fail("Định dạng xlsx cần --out TỆP.xlsx (không in bảng tính ra màn hình).")
    period = period_from(start, end)
    state = click.get_current_context().find_object(State)
    with app_context():
        report = gather(state.pm, period, units_in_scope(unit_name))
    if fmt == "xlsx":
        write_xlsx(report, out)
        click.echo(f"Đã ghi báo cáo vào {out}", err=True)
        return
    body = render_json(report) if fmt == "json" else render_text(report)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(body)
        click.echo(f"Đã ghi báo cáo vào {out}", err=True)
    else:
        click.echo(body, nl=False)
