"""One run of one binding: read, identify, merge and apply a chunk at a time, write, confirm.

1. **read** the worksheet (bounded by the table) and find the table (``reader``);
2. **identify** the rows that lost their ``Mã`` (``identity``): a row that still carries
   its ``Mã`` as row metadata (Google) and still looks like its record, a row whose
   content is a record about to be archived, or one a crashed run created, gets its
   ``Mã`` back;
3. **chunks** of 1,000 rows, each in its own short transaction (the admin is never
   blocked for long): rows unchanged on both sides since the last agreement are
   recognised by a digest and skipped; the others are parsed, checked and merged field
   by field against the last-agreed snapshot (``merge.merge_row``) — an edit made in the
   admin during the run is either already in the record we lock and read, or lands after
   our commit and differs from the snapshot, so the next run pushes it: never lost;
4. **archive** the records whose rows left the sheet — unless that is more than a set
   share of them (a person confirms with ``--allow-mass-archive``);
5. **append** records made in the admin as new rows;
6. **write** every changed cell in one batch — with the ``Mã`` of rows that do not carry
   it yet as row metadata, where the backend keeps it — holding the file's lock; a file that changed
   since step 1 raises :class:`~sheets.backend.SheetChanged` (the caller redoes the run);
7. **confirm** in a last small transaction what the write made true (new ``Mã`` are in
   the sheet, pushed values are agreed).

A failure at any point leaves every committed chunk consistent: new rows wait
unconfirmed (the next run adopts them by content instead of creating them twice) and
pushed values that did not reach the sheet are pushed again.
"""
from __future__ import annotations

import gc
import hashlib
from collections import Counter, defaultdict
from typing import NamedTuple

from core.db import database
from core.models import Unit, name_key, now, snapshot
from sheets import bulk, guidance
from sheets.append import append_records
from sheets.apply import (
    allocate_keys, archive_records, audit_rows, chunk_transaction, insert_records, record_problems, select_records, update_records,
)
from sheets.identity import Candidate, claim_rows, mass_archive, metadata_candidates, resembles, signature
from sheets.lock import source_lock
from sheets.mapping import KEY_HEADER, STATUS_HEADER
from sheets.merge import merge_row
from sheets.models import Binding, Conflict, SyncedRow
from sheets.reader import read_table
from sheets.backend import Cell
from sheets.bounds import column_letter
from sheets.values import clean_text

OK, NEW, UPDATED = "OK", "Mới", "Đã cập nhật"
ARCHIVED_IN_DB = "Đã lưu trữ trong hệ thống"
KEY_RESTORED, RECORD_RESTORED = "Đã khôi phục Mã", "Đã khôi phục từ lưu trữ"
STALE_STATUS = ("Lỗi", "Xung đột", "Đã lưu trữ", "Chú ý", "Đã khôi phục")
MAX_STATUS = 1000  # characters: a status is a sentence, never a cell's worth of text
MAX_TAGS = 10_000  # rows whose Mã one write attaches as metadata (~250 bytes each); the rest: next syncs
CHUNK = 1000


class Known(NamedTuple):
    """What the database knows of one ``Mã`` of the binding (no snapshot: that is loaded per chunk)."""

    id: int
    record_id: int
    confirmed: bool
    origin: str
    archived: bool
    digest: str | None
    archived_by: str | None


def cut(text: str, limit: int = MAX_STATUS) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Run:
    """The state of one run; see the module docstring for its steps."""

    def __init__(self, binding, mapping, backend, result, *, pm=None, actor=None, progress=None,
                 allow_mass_archive=False, mass_share=0.2, mass_min=5, chunk=None):
        self.binding, self.mapping, self.backend, self.result = binding, mapping, backend, result
        self.pm, self.actor, self.progress = pm, actor or f"sync:{binding.name}", progress
        self.direction, self.dry_run = result.direction, result.dry_run
        self.allow_mass_archive, self.mass_share, self.mass_min = allow_mass_archive, mass_share, mass_min
        self.chunk = chunk or CHUNK
        self.model = mapping.model
        self.cells = {}  # (row, col) 0-based → text to write
        self.confirm_keys = []  # Mã that are in the sheet once the write lands
        self.agreed_later = {}  # SyncedRow id → {field: text} agreed once the write lands
        self.seen = set()  # Mã found in the sheet (and kept alive)
        self.claimed = {}  # row index → ("restored" | "adopted", Mã)
        self.ambiguous = {}  # row index → the Mã it could be
        self.wrote = False  # whether the run wrote to the sheet
        self.row_ids = {}  # 0-based row → the Mã the row carries as metadata (Google)

    # -- the run -----------------------------------------------------------------------
    def execute(self):
        """The whole run. The grid and the table are long-lived: they are moved out of
        the garbage collector's way while the run works (gc.freeze), a fifth of its time."""
        try:
            self._execute()
        finally:
            gc.unfreeze()

    def _execute(self):
        self.mapping.prepare()  # lookup lists changed since the last run, in any process, are re-read
        grid = self.backend.read(self.binding.worksheet)
        self.grid = grid
        self.row_ids = getattr(grid, "row_ids", None) or {}
        self.table = table = read_table(grid, self.mapping)
        gc.freeze()  # the grid and the table live for the whole run
        self.result.skipped = dict(table.skipped)
        self.result.columns = {**{table.headers[f]: column_letter(c) for f, c in table.columns.items()},
                               KEY_HEADER: column_letter(table.key_col)}
        self.result.warnings.extend([*getattr(grid, "warnings", ()), *table.warnings])
        self.present = [c for c in self.mapping.columns if c.field in table.columns and c.kind != "unit"]
        self.imported = [c.field for c in self.present if not c.computed]
        self.digest_cols = [table.columns[c.field] for c in self.mapping.columns if c.field in table.columns]
        field_at = {col: name for name, col in table.columns.items()}
        self.formula_fields = defaultdict(set)  # row index → fields whose cell is a formula
        for r, c in getattr(grid, "formulas", ()):
            if c in field_at:
                self.formula_fields[r].add(field_at[c])
        self.load_state()
        self.claim_keyless()
        rows = table.rows
        for start in range(0, len(rows), self.chunk):
            chunk = rows[start:start + self.chunk]
            with chunk_transaction() as transaction:
                self.handle_chunk(chunk)
                if self.dry_run:
                    transaction.rollback()
            if self.progress is not None:
                self.progress(start + len(chunk), len(rows))
        if self.direction != "push":
            self.archive_missing()
        if self.direction != "pull":
            self.append_database_records()
        for col, header in table.added:  # computed columns the office's sheet lacked
            self.cells[(table.header_index, col)] = header
        if table.key_header_missing:
            self.cells[(table.header_index, table.key_col)] = KEY_HEADER
        if table.status_header_missing:
            self.cells[(table.header_index, table.status_col)] = STATUS_HEADER
        if self.dry_run:
            return
        cells = self.changed_cells()
        tags = self.row_tags()
        wanted = self.guidance()
        self.grid = self.table.grid = grid = None  # the grid is not needed for the write: let it go first
        if cells or tags or wanted is not None:
            options = {}
            if tags:
                options["row_ids"] = tags
            if wanted is not None:
                options["guidance"] = wanted
            writes = self.backend.requests.writes
            with source_lock(self.binding.source):
                self.backend.write(self.binding.worksheet, cells, **options)
            # guidance that matches the sheet already sends nothing: only a request or a save counts
            self.wrote = bool(cells or tags) or self.backend.requests.writes > writes
            self.result.warnings.extend(getattr(self.backend, "notices", ()))
        with database.atomic():
            self.confirm()
            if wanted is not None and wanted.send_rules:
                Binding.update(guidance_digest=wanted.rules_digest()).where(Binding.id == self.binding.id).execute()

    def load_state(self):
        self.units = {name_key(u.name): u.id for u in Unit.select(Unit.id, Unit.name)}
        query = (SyncedRow.select(SyncedRow.key, SyncedRow.id, SyncedRow.record_id, SyncedRow.confirmed,
                                  SyncedRow.origin, SyncedRow.archived, SyncedRow.digest, SyncedRow.archived_by)
                 .where(SyncedRow.binding == self.binding))
        self.index = {key: Known(*rest) for key, *rest in query.tuples().iterator()}
        self.restore_from_metadata()
        self.counts = Counter(row.key for row in self.table.rows if row.key)
        self.missing = {key: known for key, known in self.index.items()
                        if not known.archived and key not in self.counts and (known.confirmed or known.origin == "sheet")}
        self.open_conflicts = {(c.key, c.field): c for c in
                               Conflict.select().where(Conflict.binding == self.binding, Conflict.status == "open")}

    def restore_from_metadata(self):
        """Rows whose ``Mã`` cell was cleared or overwritten but whose row still carries
        its ``Mã`` as metadata get it back, when the row still looks like its record."""
        if not self.row_ids:
            return
        counts = Counter(row.key for row in self.table.rows if row.key)
        pairs = {row.index: (row.key, self.row_ids[row.index]) for row in self.table.rows if row.index in self.row_ids}
        wanted = metadata_candidates(pairs, counts, self.index)
        if not wanted:
            return
        snapshots = {}
        keys = sorted(set(wanted.values()))
        for start in range(0, len(keys), CHUNK):
            query = SyncedRow.select(SyncedRow.key, SyncedRow.snapshot).where(SyncedRow.key.in_(keys[start:start + CHUNK]))
            for key, snap in query.tuples():
                snapshots[key] = SyncedRow.snapshot.python_value(snap) if isinstance(snap, str) else snap
        for row in self.table.rows:
            key = wanted.get(row.index)
            if key is None:
                continue
            self.table.parse(row)
            if resembles(row.texts, snapshots.get(key), self.imported):
                row.key = key
                self.claimed[row.index] = ("restored", key)
            row.release()

    def claim_keyless(self):
        """Give rows without ``Mã`` the ``Mã`` of the record they are, when that is certain."""
        if self.direction == "push" or not self.missing:
            return
        keyless = [row for row in self.table.rows if not row.key]
        if not keyless:
            return
        candidates = defaultdict(list)
        ids = [known.id for known in self.missing.values()]
        for start in range(0, len(ids), CHUNK):
            query = SyncedRow.select(SyncedRow.key, SyncedRow.snapshot, SyncedRow.confirmed).where(
                SyncedRow.id.in_(ids[start:start + CHUNK])).order_by(SyncedRow.id)
            for key, snap, confirmed in query.tuples():
                found = signature(SyncedRow.snapshot.python_value(snap) if isinstance(snap, str) else snap, self.imported)
                if found:
                    candidates[found].append(Candidate(key, crashed=not confirmed))
        if not candidates:
            return
        signatures = {}
        for row in keyless:
            self.table.parse(row)
            if not row.errors and not row.unknown:
                signatures[row.index] = signature(row.texts, self.imported)
            row.release()
        claims = claim_rows(signatures, candidates)
        by_index = {row.index: row for row in keyless}
        for kind, found in (("restored", claims.restored), ("adopted", claims.adopted)):
            for index, key in found.items():
                self.claimed[index] = (kind, key)
                by_index[index].key = key
                self.missing.pop(key, None)
        self.ambiguous = claims.ambiguous
        for keys in claims.ambiguous.values():  # not guessed, and not archived either
            for key in keys:
                self.missing.pop(key, None)

    # -- a chunk -------------------------------------------------------------------------
    def handle_chunk(self, chunk):
        """Rows unchanged on both sides are recognised first (records and their
        ``read_many`` only); the rest load their snapshots and are parsed and merged."""
        keyed = [row.key for row in chunk if row.key in self.index]
        record_ids = {self.index[key].record_id for key in keyed}
        self.records = select_records(self.model, record_ids) if record_ids else {}
        self.db_values = self.mapping.read_many(list(self.records.values())) if self.records else {}
        pending = [row for row in chunk if not self.unchanged(row)]
        ids = [self.index[row.key].id for row in pending if row.key in self.index]
        self.srows = {s.key: s for s in SyncedRow.select().where(SyncedRow.id.in_(ids))} if ids else {}
        self.creates, self.updates, self.restores, self.changed_srows = [], [], [], {}
        for row in pending:
            self.table.parse(row)
            self.handle(row)
        self.flush()
        for row in chunk:
            row.release()

    def digest(self, row, record_id):
        """What both sides looked like: the row's cells (as phoihop will have left them)
        and what :meth:`Mapping.read_many` says of the record. Stable across processes."""
        values, record = self.db_values.get(record_id), self.records.get(record_id)
        if values is None or record is None:
            return None
        raw = self.grid[row.index]
        cells = [self.cells.get((row.index, col), raw[col] if col < len(raw) else None) for col in self.digest_cols]
        state = [values.get(c.field) for c in self.present] + [record.unit_id, record.archived]
        return hashlib.blake2b(repr((cells, state)).encode("utf-8"), digest_size=16).hexdigest()

    def unchanged(self, row):
        if not row.key or row.index in self.claimed or self.counts[row.key] > 1:
            return False
        known = self.index.get(row.key)
        if known is None or not known.digest or known.archived or not known.confirmed:
            return False
        if self.digest(row, known.record_id) != known.digest:
            return False
        self.seen.add(row.key)
        self.result.unchanged += 1
        self.set_status(row, OK, keep_fresh=True)
        return True

    def handle(self, row):
        errors = list(row.errors)
        unit_id = self.resolve_unit(row, errors)
        claim = self.claimed.get(row.index)
        if row.index in self.ambiguous:
            keys = ", ".join(self.ambiguous[row.index])
            errors.append(self.error(row, KEY_HEADER, "", f"Dòng không có Mã và giống nhiều bản ghi ({keys}): "
                                                           f'phoihop không đoán — hãy điền đúng Mã vào cột "{KEY_HEADER}"'))
        elif row.key and claim is None:
            if self.counts[row.key] > 1:
                lines = ", ".join(str(r.excel_row) for r in self.table.rows if r.key == row.key)
                errors.append(self.error(row, KEY_HEADER, row.key, f'Mã "{row.key}" bị trùng ở các dòng {lines}'))
            elif row.key not in self.index:
                errors.append(self.error(row, KEY_HEADER, row.key, f'Mã "{row.key}" không có trong hệ thống (đừng tự gõ Mã)'))
        if claim is not None:
            self.cells[(row.index, self.table.key_col)] = row.key
            self.confirm_keys.append(row.key)
        if row.key:
            self.seen.add(row.key)
        if not errors:
            errors = self.rule_errors(row)
        if errors:
            self.fail_row(row, errors)
        elif row.key and row.key in self.srows:
            self.merge(row, self.srows[row.key], unit_id, claim)
        elif not row.key and self.direction != "push":
            self.create(row, unit_id)

    def fail_row(self, row, errors):
        self.result.errors.extend(errors)
        self.set_status(row, "Lỗi: " + "; ".join(e["message"] for e in errors))

    def resolve_unit(self, row, errors):
        column = self.mapping.unit_column()
        if column is None or row.unit_name is None:
            if self.binding.unit_id is None:
                errors.append(self.error(row, None, None, "Không rõ đơn vị: thêm cột \"Đơn vị\" hoặc liên kết với --unit"))
            return self.binding.unit_id
        unit_id = self.units.get(name_key(row.unit_name))
        header = self.table.headers[column.field]
        if unit_id is None:
            errors.append(self.error(row, header, row.unit_name, f'{header} "{cut(row.unit_name, 80)}" chưa đăng ký (phoihop units add)'))
        elif self.binding.unit_id is not None and unit_id != self.binding.unit_id:
            errors.append(self.error(row, header, row.unit_name, f'{header} "{cut(row.unit_name, 80)}" không phải đơn vị của liên kết này'))
        return unit_id

    def rule_errors(self, row):
        problems = list(self.mapping.rules(dict(row.values)) or [])
        if self.pm is not None:
            for answer in self.pm.hook.phoihop_validate(binding=self.mapping.name, record=dict(row.values)):
                problems.extend(answer or [])
        return [self.error(row, self.table.headers.get(f), row.texts.get(f), message) for f, message in problems]

    def fit_errors(self, row, record):
        """Values the table cannot hold (text longer than its column, numbers too large)."""
        return [self.error(row, self.table.headers.get(name, name), row.texts.get(name, ""),
                           f'{self.table.headers.get(name, name)} {problem}')
                for name, problem in record_problems(record)]

    # -- rows phoihop knows ----------------------------------------------------------------
    def merge(self, row, srow, unit_id, claim):
        """A row phoihop knows: merge it field by field against the last-agreed snapshot."""
        record = self.records.get(srow.record_id)
        restored = self.coming_back(record, srow)
        if restored is None:
            self.mark_archived(row, srow)
            return
        values = self.db_values.get(record.id, {})
        db_texts = {c.field: c.format(values.get(c.field)) for c in self.present}
        decided = merge_row(self.present, srow.snapshot, row.texts, db_texts, direction=self.direction,
                            formulas=self.formula_fields.get(row.index, ()), unknown=row.unknown)
        changes = {name: row.values.get(name) for name in decided.to_db}
        moved = unit_id is not None and unit_id != record.unit_id and self.direction != "push"
        if not self.stage_update(row, record, changes, unit_id if moved else None, restored):
            return
        self.keep_alive(srow, confirmed=claim is None)
        conflicts = self.record_conflicts(row, srow, record, decided)
        pushed = self.push_cells(row, srow, decided)
        settled = decided.settled and not changes and not restored and not moved
        digest = self.digest(row, record.id) if settled else None
        if decided.base != srow.snapshot or digest != srow.digest:
            srow.snapshot, srow.digest = decided.base, digest
            self.changed_srows[srow.id] = srow
        self.report_row(row, decided, conflicts, claim, restored, changes or moved, pushed)

    def coming_back(self, record, srow):
        """``None`` when the record stays archived (gone, or archived in the admin); else
        whether it returns from an archive its row's removal caused."""
        if record is None or (record.archived and srow.archived_by != "sheet"):
            return None
        if record.archived:
            if self.direction == "push":
                return None
            record.archived = False
            return True
        return False

    def mark_archived(self, row, srow):
        if not srow.archived or srow.archived_by != "database":
            srow.archived, srow.archived_by = True, "database"
            self.changed_srows[srow.id] = srow
        self.set_status(row, ARCHIVED_IN_DB)

    def stage_update(self, row, record, changes, new_unit, restored):
        """Put the sheet's changes (and a new unit) on the record, to be saved with the
        chunk; ``False`` when the table cannot hold them (a row error)."""
        if not (changes or restored or new_unit):
            return True
        before = snapshot(record)
        if new_unit:
            record.unit = new_unit
        if changes:
            self.mapping.apply(record, changes)
        problems = self.fit_errors(row, record)
        if problems:
            self.fail_row(row, problems)
            return False
        self.updates.append((record, changes, before, row))
        if restored:
            self.restores.append(record)
        return True

    def keep_alive(self, srow, confirmed):
        """The row is in the sheet: un-archived if it was, confirmed unless its Mã is
        only being written back now."""
        if srow.archived:
            srow.archived, srow.archived_by = False, None
            self.changed_srows[srow.id] = srow
        if confirmed and not srow.confirmed:
            srow.confirmed = True
            self.changed_srows[srow.id] = srow

    def record_conflicts(self, row, srow, record, decided):
        conflicts = [self.conflict(row, srow, record, *clash) for clash in decided.conflicts]
        clashing = {clash[0] for clash in decided.conflicts}
        for column in self.present:
            if column.field not in clashing:
                self.close_conflict(srow.key, column.field)
        return conflicts

    def push_cells(self, row, srow, decided):
        """Write the database's side into the row; return the pushed (non-computed) fields."""
        for name, text in decided.to_sheet.items():
            self.cells[(row.index, self.table.columns[name])] = text
        pushed = {k: v for k, v in decided.to_sheet.items() if not self.mapping.column(k).computed}
        if pushed:
            self.agreed_later[srow.id] = pushed
        for name, sheet_text, db_text in decided.overwritten:
            self.result.warnings.append(f'Dòng {row.excel_row}, cột "{self.table.headers[name]}": phoihop tính cột này, '
                                        f'đã ghi lại "{db_text}" thay cho "{cut(sheet_text, 80)}"')
        return pushed

    def report_row(self, row, decided, conflicts, claim, restored, changes, pushed):
        """The row's status and the run's counts."""
        notes = self.formula_notes(row, decided)
        if conflicts:
            self.set_status(row, "Xung đột: " + "; ".join(conflicts))
        elif notes:
            self.set_status(row, "Chú ý: " + "; ".join(notes))
        elif claim is not None:
            self.set_status(row, NEW if claim[0] == "adopted" else KEY_RESTORED)
        elif restored:
            self.set_status(row, RECORD_RESTORED)
        elif changes or pushed:
            self.set_status(row, UPDATED)
        else:
            self.set_status(row, OK, keep_fresh=True)
        if claim is not None and claim[0] == "adopted":
            self.result.created += 1
        elif claim is not None or restored:
            self.result.restored += 1
        if conflicts:
            return
        self.result.updated += bool(changes)
        self.result.pushed += bool(pushed)
        if claim is None and not restored and not changes and not pushed:
            self.result.unchanged += 1

    def formula_notes(self, row, decided):
        notes = []
        for name in decided.unknown:
            header = self.table.headers[name]
            notes.append(f'Ô công thức "{header}" chưa có giá trị: mở tệp bằng Excel và lưu lại')
        for name, db_text in decided.blocked:
            header = self.table.headers[name]
            notes.append(f'"{header}" là ô công thức: hệ thống có "{cut(db_text, 80)}", phoihop không ghi đè công thức')
        for note in notes:
            self.result.warnings.append(f"Dòng {row.excel_row}: {note}")
        return notes

    def conflict(self, row, srow, record, name, base, sheet_text, db_text):
        header = self.table.headers[name]
        found = self.open_conflicts.get((srow.key, name))
        if found is None:
            found = Conflict.create(binding=self.binding, unit=record.unit_id, key=srow.key, field=name, header=header,
                                    base_value=base, sheet_value=sheet_text, db_value=db_text)
            self.open_conflicts[(srow.key, name)] = found
        elif (found.sheet_value, found.db_value) != (sheet_text, db_text):
            found.sheet_value, found.db_value = sheet_text, db_text
            found.save()
        self.result.conflicts.append({"row": row.excel_row, "key": srow.key, "column": header, "sheet": sheet_text,
                                      "database": db_text, "id": found.id})
        return f"{header} — bảng tính {cut(sheet_text, 80) or '(trống)'}, hệ thống {cut(db_text, 80) or '(trống)'}"

    def close_conflict(self, key, name):
        found = self.open_conflicts.pop((key, name), None)
        if found is not None:
            found.status, found.resolved_at, found.resolved_by = "agreed", now(), self.actor
            found.save()

    # -- new rows -------------------------------------------------------------------------
    def create(self, row, unit_id):
        values = {name: row.values[name] for name in self.imported if name in row.values}
        record = self.model(unit=unit_id, archived=False)
        self.mapping.apply(record, values)
        problems = self.fit_errors(row, record)
        if problems:
            self.fail_row(row, problems)
            return
        plain = {name: row.texts.get(name, "") for name in self.imported}
        self.creates.append((row, record, values, plain))

    def flush(self):
        """Apply the chunk's decisions: a constant number of statements."""
        if self.creates:
            self.flush_creates()
        if self.updates:
            records = [record for record, _, _, _ in self.updates]
            update_records(self.model, records)
            self.mapping.after_save_many([(record, changes) for record, changes, _, _ in self.updates])
            restored = {record.id for record in self.restores}
            plain = [r for r in records if r.id not in restored]
            audit_rows(self.model, self.actor, "update", plain,
                       before={r.id: b for r, _, b, _ in self.updates}, after={r.id: snapshot(r) for r in plain})
            audit_rows(self.model, self.actor, "restore", self.restores)
            self.refresh_computed([(row, record) for record, _, _, row in self.updates])
        if self.changed_srows:
            SyncedRow.bulk_update(list(self.changed_srows.values()),
                                  fields=[SyncedRow.snapshot, SyncedRow.digest, SyncedRow.confirmed,
                                          SyncedRow.archived, SyncedRow.archived_by], batch_size=200)

    def flush_creates(self):
        creates, self.creates = self.creates, []
        records = [record for _, record, _, _ in creates]
        keys = allocate_keys(self.mapping.key_prefix, len(creates))
        for record, key in zip(records, keys):  # where it came from (core.records.SyncedRecord)
            record.source_binding, record.source_key = self.binding.id, key
        insert_records(self.model, records)
        self.mapping.after_save_many([(record, values) for _, record, values, _ in creates])
        stored = select_records(self.model, [record.id for record in records])  # as the database keeps them
        self.db_values.update(self.mapping.read_many(list(stored.values())))
        self.records.update(stored)
        synced = []
        for (row, record, _values, plain), key in zip(creates, keys):
            computed = self.write_computed(row, record)
            self.cells[(row.index, self.table.key_col)] = key
            self.set_status(row, NEW)
            synced.append({"binding": self.binding.id, "key": key, "record_id": record.id,
                           "snapshot": {**plain, **computed}, "confirmed": False, "origin": "sheet",
                           "archived": False, "digest": self.digest(row, record.id)})
        bulk.insert(SyncedRow, synced)
        self.confirm_keys.extend(keys)
        audit_rows(self.model, self.actor, "create", records)
        self.result.created += len(creates)

    def refresh_computed(self, pairs):
        """Computed columns of rows updated from the sheet, as the records now are (their
        hooks ran): written in this run, not the next one."""
        computed = [c for c in self.present if c.computed]
        if not computed:
            return
        stored = select_records(self.model, [record.id for _, record in pairs])
        values = self.mapping.read_many(list(stored.values()))
        for row, record in pairs:
            texts = {c.field: c.format(values.get(record.id, {}).get(c.field)) for c in computed}
            formulas = self.formula_fields.get(row.index, ())
            for name, text in texts.items():
                if name not in formulas:
                    self.cells[(row.index, self.table.columns[name])] = text
            srow = self.srows.get(row.key)
            if srow is not None and any(srow.snapshot.get(k) != t for k, t in texts.items()):
                srow.snapshot = {**srow.snapshot, **texts}
                self.changed_srows[srow.id] = srow

    def write_computed(self, row, record):
        """Put the record's computed values in the row (never over a formula); return the texts."""
        computed = [c for c in self.present if c.computed]
        if not computed:
            return {}
        values = self.db_values.get(record.id, {})
        texts = {c.field: c.format(values.get(c.field)) for c in computed}
        formulas = self.formula_fields.get(row.index, ())
        for name, text in texts.items():
            if name not in formulas and row.texts.get(name, "") != text:
                self.cells[(row.index, self.table.columns[name])] = text
        return texts

    # -- rows gone from the sheet -----------------------------------------------------------
    def archive_missing(self):
        """Records whose rows left the sheet are archived (never deleted) — unless too many
        left at once: then nothing is, until a person confirms."""
        gone = list(self.missing.values())
        if not gone:
            return
        previous = sum(1 for k in self.index.values() if not k.archived and (k.confirmed or k.origin == "sheet"))
        if not self.allow_mass_archive and mass_archive(len(gone), previous, self.mass_share, self.mass_min):
            message = (f"{len(gone)} trong {previous} dòng đã đồng bộ lần trước không còn trong bảng tính: phoihop chưa "
                       "lưu trữ bản ghi nào. Nếu các dòng bị xóa nhầm, hãy dán lại (giữ cột Mã); nếu đúng là đã xóa, "
                       "chạy lại với --allow-mass-archive.")
            self.result.errors.append({"row": None, "column": None, "value": "", "message": message})
            self.result.held_back = len(gone)
            return
        with chunk_transaction() as transaction:
            archive_records(self.model, gone, self.actor)
            if self.dry_run:
                transaction.rollback()
        self.result.archived += len(gone)

    # -- records made in the admin go to the sheet --------------------------------------------
    def append_database_records(self):
        with chunk_transaction() as transaction:
            appended = append_records(self.binding, self.mapping, self.index, self.counts, self.seen, self.table,
                                      self.present)
            if self.dry_run:
                transaction.rollback()
        self.cells.update(appended.cells)
        self.confirm_keys.extend(appended.keys)
        self.result.pushed += len(appended.keys)

    # -- helpers ----------------------------------------------------------------------------
    def set_status(self, row, text, keep_fresh=False):
        if keep_fresh and row.status and not row.status.startswith(STALE_STATUS):
            return  # an untouched row keeps "Mới" / "Đã cập nhật": a no-change sync writes nothing
        self.cells[(row.index, self.table.status_col)] = cut(text)

    def error(self, row, header, value, message):
        text = "" if value is None else str(value)
        return {"row": row.excel_row, "column": header, "value": cut(text, 200), "message": cut(message, 500)}

    def row_tags(self):
        """{1-based row: Mã} of the rows that will hold a valid, unique ``Mã`` after the
        write but do not carry it as row metadata yet (backends that keep it only), at
        most :data:`MAX_TAGS` of them: a first sync of a huge sheet leaves the rest to the
        next syncs rather than send one oversized request."""
        if not getattr(self.backend, "row_metadata", False):
            return {}
        table = self.table
        keys = {row.index: row.key for row in table.rows if row.key}
        for (r, c), text in self.cells.items():
            if c == table.key_col and r > table.header_index and text:
                keys[r] = text
        counts = Counter(keys.values())
        valid = set(self.index) | set(self.confirm_keys)
        tags = sorted((r + 1, key) for r, key in keys.items()
                      if counts[key] == 1 and key in valid and self.row_ids.get(r) != key)
        return dict(tags[:MAX_TAGS])

    def changed_cells(self):
        """Only the cells whose content changes, never a formula cell."""
        formulas = getattr(self.grid, "formulas", ())
        cells = []
        for (r, c), text in sorted(self.cells.items()):
            if (r, c) in formulas:
                continue
            current = self.grid[r][c] if r < len(self.grid) and c < len(self.grid[r]) else None
            if (clean_text(current) or "") != (text or ""):
                cells.append(Cell(row=r + 1, col=c + 1, value=text or None))
        return cells

    def guidance(self):
        """Validations, notes and protections for the sheet (:mod:`sheets.guidance`), for a
        backend that takes them; the validations only when they changed since last sent."""
        if not getattr(self.backend, "takes_guidance", False):
            return None
        wanted = guidance.wanted(self.mapping, self.table, self.result.errors)
        sent = Binding.select(Binding.guidance_digest).where(Binding.id == self.binding.id).scalar()
        return wanted.rules_unchanged() if sent == wanted.rules_digest() else wanted

    def confirm(self):
        keys = self.confirm_keys
        for start in range(0, len(keys), 500):
            # Mã are unique across bindings: the key's own index finds them
            SyncedRow.update(confirmed=True).where(SyncedRow.key.in_(keys[start:start + 500])).execute()
        ids = list(self.agreed_later)
        for start in range(0, len(ids), 500):
            srows = list(SyncedRow.select().where(SyncedRow.id.in_(ids[start:start + 500])))
            for srow in srows:
                srow.snapshot = {**srow.snapshot, **self.agreed_later[srow.id]}
            SyncedRow.bulk_update(srows, fields=[SyncedRow.snapshot], batch_size=200)
        Binding.update(last_synced_at=now()).where(Binding.id == self.binding.id).execute()
