"""Honours benchmark: ten rounds of nominations of one province, through the real binding.

    .venv/bin/python benchmarks/honours.py [--rows 20000] [--db postgresql://…]

The office's workbook — one nominations list of ``--rows`` rows over the rounds 2014–2023,
with people nominated by two organisations (merged), names written without a year of
birth (flagged), people honoured again in later rounds (repeats, flagged or counted in
lượt) — is synced once (everything created and decided), then again (nothing changed:
nothing may be written), then the council's votes of the last round are recorded (the
round and every later nomination of its people recomputed), then the review is made.
Each step prints its time and the statements it ran per 1,000 rows, which must not grow
with ``--rows`` (the binding is set-based).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNIT = "Liên hiệp hội tỉnh Phú Thọ"
CATEGORIES = ("Tân Tiến sĩ", "Bác sĩ chuyên khoa II", "Trí thức KH&CN tiêu biểu", "Tân Phó Giáo sư")
NOMINATORS = ("Sở Y tế", "Sở Khoa học và Công nghệ", "Trường Đại học Hùng Vương", "Hội Y học tỉnh",
              "Sở Nông nghiệp và Phát triển nông thôn", "UBND thành phố Việt Trì", "Liên đoàn Lao động tỉnh")
HEADERS = ["STT", "Năm", "Họ và tên", "Năm sinh", "Giới tính", "Học hàm", "Học vị", "Đơn vị công tác", "Lĩnh vực",
           "Đơn vị đề cử", "Hình thức tôn vinh", "Thành tích", "Số phiếu đồng ý", "Kết quả"]


def rows(count):
    found = []
    for n in range(count):
        year = 2014 + n % 10
        category = CATEGORIES[n % 4]
        degree = {"Bác sĩ chuyên khoa II": "BSCKII"}.get(category, "TS")
        title = "PGS" if category == "Tân Phó Giáo sư" else ""
        person = n // 3 if category == "Trí thức KH&CN tiêu biểu" else n  # outstanding ones recur across rounds
        votes, result = (9, "Được tôn vinh") if year < 2023 and n % 5 else ((4, "Không được tôn vinh") if year < 2023
                                                                             else (None, None))
        found.append([None, year, f"Trí Thức Số {person}", 1950 + person % 45, "Nữ" if n % 2 else "Nam", title, degree,
                      f"Đơn vị {n % 50}", "Y dược" if n % 3 else "Nông nghiệp", NOMINATORS[n % len(NOMINATORS)],
                      category, f"- Bảo vệ luận án ngày 05/06/{year - 1}\n- Chủ nhiệm 01 đề tài", votes, result])
        if n % 20 == 0:  # a second organisation nominates the same person
            found.append([*found[-1][:9], NOMINATORS[(n + 1) % len(NOMINATORS)], *found[-1][10:]])
        if n % 50 == 0:  # written without a year of birth
            found.append([*found[-1][:3], None, *found[-1][4:]])
    for number, row in enumerate(found, start=1):
        row[0] = number
    return found


def timed(label, total, work):
    from tests.core.test_people import QueryCount

    with QueryCount() as statements:
        started = time.perf_counter()
        answer = work()
        seconds = time.perf_counter() - started
    per = len(statements) / max(total, 1) * 1000
    print(f"{label:<34} {seconds:8.2f} s   {len(statements):7d} statements ({per:.1f} per 1,000 rows)")
    return answer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--db", default=None)
    options = parser.parse_args()

    from core import create_app
    from core.models import Unit
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager
    from core.reports import Period, collect
    from core.schema import upgrade
    from sheets.models import Binding
    from sheets.sync import sync
    from sheets.xlsx import XlsxBackend

    import os
    os.environ.setdefault("PHOIHOP_TODAY", "2023-12-31")
    folder = Path(tempfile.mkdtemp(prefix="phoihop-honours-"))
    url = options.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    pm = get_plugin_manager(builtins=DEFAULT_PLUGINS, entry_points=False)
    app = create_app({"DATABASE_URL": url}, plugin_manager=pm)
    data = rows(options.rows)
    path = folder / "ton-vinh.xlsx"
    XlsxBackend.create(path, {"Đề cử": [["DANH SÁCH ĐỀ CỬ TÔN VINH TRÍ THỨC 2014–2023"], HEADERS, *data]})
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        unit = Unit.create(name=UNIT, code="PT")
        binding = Binding.create(name="honours.nominations", source=str(path), worksheet="Đề cử", unit=unit)
        mapping = app.extensions["phoihop_bindings"]["honours.nominations"]
        print(f"{len(data):,} rows, {url.split(':')[0]}")
        first = timed("first sync (create, decide)", len(data), lambda: sync(binding, mapping, pm=pm))
        print(f"  created {first.created:,}, errors {len(first.errors)}")
        again = timed("second sync (nothing changed)", len(data), lambda: sync(binding, mapping, pm=pm))
        assert again.requests["writes"] == 0, again.requests
        from plugins.honours.models import Round
        from plugins.honours.pages import council_rows, record_votes

        current = Round.get(Round.unit == unit, Round.year == 2023)
        current.council_size = 13
        current.save()
        nominations = council_rows(current)
        votes = {n.id: (7 + n.id % 5, 1) for n in nominations}
        timed("council votes of the last round", len(nominations),
              lambda: record_votes(current, nominations, votes, None, "benchmark"))
        timed("the review (2014–2023)", len(data), lambda: collect(pm, Period(2014, 2023), [unit]))


if __name__ == "__main__":
    main()
