"""The three-way merge of one field: base (last synced), sheet, database.

Values are canonical texts (``Column.format``), so ``50 triệu`` and ``50.000.000`` are
the same value and never count as a change.
"""
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
