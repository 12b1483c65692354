"""Records made in the admin go to the sheet: new rows below the table, with their ``Mã``.

A record of the binding's unit that no row of any binding of this mapping holds yet is
appended; so is one a previous run appended but never confirmed (its write failed), and
one un-archived in the admin whose row had left the sheet — it comes back with its old
``Mã``. A record whose ``Mã`` is still somewhere in the sheet is never appended twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Unit
from sheets import bulk
from sheets.apply import allocate_keys, select_records
from sheets.models import Binding, SyncedRow

PUSHED_NEW = "Mới (từ hệ thống)"
CHUNK = 1000


@dataclass
class Appended:
    """What appending decided: the cells to write and the ``Mã`` to confirm once written."""

    cells: dict = field(default_factory=dict)  # (row, col) 0-based → text
    keys: list = field(default_factory=list)


def append_records(binding, mapping, index, in_sheet, seen, table, present) -> Appended:
    """Append the binding's records that no row holds (see the module docstring).

    ``index``: ``Mã`` → what the database knows of it (``sheets.run.Known``);
    ``in_sheet``: the ``Mã`` found in the sheet; ``seen``: those kept alive this run;
    ``table``: the sheet's table; ``present``: its mapped columns.
    """
    work = _work(binding, mapping, index, in_sheet, seen)
    done = Appended()
    if not work:
        return done
    new_keys = allocate_keys(mapping.key_prefix, sum(1 for key, _, _ in work if key is None))
    unit_names = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
    unit_column = mapping.unit_column()
    row = table.last_row + 1
    inserts, reused = [], []
    for start in range(0, len(work), CHUNK):
        part = work[start:start + CHUNK]
        values = mapping.read_many([record for _, _, record in part])
        for key, srow_id, record in part:
            texts = {c.field: c.format(values[record.id].get(c.field)) for c in present}
            done.cells.update({(row, table.columns[name]): text for name, text in texts.items() if text})
            if unit_column is not None and unit_column.field in table.columns:
                done.cells[(row, table.columns[unit_column.field])] = unit_names.get(record.unit_id, "")
            if key is None:
                key = new_keys.pop(0)
                inserts.append({"binding": binding.id, "key": key, "record_id": record.id, "snapshot": texts,
                                "confirmed": False, "origin": "database", "archived": False, "digest": None})
            else:
                reused.append((srow_id, texts))
            done.cells[(row, table.key_col)] = key
            done.cells[(row, table.status_col)] = PUSHED_NEW
            done.keys.append(key)
            row += 1
    bulk.insert(SyncedRow, inserts)
    for srow_id, texts in reused:  # un-archived in the admin: the old Mã comes back (rare)
        SyncedRow.update(snapshot=texts, archived=False, archived_by=None, confirmed=False, origin="database",
                         digest=None).where(SyncedRow.id == srow_id).execute()
    return done


def _work(binding, mapping, index, in_sheet, seen):
    """``[(Mã or None, SyncedRow id or None, record)]`` to append, in order."""
    model = mapping.model
    linked = (SyncedRow.select(SyncedRow.record_id).join(Binding)
              .where(Binding.name == mapping.name, SyncedRow.archived == False))  # noqa: E712
    held = {k.record_id for key, k in index.items() if key in in_sheet}
    archived_here = {k.record_id: (key, k.id) for key, k in index.items() if k.archived and key not in in_sheet}
    pending = [(key, k) for key, k in index.items()
               if not k.confirmed and k.origin == "database" and not k.archived and key not in seen]
    pending_records = select_records(model, [k.record_id for _, k in pending]) if pending else {}
    work = [(key, k.id, pending_records.get(k.record_id)) for key, k in pending]
    query = model.select().where(model.archived == False, model.id.not_in(linked))  # noqa: E712
    if binding.unit_id is not None:
        query = query.where(model.unit == binding.unit_id)
    for record in query:
        if record.id not in held:
            key, srow_id = archived_here.get(record.id, (None, None))
            work.append((key, srow_id, record))
    return [item for item in work if item[2] is not None and not item[2].archived]
