"""Critique benchmark: a national roll-up of requests with their expert teams, through the
real bindings, and the report over it.

    .venv/bin/python benchmarks/critique.py [--requests 20000] [--experts 500] [--units 50]
        [--db postgresql://…]

The office's workbook — a directory of experts spread over the units, and requests of
2020–2022 naming a unit, a requester, a team of three (titles on the names), dates across
Tết and the other holidays — is synced directory first, then requests. Printed: the first
sync of each (rows per second), a second sync of the requests that changes nothing (it
must write nothing), the statements a chunk of 1,000 requests costs in ``read_many``, and
the report's critique section over every unit (its queries do not grow with the rows).
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

FORMS = ("Tư vấn", "Phản biện", "Giám định xã hội")
KINDS = ("Chương trình", "Đề án", "Dự án", "Quy hoạch", "Cơ chế, chính sách", "Dự thảo văn bản quy phạm pháp luật")
BASES = ("Giao nhiệm vụ", "Đặt hàng", "Tự đề xuất")
REQUESTERS = ("Sở Xây dựng", "Sở Y tế", "Sở Công Thương", "Sở Nội vụ", "UBND huyện Lục Ngạn", "Văn phòng Tỉnh ủy")
TITLES = ("PGS.TS.", "TS.", "ThS.", "KS.")


def workbook(path, units, n_requests, n_experts, seed=7):
    from sheets.xlsx import XlsxBackend

    chance = random.Random(seed)
    experts = [(units[i % len(units)], f"Chuyên gia số {i}", chance.choice(REQUESTERS + ("Trường Đại học",)))
               for i in range(n_experts)]
    by_unit = {}
    for unit, name, _place in experts:
        by_unit.setdefault(unit, []).append(name)
    directory = [["DANH SÁCH CHUYÊN GIA"], [], ["STT", "Đơn vị", "Họ và tên", "Học hàm, học vị", "Đơn vị công tác"]]
    directory += [[i + 1, unit, name, "TS", place] for i, (unit, name, place) in enumerate(experts)]
    header = ["STT", "Đơn vị", "Tên nhiệm vụ", "Loại", "Hình thức", "Cơ quan đề nghị", "Căn cứ", "Ngày nhận",
              "Hạn góp ý", "Hồ sơ đầy đủ", "Chuyên gia", "Trạng thái", "Ngày gửi báo cáo", "Số kiến nghị",
              "Số kiến nghị được tiếp thu"]
    rows = [["THEO DÕI NHIỆM VỤ TƯ VẤN, PHẢN BIỆN"], [], header]
    start = dt.date(2020, 1, 1)
    for i in range(n_requests):
        unit = units[i % len(units)]
        received = start + dt.timedelta(days=chance.randrange(3 * 365))
        deadline = received + dt.timedelta(days=chance.randrange(3, 45))
        team = chance.sample(by_unit[unit], 3)
        answered = chance.random() < 0.6
        made = chance.randrange(2, 15)
        rows.append([i + 1, unit, f"Nhiệm vụ số {i}", chance.choice(KINDS), chance.choice(FORMS),
                     chance.choice(REQUESTERS), chance.choice(BASES), received.strftime("%d/%m/%Y"),
                     deadline.strftime("%d/%m/%Y"), chance.choice(("Có", "Không", "x", "")),
                     "; ".join(f"{chance.choice(TITLES)} {name}" for name in team),
                     "Đã phản hồi" if answered else "Đã gửi báo cáo",
                     (deadline - dt.timedelta(days=chance.randrange(-3, 3))).strftime("%d/%m/%Y"), made,
                     chance.randrange(0, made + 1) if answered else None])
    XlsxBackend.create(path, {"Chuyên gia": directory, "Nhiệm vụ": rows})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--db")
    args = parser.parse_args()

    from core import create_app
    from core.db import database
    from core.models import Unit
    from core.plugins import get_plugin_manager
    from core.reports import Period
    from core.schema import upgrade
    from sheets.models import Binding
    from sheets.sync import sync

    folder = Path(tempfile.mkdtemp(prefix="phoihop-critique-"))
    url = args.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    pm = get_plugin_manager(builtins=("sheets.plugin", "plugins.critique"), entry_points=False)
    app = create_app({"DATABASE_URL": url, "TODAY": "2023-12-31"}, plugin_manager=pm)
    names = [f"Liên hiệp hội tỉnh số {i:02d}" for i in range(args.units)]
    path = folder / "tvpb.xlsx"
    workbook(path, names, args.requests, args.experts)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        units = [Unit.create(name=name) for name in names]
        mappings = app.extensions["phoihop_bindings"]
        experts = Binding.create(name="critique.experts", source=str(path), worksheet="Chuyên gia")
        requests = Binding.create(name="critique.requests", source=str(path), worksheet="Nhiệm vụ")
        for binding, rows in ((experts, args.experts), (requests, args.requests)):
            began = time.perf_counter()
            result = sync(binding, mappings[binding.name], pm=pm)
            took = time.perf_counter() - began
            print(f"{binding.name}: {result.created} created, {len(result.errors)} errors in {took:.1f} s "
                  f"({rows / took:,.0f} rows/s)")
        began = time.perf_counter()
        again = sync(requests, mappings["critique.requests"], pm=pm)
        print(f"again: {again.unchanged} unchanged, {again.requests.get('writes', 0)} writes "
              f"in {time.perf_counter() - began:.1f} s")

        from plugins.critique.models import Request
        from tests.core.test_people import QueryCount

        chunk = list(Request.select().limit(1000))
        with database.atomic(), QueryCount() as count:
            mappings["critique.requests"].read_many(chunk)
        print(f"read_many of 1,000 requests: {len(count.statements)} statements")
        from plugins.critique.reports import report_section

        began = time.perf_counter()
        with QueryCount() as count:
            section = report_section(Period(2020, 2022), units).as_json()
        print(f"report: {time.perf_counter() - began:.2f} s, {len(count.statements)} statements; "
              f"forms {section['forms']}, on time {section['on_time_share']} %, "
              f"experts {section['experts']}")


if __name__ == "__main__":
    main()
