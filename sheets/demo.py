"""The sheets part of ``phoihop demo``: write, link and sync one workbook per binding."""
import os

from flask import current_app

from sheets.models import Binding
from sheets.schedule import default_minutes
from sheets.sync import sync
from sheets.xlsx import XlsxBackend

TITLE = "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT"


def write_workbook(path, worksheet, unit, rows):
    """A workbook laid out as an office lays it out: title rows, then the table with STT."""
    headers = list(dict.fromkeys(h for row in rows for h in row))
    grid = [[TITLE], [f"{worksheet.upper()} — {unit.name}"], [], ["STT", *headers]]
    grid += [[number, *[row.get(h) for h in headers]] for number, row in enumerate(rows, start=1)]
    XlsxBackend.create(path, {worksheet: grid})


def link_and_sync(directory, unit, sheets, mappings, pm):
    """Write each binding's workbook into ``directory``, link it to ``unit`` and pull it.

    Returns ``[(path, SyncResult)]``.
    """
    done = []
    for name, rows in sorted(sheets.items()):
        mapping = mappings.get(name)
        if mapping is None or not rows:
            continue
        worksheet = mapping.title or name.split(".")[-1]
        path = os.path.join(directory, f"{name}.xlsx")
        write_workbook(path, worksheet, unit, rows)
        binding = Binding.create(name=name, source=path, worksheet=worksheet, unit=unit,
                                 schedule_minutes=default_minutes(path, current_app.config))
        done.append((path, sync(binding, mapping, pm=pm, actor="demo")))
    return done
