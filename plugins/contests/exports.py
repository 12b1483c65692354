"""The lists an edition hands on (spec/contests.md, rules 5 and 7), as files:

- the prize list, the annex of the award decision (phụ lục quyết định khen thưởng):
  :func:`annex_rows`;
- the follow-up lists after the ceremony: authors of awarded entries aged 35 or less for
  the Youth Union's Huy hiệu "Tuổi trẻ sáng tạo" (:func:`youth_badge_rows`), authors of
  awarded entries for the Labour Federation's Bằng "Lao động sáng tạo"
  (:func:`labour_rows`), and entries with a national third prize or better for the
  province's bonus decision (:func:`national_bonus_rows`).

Each builder reads in a constant number of queries and returns ``(headers, rows)``;
:func:`xlsx_bytes` and :func:`csv_text` lay them out with Vietnamese headers, cells that
would run as formulas neutralised (``core.admin.neutralise``) and, for CSV, a UTF-8 BOM
so that Excel reads the accents.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict

from core.admin import neutralise
from core.models import Person
from core.vietnamese import format_date
from plugins.contests import rules
from plugins.contests.models import ContestField, Edition, Entry, EntryAuthor, PrizeTier

YOUTH_AGE = 35  # Huy hiệu "Tuổi trẻ sáng tạo": up to 35 years old

LISTS = {
    "tuoi-tre-sang-tao": "Huy hiệu Tuổi trẻ sáng tạo (Tỉnh đoàn)",
    "lao-dong-sang-tao": "Bằng Lao động sáng tạo (Liên đoàn Lao động tỉnh)",
    "thuong-giai-toan-quoc": "Thưởng giải toàn quốc từ giải Ba trở lên",
}


def awarded(edition):
    """The edition's entries with a prize as it stands (the council's when it decided),
    best tier first, then by field and score."""
    return list(Entry.select(Entry, PrizeTier, ContestField)
                .join(PrizeTier, on=(Entry.final_tier == PrizeTier.id))
                .join_from(Entry, ContestField, on=(Entry.field == ContestField.id))
                .where(Entry.edition == edition, Entry.archived == False)  # noqa: E712
                .order_by(PrizeTier.sort_order, ContestField.sort_order, Entry.score.desc(), Entry.id))


def annex_rows(edition):
    """The prize list: STT, title, authors, address, nominating unit, field, score, prize,
    prize money."""
    headers = ["STT", "Tên giải pháp", "Tác giả", "Đơn vị/Địa chỉ", "Đơn vị giới thiệu", "Lĩnh vực", "Điểm", "Giải",
               "Tiền thưởng (đồng)"]
    rows = []
    for number, entry in enumerate(awarded(edition), start=1):
        rows.append([number, entry.title, entry.authors, entry.author_address, entry.nominating_name,
                     entry.field.name, float(entry.score) if entry.score is not None else None,
                     entry.final_tier.name, entry.prize_money])
    return headers, rows


def _authors_of(entries):
    """``{entry id: [Person]}`` in the order written (one query)."""
    found = defaultdict(list)
    ids = [e.id for e in entries]
    if ids:
        query = (EntryAuthor.select(EntryAuthor, Person).join(Person)
                 .where(EntryAuthor.entry.in_(ids)).order_by(EntryAuthor.entry, EntryAuthor.position))
        for link in query:
            found[link.entry_id].append(link.person)
    return found


def youth_badge_rows(edition):
    """Authors of awarded entries who are at most 35 in the edition's last year; authors
    whose year of birth the registry lacks are listed too, to be checked."""
    year = edition.season_end or edition.season_start
    headers = ["STT", "Họ và tên", "Năm sinh", "Tuổi", "Giải pháp", "Giải", "Đơn vị/Địa chỉ", "Ghi chú"]
    entries = awarded(edition)
    authors = _authors_of(entries)
    rows = []
    for entry in entries:
        for person in authors[entry.id]:
            age = year - person.year_of_birth if year and person.year_of_birth else None
            if age is not None and age > YOUTH_AGE:
                continue
            note = "" if age is not None else "Chưa rõ năm sinh: cần kiểm tra độ tuổi"
            rows.append([len(rows) + 1, person.full_name, person.year_of_birth, age, entry.title,
                         entry.final_tier.name, entry.author_address, note])
    return headers, rows


def labour_rows(edition):
    """Every author of an awarded entry, with the entry and the workplace written."""
    headers = ["STT", "Họ và tên", "Giải pháp", "Lĩnh vực", "Giải", "Đơn vị/Địa chỉ", "Đơn vị giới thiệu"]
    entries = awarded(edition)
    authors = _authors_of(entries)
    rows = []
    for entry in entries:
        for person in authors[entry.id]:
            rows.append([len(rows) + 1, person.full_name, entry.title, entry.field.name, entry.final_tier.name,
                         entry.author_address, entry.nominating_name])
    return headers, rows


def national_bonus_rows(edition):
    """Entries sent to the national contest whose national prize is Ba (third) or better."""
    tiers = [(t.name, tuple(t.spellings()[1:])) for t in
             PrizeTier.select().where(PrizeTier.kind == edition.kind_id).order_by(PrizeTier.sort_order)]
    headers = ["STT", "Tên giải pháp", "Tác giả", "Lĩnh vực", "Giải cấp tỉnh", "Giải toàn quốc", "Đơn vị giới thiệu"]
    query = (Entry.select(Entry, ContestField).join(ContestField, on=(Entry.field == ContestField.id))
             .where(Entry.edition == edition, Entry.archived == False, Entry.national_prize.is_null(False))  # noqa: E712
             .order_by(ContestField.sort_order, Entry.id))
    names = {t.id: t.name for t in PrizeTier.select().where(PrizeTier.kind == edition.kind_id)}
    rows = []
    for entry in query:
        if rules.third_or_better(entry.national_prize, tiers):
            rows.append([len(rows) + 1, entry.title, entry.authors, entry.field.name,
                         names.get(entry.final_tier_id, ""), entry.national_prize, entry.nominating_name])
    return headers, rows


BUILDERS = {"tuoi-tre-sang-tao": youth_badge_rows, "lao-dong-sang-tao": labour_rows,
            "thuong-giai-toan-quoc": national_bonus_rows}


def title_lines(edition: Edition, what: str) -> list[str]:
    lines = [what.upper(), edition.name]
    if edition.decision_number:
        when = f" ngày {format_date(edition.decision_date)}" if edition.decision_date else ""
        lines.append(f"(Kèm theo Quyết định số {edition.decision_number}{when})")
    return lines


def xlsx_bytes(title: list[str], headers: list[str], rows: list[list], sheet: str = "Danh sách") -> bytes:
    """A workbook of one sheet: title lines, the header row, the rows (text neutralised)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    for line in title:
        ws.append([neutralise(line)])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.append([])
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutralise(value) if isinstance(value, str) else value for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(headers: list[str], rows: list[list]) -> str:
    """CSV with a UTF-8 BOM (Excel then reads the accents), text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
    return "\ufeff" + out.getvalue()
