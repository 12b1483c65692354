"""The honoured list of a round as the annex of the decision (phụ lục quyết định tôn
vinh): an xlsx workbook with Vietnamese headers, the people selected grouped by category,
their nominating organisations and the award money. Two queries whatever the list's
length; text that would run as a formula is neutralised (``core.admin.neutralise``).
"""
from __future__ import annotations

import io
from collections import defaultdict

from core.admin import neutralise
from core.bulk import chunks
from core.models import GENDERS, Organisation
from core.vietnamese import format_date
from plugins.honours import rules
from plugins.honours.models import Category, Nomination, NominationNominator, Round
from plugins.honours.rounds import money_of

HEADERS = ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Học hàm", "Học vị", "Chức vụ", "Đơn vị công tác", "Lĩnh vực",
           "Hình thức tôn vinh", "Đơn vị đề cử", "Số phiếu đồng ý", "Tiền thưởng (đồng)", "Đề xuất cấp trung ương"]
GENDER_LABELS = dict(GENDERS)


def nominators_of(nomination_ids) -> dict[int, list[str]]:
    """``{nomination id: [organisation names, in order]}`` (one query per 5,000)."""
    found = defaultdict(list)
    for part in chunks(list(nomination_ids), 5000):
        query = (NominationNominator.select(NominationNominator.nomination, Organisation.name)
                 .join(Organisation).where(NominationNominator.nomination.in_(list(part)))
                 .order_by(NominationNominator.nomination, NominationNominator.position).tuples())
        for nomination, name in query:
            found[nomination].append(name)
    return found


def honoured(item: Round) -> list[Nomination]:
    """The round's selected nominations (one per person and category), by category then name."""
    return list(Nomination.select(Nomination, Category).join(Category, on=(Nomination.category == Category.id))
                .where(Nomination.round == item, Nomination.result == rules.SELECTED,
                       Nomination.merged_into.is_null(), Nomination.archived == False)  # noqa: E712
                .order_by(Category.sort_order, Category.name, Nomination.name_key, Nomination.id))


def annex_rows(item: Round) -> tuple[list[str], list[list]]:
    selected = honoured(item)
    names = nominators_of([n.id for n in selected])
    money = money_of([item.id])
    rows = []
    for number, n in enumerate(selected, start=1):
        rows.append([number, n.full_name, n.year_of_birth, GENDER_LABELS.get(n.gender, ""), n.academic_title or "",
                     n.degree or "", n.position or "", n.workplace_name or "", n.field or "", n.category.name,
                     "; ".join(names.get(n.id) or [n.nominator_name or ""]), n.votes_for,
                     money.get((item.id, n.category_id)), "Có" if n.national else ""])
    return HEADERS, rows


def title_lines(item: Round) -> list[str]:
    lines = [f"DANH SÁCH TRÍ THỨC KHOA HỌC VÀ CÔNG NGHỆ ĐƯỢC TÔN VINH NĂM {item.year}", item.unit.name]
    if item.occasion:
        lines.append(f"(Nhân dịp {item.occasion})")
    if item.decision_number:
        when = f" ngày {format_date(item.decision_date)}" if item.decision_date else ""
        lines.append(f"(Kèm theo Quyết định số {item.decision_number}{when})")
    return lines


def annex_xlsx(item: Round) -> bytes:
    """The workbook: title lines, the header row, one row per person honoured, a total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    headers, rows = annex_rows(item)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Tôn vinh {item.year}"
    for line in title_lines(item):
        sheet.append([neutralise(line)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    total = sum(r[12] or 0 for r in rows)
    sheet.append(["Tổng cộng", f"{len(rows)} người", None, None, None, None, None, None, None, None, None, None,
                  total or None, None])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
