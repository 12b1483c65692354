"""``phoihop sheets list|link|scaffold`` and ``phoihop sync``."""
import json
import sys

import click

from core.cli_support import app_context, fail


def mappings():
    from flask import current_app

    return current_app.extensions["phoihop_bindings"]


@click.group("sheets")
def sheets_group():
    """Sheet bindings: which worksheet feeds which records."""


@sheets_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_bindings(as_json):
    """List the linked worksheets and the bindings plugins declare."""
    from sheets.models import Binding

    with app_context():
        rows = [
            {"id": b.id, "binding": b.name, "source": b.source, "worksheet": b.worksheet,
             "unit": b.unit.name if b.unit_id else None,
             "last_synced_at": b.last_synced_at.isoformat(timespec="seconds") if b.last_synced_at else None,
             "schedule_minutes": b.schedule_minutes or None}
            for b in Binding.select().order_by(Binding.name, Binding.id)
        ]
        declared = sorted(mappings())
    if as_json:
        click.echo(json.dumps({"declared": declared, "links": rows}, ensure_ascii=False, indent=2))
        return
    click.echo("Liên kết khai báo bởi phân hệ: " + (", ".join(declared) or "(chưa có)"))
    for row in rows:
        when = row["last_synced_at"] or "chưa đồng bộ"
        every = f"mỗi {row['schedule_minutes']} phút" if row["schedule_minutes"] else "không tự động"
        click.echo(f"  #{row['id']} {row['binding']} ← {row['source']} [{row['worksheet']}] {row['unit'] or ''} "
                   f"({when}; {every})")


@sheets_group.command("link")
@click.argument("binding")
@click.argument("source")
@click.option("--worksheet", help="Worksheet (tab) name; default: the first one.")
@click.option("--unit", "unit_name", help="The unit whose rows these are (when the sheet has no Đơn vị column).")
@click.option("--every", "minutes", type=click.IntRange(0, 24 * 60),
              help="Sync every MINUTES during office hours (0: never); default SYNC_DEFAULT_MINUTES, "
                   "off for Google Sheets until credentials are set.")
def link(binding, source, worksheet, unit_name, minutes):
    """Link BINDING to a workbook path, a Google Sheets URL, or gsheet:KEY."""
    from flask import current_app

    from core.models import find_unit
    from sheets.backend import BackendError
    from sheets.linking import LinkError, link_binding
    from sheets.schedule import default_minutes
    from sheets.sources import normalise_source, open_backend

    with app_context():
        declared = mappings()
        if binding not in declared:
            fail(f"Không có liên kết {binding!r}; các liên kết: {', '.join(sorted(declared)) or '(chưa có)'}")
        source = normalise_source(source)
        unit = None
        if unit_name:
            unit = find_unit(unit_name)
            if unit is None:
                fail(f"Không có đơn vị {unit_name!r}. Thêm bằng: phoihop units add {unit_name!r}")
        if minutes is None:
            minutes = default_minutes(source, current_app.config)
        try:
            backend = open_backend(source)
            if worksheet is None:
                worksheet = first_worksheet(source)
            created, table = link_binding(binding, source, worksheet, unit, declared[binding], backend=backend,
                                          schedule_minutes=minutes)
        except (BackendError, LinkError) as exc:
            fail(str(exc))
    click.echo(
        f"Đã liên kết #{created.id} {binding} ← {source} [{worksheet}]: tiêu đề ở dòng {table.header_index + 1}, "
        f"{len(table.rows)} dòng dữ liệu."
    )
    click.echo(f"Đồng bộ tự động: mỗi {minutes} phút trong giờ làm việc." if minutes
               else "Đồng bộ tự động: tắt (bật bằng --every PHÚT).")


@sheets_group.command("scaffold")
@click.argument("binding")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="A workbook (.xlsx) to create or add the worksheet to.")
@click.option("--google", "key", help="A Google spreadsheet (key, URL or gsheet:KEY) to add the worksheet to.")
@click.option("--worksheet", help="Worksheet (tab) name; default: the binding's title.")
def scaffold_command(binding, out, key, worksheet):
    """Create a ready worksheet for BINDING: title block, headers, dropdowns, example rows."""
    from sheets.backend import BackendError
    from sheets.reader import TableError
    from sheets.scaffold import scaffold, worksheet_name
    from sheets.sources import normalise_source, open_backend

    if (out is None) == (key is None):
        fail("Hãy chọn một nơi tạo trang tính: --out TỆP.xlsx hoặc --google MÃ --worksheet TÊN.")
    if key is not None and not worksheet:
        fail("Với Google Sheets, hãy ghi rõ --worksheet.")
    with app_context():
        declared = mappings()
        if binding not in declared:
            fail(f"Không có liên kết {binding!r}; các liên kết: {', '.join(sorted(declared)) or '(chưa có)'}")
        mapping = declared[binding]
        source = normalise_source(out if out is not None else (key if ":" in key else f"gsheet:{key}"))
        worksheet = worksheet or worksheet_name(mapping)
        try:
            made = scaffold(open_backend(source), mapping, worksheet)
        except (BackendError, TableError) as exc:
            fail(str(exc))
    click.echo(f"Đã tạo trang tính [{worksheet}] cho {binding} trong {source}: tiêu đề ở dòng {made['header_row']}, "
               f"{made['examples']} dòng mẫu (STT \"Ví dụ\", không được đồng bộ); danh sách chọn và kiểm tra ở các cột "
               f"{', '.join(made['validated']) or '(không có)'}; phoihop ghi các cột {', '.join(made['protected'])}.")
    click.echo(f'Tiếp theo: phoihop sheets link {binding} "{source}" --worksheet "{worksheet}" --unit "…"')


def first_worksheet(source):
    if source.startswith("gsheet:"):
        fail("Với Google Sheets, hãy ghi rõ --worksheet.")
    from sheets.xlsx import XlsxBackend

    return XlsxBackend(source).worksheets()[0]  # BackendError: the same sentence as a read


@click.command("sync")
@click.argument("names", nargs=-1)
@click.option("--direction", type=click.Choice(["pull", "push", "both"]), default="both", show_default=True)
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--wait", is_flag=True, help="Wait for a running sync of the same binding instead of giving up.")
@click.option("--allow-mass-archive", is_flag=True,
              help="Archive the records of rows that left the sheet even when many left at once.")
@click.option("--force", is_flag=True, help="Sync even when neither the sheet nor the database changed since the last sync.")
@click.option("--due", is_flag=True,
              help="Only the links whose schedule makes them due now (for cron or a systemd timer).")
@click.pass_obj
def sync_command(state, names, direction, dry_run, as_json, wait, allow_mass_archive, force, due):
    """Sync the linked worksheets (all, or those of the BINDING names given)."""
    from flask import current_app

    from core.models import now
    from sheets.models import Binding
    from sheets.schedule import due_bindings
    from sheets.sync import sync

    results = []
    with app_context():
        declared = mappings()
        unknown = [n for n in names if n not in declared]
        if unknown:
            fail(f"Không có liên kết {', '.join(unknown)}; các liên kết: {', '.join(sorted(declared)) or '(chưa có)'}")
        if due:
            links = due_bindings(now(), current_app.config, names=set(names or declared))
            if not links:
                if as_json:
                    click.echo(json.dumps({"bindings": []}, ensure_ascii=False, indent=2))
                return  # nothing due is the usual answer of a timer: not an error
        else:
            query = Binding.select().order_by(Binding.id)
            if names:
                query = query.where(Binding.name.in_(names))
            links = [b for b in query if b.name in declared]
        if not links:
            fail("Chưa có bảng tính nào được liên kết: phoihop sheets link BINDING SOURCE")
        for binding in links:
            with ProgressBar(f"{binding.name} [{binding.worksheet}]", enabled=not as_json) as bar:
                result = sync(binding, declared[binding.name], direction=direction, dry_run=dry_run, pm=state.pm,
                              actor="cli", wait=wait, progress=bar.update, allow_mass_archive=allow_mass_archive,
                              force=force)
            results.append(result)
            if not as_json:
                echo_result(result)
    if as_json:
        click.echo(json.dumps({"bindings": [r.as_dict() for r in results]}, ensure_ascii=False, indent=2))
    raise SystemExit(max(r.exit_code for r in results))


class ProgressBar:
    """A click progress bar on a terminal for syncs of many rows; silent otherwise."""

    MIN_ROWS = 2000

    def __init__(self, label, enabled=True):
        self.label, self.enabled, self.bar, self.done = label, enabled and sys.stdout.isatty(), None, 0

    def update(self, done, total):
        if not self.enabled or total < self.MIN_ROWS:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


def echo_result(r):
    head = f"{r.binding} [{r.worksheet}]" + (" (thử, không ghi gì)" if r.dry_run else "")
    if r.outcome == "failed":
        click.echo(f"{head}: LỖI — {r.message}", err=True)
        return
    if r.outcome == "unchanged":
        click.echo(f"{head}: {r.message} ({r.requests.get('reads', 0)} lần đọc)")
        return
    click.echo(
        f"{head}: {r.created} mới, {r.updated} cập nhật từ bảng tính, {r.pushed} ghi lên bảng tính, "
        f"{r.unchanged} không đổi, {r.archived} lưu trữ, {r.restored} khôi phục, {len(r.conflicts)} xung đột, "
        f"{len(r.errors)} lỗi; "
        f"bỏ qua {r.skipped.get('blank', 0)} dòng trống, {r.skipped.get('section', 0)} dòng mục, "
        f"{r.skipped.get('total', 0)} dòng tổng; {r.requests.get('reads', 0)} lần đọc, {r.requests.get('writes', 0)} lần ghi"
    )
    for e in r.errors:
        click.echo(f"  dòng {e['row']}: {e['message']}" if e.get("row") else f"  {e['message']}")
    for c in r.conflicts:
        click.echo(f"  dòng {c['row']} xung đột {c['column']}: bảng tính {c['sheet']!r}, hệ thống {c['database']!r}")
    for w in r.warnings:
        click.echo(f"  chú ý: {w}")
