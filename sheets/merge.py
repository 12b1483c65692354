"""The three-way merge of one field: base (last synced), sheet, database.

Values are canonical texts (``Column.format``), so ``50 triệu`` and ``50.000.000`` are
the same value and never count as a change.
"""
from dataclasses import dataclass, field

SAME, TO_DB, TO_SHEET, AGREE, CONFLICT = "same", "to_db", "to_sheet", "agree", "conflict"


def merge_field(base: str, sheet: str, db: str) -> str:
    """What to do with one field.

    ``same``: nothing changed. ``to_db``: only the sheet changed — import it.
    ``to_sheet``: only the database changed — write it to the sheet. ``agree``: both
    changed to the same value — just remember it. ``conflict``: both changed differently —
    a person decides; neither side is touched.
    """
    if sheet == db:
        return SAME if sheet == base else AGREE
    if sheet == base:
        return TO_SHEET
    if db == base:
        return TO_DB
    return CONFLICT


@dataclass
class RowMerge:
    """What the merge of one row decided (every field keyed by its mapping field name).

    ``to_db``: fields whose sheet value goes to the database. ``to_sheet``: field → text to
    write into the sheet. ``conflicts``: ``(field, base, sheet, db)`` left for a person.
    ``blocked``: ``(field, db text)`` the database would write but the sheet cell holds a
    formula (phoihop never overwrites one: reported instead). ``overwritten``: ``(field,
    sheet text, db text)`` edits of computed columns that phoihop writes back. ``unknown``:
    fields whose formula has no stored result (nothing is decided for them). ``base``: the
    new last-agreed texts (pushed values join it only once the write has landed).
    """

    base: dict
    to_db: list = field(default_factory=list)
    to_sheet: dict = field(default_factory=dict)
    conflicts: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    overwritten: list = field(default_factory=list)
    unknown: list = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """Nothing to import, write or decide: both sides already agree."""
        return not (self.to_db or self.to_sheet or self.conflicts or self.blocked or self.unknown)


def merge_row(columns, base, sheet, db, *, direction="both", formulas=(), unknown=()) -> RowMerge:
    """Merge one row field by field.

    ``columns``: the mapping's columns present in the sheet (``field``, ``computed``).
    ``base``/``sheet``/``db``: field → canonical text (missing = ``''``). ``direction``:
    ``pull`` never writes the sheet, ``push`` never changes the database. ``formulas``:
    fields whose sheet cell holds a formula (read from its result, never written).
    ``unknown``: fields whose formula has no stored result: skipped, base kept.

    Computed columns always take the database's text (an edit in the sheet is overwritten
    and reported), unless their cell holds a formula.
    """
    result = RowMerge(base=dict(base))
    for column in columns:
        name = column.field
        if name in unknown:
            result.unknown.append(name)
            continue
        sheet_text, db_text = sheet.get(name, ""), db.get(name, "")
        if column.computed:
            if sheet_text != db_text:
                if name in formulas:
                    result.blocked.append((name, db_text))
                else:
                    result.to_sheet[name] = db_text
                    if sheet_text:
                        result.overwritten.append((name, sheet_text, db_text))
            result.base[name] = db_text
            continue
        outcome = merge_field(base.get(name, ""), sheet_text, db_text)
        if outcome == TO_DB and direction != "push":
            result.to_db.append(name)
            result.base[name] = sheet_text
        elif outcome == TO_SHEET and direction != "pull":
            if name in formulas:
                result.blocked.append((name, db_text))
            else:
                result.to_sheet[name] = db_text
        elif outcome == AGREE:
            result.base[name] = sheet_text
        elif outcome == CONFLICT:
            result.conflicts.append((name, base.get(name, ""), sheet_text, db_text))
    return result
