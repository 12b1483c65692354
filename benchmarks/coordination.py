"""Coordination benchmark: a national register of agreements through the real binding, and
the flags, the partners page and the report over many joint activities.

    .venv/bin/python benchmarks/coordination.py [--agreements 2000] [--activities 100000]
        [--units 50] [--db postgresql://…]

The register — agreements of 2017–2023 naming one or two of each unit's partners, with
kinds, modes, cycles and reviews — is synced through ``coordination.agreements``. Then
the same three measures run twice in this one process: over the register alone (the
baseline: no area has a joint activity), and after ``--activities`` trainings naming those
partners were written (set-based, straight into the training tables). Printed for each: the
seconds and statements of ``read_many`` on a chunk of 1,000 agreements (the flags), of the
partners page's overview of one unit and of the report's section over every unit, and the
ratio of the loaded run to the baseline (the statements must not grow with the rows).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

KINDS = ("Quy chế phối hợp", "Chương trình phối hợp", "Thỏa thuận hợp tác", "Biên bản ghi nhớ", "Kế hoạch phối hợp")
MODES = ("Theo nhiệm vụ cấp trên giao", "Theo giai đoạn", "Theo từng năm", "Trao đổi, hợp tác nội dung riêng lẻ")
PARTNERS = ("Sở Khoa học và Công nghệ", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Tỉnh đoàn", "Hội Nông dân tỉnh",
            "Sở Nông nghiệp và Phát triển nông thôn", "Liên đoàn Lao động tỉnh", "Báo tỉnh", "Hội Luật gia tỉnh",
            "Trường Đại học", "Sở Xây dựng", "Sở Tài nguyên và Môi trường")


def workbook(path, units, n_agreements, seed=11):
    from sheets.xlsx import XlsxBackend

    chance = random.Random(seed)
    header = ["STT", "Đơn vị", "Đối tác", "Loại văn bản", "Số hiệu", "Ngày ký", "Hiệu lực đến", "Lĩnh vực phối hợp",
              "Phương thức", "Chu kỳ sơ kết (tháng)", "Ngày sơ kết gần nhất"]
    rows = [["DANH MỤC VĂN BẢN PHỐI HỢP"], [], header]
    for i in range(n_agreements):
        signed = dt.date(2017, 1, 1) + dt.timedelta(days=chance.randrange(7 * 365))
        until = signed + dt.timedelta(days=chance.randrange(365, 6 * 365)) if chance.random() < 0.5 else None
        reviewed = signed + dt.timedelta(days=chance.randrange(200, 900)) if chance.random() < 0.6 else None
        partners = chance.sample(PARTNERS, chance.choice((1, 1, 2)))
        rows.append([i + 1, units[i % len(units)], "; ".join(partners), chance.choice(KINDS), f"{i + 1}/QCPH",
                     signed.strftime("%d/%m/%Y"), until.strftime("%d/%m/%Y") if until else "",
                     "Tập huấn, phổ biến kiến thức; Tư vấn, phản biện", chance.choice(MODES),
                     chance.choice((12, 12, 24, 60)), reviewed.strftime("%d/%m/%Y") if reviewed else ""])
    XlsxBackend.create(path, {"Văn bản": rows})


def add_activities(count, seed=13):
    """``count`` trainings of 2020–2023, each naming one or two organisations of its unit:
    two INSERTs per 10,000 rows."""
    from core import bulk
    from core.models import Organisation
    from plugins.training.models import Activity, ActivityPartner, ensure_kinds

    ensure_kinds()
    chance = random.Random(seed)
    by_unit = {}
    for org_id, unit_id in Organisation.select(Organisation.id, Organisation.unit).tuples():
        by_unit.setdefault(unit_id, []).append(org_id)
    units = sorted(by_unit)
    first = (Activity.select(Activity.id).order_by(Activity.id.desc()).scalar() or 0) + 1
    activities, links = [], []
    for n in range(count):
        unit = units[n % len(units)]
        day = dt.date(2020, 1, 1) + dt.timedelta(days=chance.randrange(4 * 365))
        activities.append((first + n, unit, 1, f"Hoạt động {n}", day, False))
        for position, org in enumerate(chance.sample(by_unit[unit], min(len(by_unit[unit]), chance.choice((1, 2))))):
            links.append((first + n, org, position, unit, day, False))
    for chunk in bulk.chunks(activities, 5000):
        bulk.insert_tuples(Activity, ("id", "unit", "kind", "title", "start_date", "archived"), chunk)
    for chunk in bulk.chunks(links, 5000):
        bulk.insert_tuples(ActivityPartner, ("activity", "organisation", "position", "unit", "start_date", "archived"),
                           chunk)


def measure(app, mapping, units):
    """``{what: (seconds, statements)}`` of the three reads."""
    from core.db import database
    from core.reports import Period
    from plugins.coordination.models import Agreement
    from plugins.coordination.reports import overview, report_section
    from tests.core.test_people import QueryCount

    found = {}
    chunk = list(Agreement.select().limit(1000))
    for what, run in (("read_many of 1,000 agreements", lambda: mapping.read_many(chunk)),
                      ("partners page of one unit", lambda: overview([units[0].id], dt.date(2023, 1, 1),
                                                                     dt.date(2023, 12, 31), dt.date(2023, 12, 31))),
                      ("report section, every unit", lambda: report_section(Period(2020, 2023), units))):
        with database.atomic(), QueryCount() as count:
            began = time.perf_counter()
            run()
            found[what] = (time.perf_counter() - began, len(count.statements))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=2000)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--db")
    args = parser.parse_args()

    from core import create_app
    from core.models import Unit
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager
    from core.schema import upgrade
    from sheets.models import Binding
    from sheets.sync import sync

    folder = Path(tempfile.mkdtemp(prefix="phoihop-coordination-"))
    url = args.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    pm = get_plugin_manager(builtins=DEFAULT_PLUGINS, entry_points=False)
    app = create_app({"DATABASE_URL": url, "TODAY": "2023-12-31"}, plugin_manager=pm)
    names = [f"Liên hiệp hội tỉnh số {i:02d}" for i in range(args.units)]
    path = folder / "van-ban.xlsx"
    workbook(path, names, args.agreements)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        units = [Unit.create(name=name) for name in names]
        mapping = app.extensions["phoihop_bindings"]["coordination.agreements"]
        binding = Binding.create(name="coordination.agreements", source=str(path), worksheet="Văn bản")
        began = time.perf_counter()
        result = sync(binding, mapping, pm=pm)
        took = time.perf_counter() - began
        print(f"sync: {result.created} agreements, {len(result.errors)} errors in {took:.1f} s "
              f"({args.agreements / took:,.0f} rows/s)")
        baseline = measure(app, mapping, units)
        began = time.perf_counter()
        add_activities(args.activities)
        print(f"{args.activities:,} trainings naming partners written in {time.perf_counter() - began:.1f} s")
        loaded = measure(app, mapping, units)
        for what, (seconds, statements) in loaded.items():
            base_seconds, base_statements = baseline[what]
            print(f"{what}: {seconds * 1000:,.0f} ms, {statements} statements "
                  f"(baseline {base_seconds * 1000:,.0f} ms, {base_statements} statements; "
                  f"×{seconds / base_seconds:.1f} time)")
        began = time.perf_counter()
        again = sync(binding, mapping, pm=pm)
        print(f"sync again with the activities: {again.unchanged} unchanged, {again.updated} updated "
              f"(flags rewritten: {again.requests.get('writes', 0)} writes) in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
