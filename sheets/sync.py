"""The sync engine: one binding, one run, one read and at most one write.

Order of work, so that a failure at any point can simply be run again:

1. read the worksheet (one metadata + one values request) and parse it (``reader``);
2. in ONE database transaction: import sheet changes, create records for new rows,
   archive records whose rows are gone, record conflicts, and remember for every row the
   values both sides agree on (``SyncedRow.snapshot``);
3. write every changed cell in ONE batch (``Mã``, status, database changes);
4. in a second small transaction, confirm what the write made true: new ``Mã`` are in
   the sheet, database values pushed to the sheet are now agreed.

A crash between 2 and 4 leaves new rows unconfirmed and pushed values not yet agreed;
the next run adopts the unconfirmed rows by content (no duplicates) and pushes again.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field

from core.db import database
from core.models import AuditLog, Unit, name_key, now, snapshot
from sheets import bulk
from sheets.backend import BackendError, Cell
from sheets.lock import SyncBusy, binding_lock
from sheets.mapping import KEY_HEADER, STATUS_HEADER, Mapping
from sheets.merge import AGREE, CONFLICT, TO_DB, TO_SHEET, merge_field
from sheets.models import Binding, Conflict, KeySequence, SyncedRow, SyncLog
from sheets.reader import TableError, read_table
from sheets.values import clean_text

DIRECTIONS = ("pull", "push", "both")
OK, NEW, UPDATED, ARCHIVED_IN_DB, PUSHED_NEW = "OK", "Mới", "Đã cập nhật", "Đã lưu trữ trong hệ thống", "Mới (từ hệ thống)"
STALE_STATUS = ("Lỗi", "Xung đột", "Đã lưu trữ")


@dataclass
class SyncResult:
    """The summary of one binding's sync (``phoihop sync --json`` prints these)."""

    binding: str
    source: str
    worksheet: str
    direction: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    pushed: int = 0
    unchanged: int = 0
    archived: int = 0
    conflicts: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    outcome: str = "ok"
    message: str | None = None

    def as_dict(self):
        return asdict(self)

    @property
    def exit_code(self):
        return 0 if self.outcome == "ok" else 1


def sync(binding, mapping, backend, *, direction="both", dry_run=False, pm=None, actor=None, wait=False, progress=None):
    """Sync one binding and return its :class:`SyncResult`; every run is logged.

    ``progress(done, total)``, when given, is called as rows are handled (a CLI bar).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    result = SyncResult(binding.name, binding.source, binding.worksheet, direction, dry_run)
    started = now()
    try:
        if dry_run:
            run(binding, mapping, backend, result, pm, actor, progress)
        else:
            with binding_lock(binding, wait=wait):
                run(binding, mapping, backend, result, pm, actor, progress)
    except SyncBusy as exc:
        result.outcome, result.message = "failed", str(exc)
        return result  # not logged: the running sync logs itself
    except (BackendError, TableError) as exc:
        result.outcome, result.message = "failed", str(exc)
    result.requests = backend.requests.as_dict()
    if result.outcome == "ok" and (result.errors or result.conflicts):
        result.outcome = "errors"
    SyncLog.create(
        binding=binding, unit=binding.unit_id, started_at=started, finished_at=now(), direction=direction,
        dry_run=dry_run, outcome=result.outcome, summary=result.as_dict(), message=result.message,
    )
    return result


def run(binding, mapping, backend, result, pm, actor, progress=None):
    grid = backend.read(binding.worksheet)
    table = read_table(grid, mapping)
    result.skipped = dict(table.skipped)
    result.warnings = list(table.warnings)
    plan = Plan(binding, mapping, table, grid, result, pm, actor or f"sync:{binding.name}")
    plan.progress = progress
    with database.atomic() as transaction:
        plan.execute()
        if result.dry_run:
            transaction.rollback()
            return
    backend.write(binding.worksheet, plan.changed_cells())
    with database.atomic():
        plan.confirm()


class Plan:
    """The work of one run: decided row by row, applied to the database as it goes, and
    collecting the cells to write."""

    def __init__(self, binding, mapping, table, grid, result, pm, actor):
        self.binding, self.mapping, self.table, self.grid = binding, mapping, table, grid
        self.result, self.pm, self.actor = result, pm, actor
        self.direction = result.direction
        self.model = mapping.model
        self.cells = {}  # (row, col) 0-based → text
        self.confirm_keys = []
        self.agreed_later = {}  # SyncedRow id → {field: text} once the write lands
        self.progress = None
        self.present = [c for c in mapping.columns if c.field in table.columns and c.kind != "unit"]
        self.imported = {c.field for c in self.present if not c.computed}
        # the digest shortcut needs read() to be plain columns (no relations it cannot see)
        self.fast = type(mapping).read is Mapping.read
        self.digest_cols = [table.columns[c.field] for c in mapping.columns if c.field in table.columns]
        self.db_rows = {}

    # -- the run ----------------------------------------------------------------------
    CHUNK = 1000

    def execute(self):
        """Rows are parsed, matched and saved a chunk at a time: memory stays bounded."""
        self.load_state()
        rows = self.table.rows
        counts = Counter(row.key for row in rows if row.key)
        self.seen = set()
        self.creates = []
        for start in range(0, len(rows), self.CHUNK):
            chunk = rows[start:start + self.CHUNK]
            self.db_rows = self.database_rows([self.index[r.key][1] for r in chunk if r.key in self.index])
            chunk = [row for row in chunk if not self.unchanged(row, counts)]
            for row in chunk:
                self.table.parse(row)
            self.load_chunk([row.key for row in chunk if row.key in self.index])
            for row in chunk:
                self.handle(row, counts)
            self.create_records()
            for row in chunk:
                row.release()
            if self.progress is not None:
                self.progress(start + len(chunk), len(rows))
        self.synced, self.records = {}, {}
        if self.direction != "push":
            self.archive_missing()
        if self.direction != "pull":
            self.append_database_records()
        if self.table.key_header_missing:
            self.cells[(self.table.header_index, self.table.key_col)] = KEY_HEADER
        if self.table.status_header_missing:
            self.cells[(self.table.header_index, self.table.status_col)] = STATUS_HEADER

    def load_state(self):
        """What is known of every row, without snapshots: key → (id, record, confirmed, origin, archived)."""
        self.units = {name_key(u.name): u.id for u in Unit.select(Unit.id, Unit.name)}
        query = SyncedRow.select(SyncedRow.key, SyncedRow.id, SyncedRow.record_id, SyncedRow.confirmed,
                                 SyncedRow.origin, SyncedRow.archived, SyncedRow.digest).where(SyncedRow.binding == self.binding)
        self.index = {key: rest for key, *rest in query.tuples().iterator()}
        self.synced, self.records = {}, {}
        self.open_conflicts = {
            (c.key, c.field): c
            for c in Conflict.select().where(Conflict.binding == self.binding, Conflict.status == "open")
        }
        self.unconfirmed = {}
        waiting = SyncedRow.select().where(SyncedRow.binding == self.binding, SyncedRow.confirmed == False,  # noqa: E712
                                           SyncedRow.archived == False, SyncedRow.origin == "sheet")  # noqa: E712
        for srow in waiting:
            self.unconfirmed.setdefault(self.signature(srow.snapshot), srow)

    def digest_fields(self):
        fields = [c.field for c in self.mapping.columns if c.field in self.table.columns and c.kind != "unit"]
        return [self.model._meta.fields[f] for f in fields] + [self.model.unit, self.model.archived]

    def database_rows(self, record_ids):
        """The records' own columns as plain tuples (no model instances), by id."""
        if not record_ids or not self.fast:
            return {}
        query = self.model.select(self.model.id, *self.digest_fields()).where(self.model.id.in_(record_ids))
        return {row[0]: row[1:] for row in query.tuples()}

    def digest(self, row, record_id):
        """What both sides looked like: the row's cells (as phoihop will have left them)
        and the record's columns. Stable across processes (not ``hash()``)."""
        values = self.db_rows.get(record_id)
        if values is None:
            return None
        raw_row, index, width = self.table.grid[row.index], row.index, len(self.table.grid[row.index])
        written = self.cells
        cells = [written.get((index, col), raw_row[col] if col < width else None) for col in self.digest_cols]
        return hashlib.blake2b(repr((cells, values)).encode("utf-8"), digest_size=16).hexdigest()

    def unchanged(self, row, counts):
        """A row whose digest matches: nothing changed on either side since the last sync."""
        info = self.index.get(row.key) if row.key else None
        if info is None or counts[row.key] > 1:
            return False
        _id, record_id, confirmed, _origin, archived, stored = info
        if not stored or archived or not confirmed or self.digest(row, record_id) != stored:
            return False
        self.seen.add(row.key)
        self.result.unchanged += 1
        self.set_status(row, OK, keep_fresh=True)
        return True

    def load_chunk(self, keys):
        """The SyncedRow and record of every known key of one chunk."""
        ids = [self.index[key][0] for key in keys]
        self.synced = {s.key: s for s in SyncedRow.select().where(SyncedRow.id.in_(ids))} if ids else {}
        record_ids = [s.record_id for s in self.synced.values()]
        self.records = {r.id: r for r in self.model.select().where(self.model.id.in_(record_ids))} if record_ids else {}

    def handle(self, row, counts):
        errors = list(row.errors)
        unit_id = self.resolve_unit(row, errors)
        if row.key:
            if counts[row.key] > 1:
                lines = ", ".join(str(r.excel_row) for r in self.table.rows if r.key == row.key)
                errors.append(self.error(row, KEY_HEADER, row.key, f'Mã "{row.key}" bị trùng ở các dòng {lines}'))
            elif row.key not in self.index:
                errors.append(self.error(row, KEY_HEADER, row.key, f'Mã "{row.key}" không có trong hệ thống (đừng tự gõ Mã)'))
            self.seen.add(row.key)
        if not errors:
            errors = self.rule_errors(row)
        if errors:
            self.result.errors.extend(errors)
            self.set_status(row, "Lỗi: " + "; ".join(e["message"] for e in errors))
        elif row.key:
            self.merge(row, self.synced[row.key], unit_id)
        elif self.direction != "push":
            self.create_or_adopt(row, unit_id)

    def resolve_unit(self, row, errors):
        column = self.mapping.unit_column()
        if column is None or row.unit_name is None:
            if self.binding.unit_id is None:
                errors.append(self.error(row, None, None, "Không rõ đơn vị: thêm cột \"Đơn vị\" hoặc liên kết với --unit"))
            return self.binding.unit_id
        unit_id = self.units.get(name_key(row.unit_name))
        header = self.table.headers[column.field]
        if unit_id is None:
            errors.append(self.error(row, header, row.unit_name, f'{header} "{row.unit_name}" chưa đăng ký (phoihop units add)'))
        elif self.binding.unit_id is not None and unit_id != self.binding.unit_id:
            errors.append(self.error(row, header, row.unit_name, f'{header} "{row.unit_name}" không phải đơn vị của liên kết này'))
        return unit_id

    def rule_errors(self, row):
        problems = list(self.mapping.rules(dict(row.values)) or [])
        if self.pm is not None:
            for answer in self.pm.hook.phoihop_validate(binding=self.mapping.name, record=dict(row.values)):
                problems.extend(answer or [])
        return [self.error(row, self.table.headers.get(f), row.texts.get(f), message) for f, message in problems]

    # -- rows that phoihop knows --------------------------------------------------------
    def merge(self, row, srow, unit_id):
        record = self.records.get(srow.record_id)
        if srow.archived or record is None or record.archived:
            if not srow.archived:
                srow.archived = True
                srow.save()
            self.set_status(row, ARCHIVED_IN_DB)
            return
        confirmed_now = not srow.confirmed
        srow.confirmed = True
        db_values = self.mapping.read(record)
        base = dict(srow.snapshot)
        to_db, to_sheet, conflicts = {}, {}, []
        for column in self.present:
            name = column.field
            sheet_text, db_text = row.texts.get(name, ""), column.format(db_values.get(name))
            if column.computed:
                if sheet_text != db_text:
                    to_sheet[name] = db_text
                    if sheet_text:
                        self.result.warnings.append(
                            f'Dòng {row.excel_row}, cột "{self.table.headers[name]}": phoihop tính cột này, '
                            f'đã ghi lại "{db_text}" thay cho "{sheet_text}"'
                        )
                base[name] = db_text
                continue
            outcome = merge_field(base.get(name, ""), sheet_text, db_text)
            if outcome == TO_DB and self.direction != "push":
                to_db[name] = row.values.get(name)
                base[name] = sheet_text
            elif outcome == TO_SHEET and self.direction != "pull":
                to_sheet[name] = db_text
            elif outcome == AGREE:
                base[name] = sheet_text
            elif outcome == CONFLICT:
                conflicts.append(self.conflict(row, srow, column, base.get(name, ""), sheet_text, db_text))
            if outcome != CONFLICT:
                self.close_conflict(srow.key, name)
        if unit_id is not None and unit_id != record.unit_id and self.direction != "push":
            record.unit = unit_id
            to_db.setdefault("__unit", unit_id)
        if to_db:
            before = snapshot(record)
            changes = {k: v for k, v in to_db.items() if k != "__unit"}
            self.mapping.apply(record, changes)
            record.save()
            self.mapping.after_save(record, changes)
            AuditLog.record(actor=self.actor, channel="sync", action="update", instance=record, before=before, after=snapshot(record))
        settled = not (to_db or to_sheet or conflicts)
        digest = self.digest(row, record.id) if settled else None
        if confirmed_now or base != srow.snapshot or digest != srow.digest:
            srow.snapshot, srow.digest = base, digest
            srow.save()
        pushed_fields = {k: v for k, v in to_sheet.items() if not self.mapping.column(k).computed}
        for name, text in to_sheet.items():
            self.cells[(row.index, self.table.columns[name])] = text
        if pushed_fields:
            self.agreed_later[srow.id] = pushed_fields
        if conflicts:
            self.set_status(row, "Xung đột: " + "; ".join(conflicts))
        elif to_db or pushed_fields:
            self.result.updated += bool(to_db)
            self.result.pushed += bool(pushed_fields)
            self.set_status(row, UPDATED)
        else:
            self.result.unchanged += 1
            self.set_status(row, OK, keep_fresh=True)

    def conflict(self, row, srow, column, base, sheet_text, db_text):
        header = self.table.headers[column.field]
        found = self.open_conflicts.get((srow.key, column.field))
        if found is None:
            found = Conflict.create(
                binding=self.binding, unit=self.records[srow.record_id].unit_id, key=srow.key, field=column.field,
                header=header, base_value=base, sheet_value=sheet_text, db_value=db_text,
            )
        elif (found.sheet_value, found.db_value) != (sheet_text, db_text):
            found.sheet_value, found.db_value = sheet_text, db_text
            found.save()
        self.result.conflicts.append({
            "row": row.excel_row, "key": srow.key, "column": header, "sheet": sheet_text, "database": db_text, "id": found.id,
        })
        return f"{header} — bảng tính {sheet_text or '(trống)'}, hệ thống {db_text or '(trống)'}"

    def close_conflict(self, key, name):
        found = self.open_conflicts.pop((key, name), None)
        if found is not None:
            found.status, found.resolved_at, found.resolved_by = "agreed", now(), self.actor
            found.save()

    # -- new rows -----------------------------------------------------------------------
    def create_or_adopt(self, row, unit_id):
        plain = {c.field: row.texts.get(c.field, "") for c in self.present if not c.computed}
        srow = self.unconfirmed.pop(self.signature(plain), None) if self.unconfirmed else None
        if srow is not None:  # written by a run that crashed before its sheet write
            self.seen.add(srow.key)
            self.cells[(row.index, self.table.key_col)] = srow.key
            self.write_computed(row, self.model.get_by_id(srow.record_id))
            self.confirm_keys.append(srow.key)
            self.result.created += 1
            self.set_status(row, NEW)
            return
        values = {c.field: row.values.get(c.field) for c in self.present if not c.computed and c.field in row.values}
        record = self.model(unit=unit_id, archived=False)
        self.mapping.apply(record, values)
        self.creates.append((row, record, values, plain))

    def create_records(self):
        if not self.creates:
            return
        keys = self.allocate_keys(len(self.creates))
        self.insert_records([record for _, record, _, _ in self.creates])
        for row, record, values, plain in self.creates:
            self.mapping.after_save(record, values)
        synced = []
        self.db_rows = self.database_rows([record.id for _, record, _, _ in self.creates])
        for (row, record, values, plain), key in zip(self.creates, keys):
            computed = self.write_computed(row, record)
            self.cells[(row.index, self.table.key_col)] = key
            self.set_status(row, NEW)
            synced.append({"binding": self.binding.id, "key": key, "record_id": record.id,
                           "snapshot": {**plain, **computed}, "confirmed": False, "origin": "sheet", "archived": False,
                           "digest": self.digest(row, record.id)})
        insert_rows(SyncedRow, synced)
        self.confirm_keys.extend(keys)
        insert_rows(AuditLog, [
            {"actor": self.actor, "channel": "sync", "action": "create", "model": self.model._meta.table_name,
             "record_id": str(record.id), "unit": record.unit_id, "after": None, "before": None, "at": now()}
            for _, record, _, _ in self.creates
        ])
        self.result.created += len(self.creates)
        self.creates = []

    def insert_records(self, records):
        """INSERT … RETURNING id in batches: one statement per batch, not one per record."""
        pk = self.model._meta.primary_key
        fields = [f for f in self.model._meta.sorted_fields if f is not pk]
        rows = [{f.name: r.__data__.get(f.name, f.default() if callable(f.default) else f.default) for f in fields} for r in records]
        for record, new_id in zip(records, bulk.insert(self.model, rows, returning=True)):
            record.__data__[pk.name] = new_id
            record._dirty.clear()

    def write_computed(self, row, record):
        """Put the record's computed values in the row; return them as texts."""
        computed = [c for c in self.present if c.computed]
        if not computed:
            return {}
        values = self.mapping.read(record)
        texts = {c.field: c.format(values.get(c.field)) for c in computed}
        for name, text in texts.items():
            if row.texts.get(name, "") != text:
                self.cells[(row.index, self.table.columns[name])] = text
        return texts

    def archive_missing(self):
        """Rows gone from the sheet: their records are archived, never deleted."""
        gone = [
            (srow_id, record_id)
            for key, (srow_id, record_id, confirmed, origin, archived, _digest) in self.index.items()
            if not archived and key not in self.seen and (confirmed or origin == "sheet")
        ]
        for start in range(0, len(gone), self.CHUNK):
            chunk = gone[start:start + self.CHUNK]
            records = self.model.select().where(self.model.id.in_([r for _, r in chunk]), self.model.archived == False)  # noqa: E712
            for record in records:
                record.archived = True
                record.save(only=[self.model.archived])
                AuditLog.record(actor=self.actor, channel="sync", action="archive", instance=record)
            SyncedRow.update(archived=True).where(SyncedRow.id.in_([s for s, _ in chunk])).execute()
        self.result.archived += len(gone)

    # -- records made in the admin go to the sheet -------------------------------------
    def append_database_records(self):
        from sheets.models import Binding as B

        linked = SyncedRow.select(SyncedRow.record_id).join(B).where(B.name == self.mapping.name, SyncedRow.archived == False)  # noqa: E712
        pending_ids = [
            srow_id for key, (srow_id, _record, confirmed, origin, archived, _digest) in self.index.items()
            if not confirmed and origin == "database" and not archived and key not in self.seen
        ]
        pending = list(SyncedRow.select().where(SyncedRow.id.in_(pending_ids))) if pending_ids else []
        pending_records = {r.id: r for r in self.model.select().where(self.model.id.in_([s.record_id for s in pending]))} if pending else {}
        query = self.model.select().where(self.model.archived == False, self.model.id.not_in(linked))  # noqa: E712
        if self.binding.unit_id is not None:
            query = query.where(self.model.unit == self.binding.unit_id)
        fresh = list(query)
        keys = self.allocate_keys(len(fresh))
        index = self.table.last_row + 1
        unit_names = {u.id: u.name for u in Unit.select()}
        unit_column = self.mapping.unit_column()
        for srow, record in [(s, pending_records.get(s.record_id)) for s in pending] + [(None, r) for r in fresh]:
            if record is None or record.archived:
                continue
            values = self.mapping.read(record)
            texts = {c.field: c.format(values.get(c.field)) for c in self.present}
            for name, text in texts.items():
                if text:
                    self.cells[(index, self.table.columns[name])] = text
            if unit_column is not None and unit_column.field in self.table.columns:
                self.cells[(index, self.table.columns[unit_column.field])] = unit_names.get(record.unit_id, "")
            if srow is None:
                srow = SyncedRow.create(binding=self.binding, key=keys.pop(0), record_id=record.id, snapshot=texts, origin="database")
            else:
                srow.snapshot = texts
                srow.save()
            self.cells[(index, self.table.key_col)] = srow.key
            self.cells[(index, self.table.status_col)] = PUSHED_NEW
            self.confirm_keys.append(srow.key)
            self.result.pushed += 1
            index += 1

    # -- helpers ------------------------------------------------------------------------
    def allocate_keys(self, count):
        if count == 0:
            return []
        prefix = self.mapping.key_prefix
        KeySequence.insert(prefix=prefix, last=0).on_conflict_ignore().execute()
        KeySequence.update(last=KeySequence.last + count).where(KeySequence.prefix == prefix).execute()
        last = KeySequence.get_by_id(prefix).last
        return [f"{prefix}-{n:06d}" for n in range(last - count + 1, last + 1)]

    def set_status(self, row, text, keep_fresh=False):
        if keep_fresh and row.status and not row.status.startswith(STALE_STATUS):
            return  # an untouched row keeps "Mới" / "Đã cập nhật": a no-change sync writes nothing
        self.cells[(row.index, self.table.status_col)] = text

    def error(self, row, header, value, message):
        return {"row": row.excel_row, "column": header, "value": "" if value is None else str(value), "message": message}

    def signature(self, texts):
        """What identifies a row by content: its non-empty imported (not computed) values."""
        return tuple(sorted((k, v) for k, v in texts.items() if v and k in self.imported))

    def changed_cells(self):
        """Only the cells whose content changes."""
        cells = []
        for (r, c), text in sorted(self.cells.items()):
            current = self.grid[r][c] if r < len(self.grid) and c < len(self.grid[r]) else None
            if (clean_text(current) or "") != (text or ""):
                cells.append(Cell(row=r + 1, col=c + 1, value=text or None))
        return cells

    def confirm(self):
        keys = self.confirm_keys
        for start in range(0, len(keys), 500):
            SyncedRow.update(confirmed=True).where(SyncedRow.key.in_(keys[start:start + 500])).execute()
        for srow_id, fields in self.agreed_later.items():
            srow = SyncedRow.get_by_id(srow_id)
            srow.snapshot = {**srow.snapshot, **fields}
            srow.save()
        Binding.update(last_synced_at=now()).where(Binding.id == self.binding.id).execute()


def insert_rows(model, rows):
    bulk.insert(model, rows)
