"""A chunk of nominations costs a constant number of statements, whatever it holds: the
sync of 20 rows and of 400 runs the same statements (people and organisations matched,
outcomes recomputed, links written set-based), and so does the recompute of a round."""
import pytest

from tests.core.test_people import QueryCount
from tests.plugins.conftest import link, run_sync
from tests.plugins.honours.conftest import nominations_sheet

CATEGORIES = ("Tân Tiến sĩ", "Bác sĩ chuyên khoa II", "Trí thức KH&CN tiêu biểu")
NOMINATORS = ("Sở Y tế", "Hội Y học tỉnh", "Sở Khoa học và Công nghệ", "Trường Đại học Hùng Vương")


def rows(count):
    """Office rows: every 10th person nominated twice (merged), every 15th written again
    without a year of birth (flagged), homonyms born in different years, two rounds."""
    found = []
    for n in range(count):
        year = 2022 if n % 3 == 0 else 2023
        row = [n + 1, year, f"Người Số {n // 2}", 1960 + n % 40, "Nữ" if n % 2 else "Nam", "", "TS", "Giảng viên",
               f"Đơn vị {n % 17}", "Y dược", NOMINATORS[n % 4], CATEGORIES[n % 3],
               f"- bảo vệ luận án ngày 05/05/{year - 1}"]
        found.append(row)
        if n % 10 == 0:
            found.append([*row[:10], NOMINATORS[(n + 1) % 4], *row[11:]])
        if n % 15 == 0:
            found.append([*row[:3], None, *row[4:]])
    for number, row in enumerate(found, start=1):
        row[0] = number
    return found


def sync_statements(ctx, unit, path, count):
    nominations_sheet(path, rows(count))
    binding = link("honours.nominations", path, "Đề cử", unit)
    with QueryCount() as statements:
        result = run_sync(ctx, binding)
    assert result.errors == []
    return len(statements), result


@pytest.fixture
def units(ctx):
    from core.models import Unit

    return [Unit.create(name=f"Liên hiệp hội tỉnh {name}", code=code) for name, code in (("A", "A"), ("B", "B"), ("C", "C"))]


def test_a_sync_of_20_or_400_rows_runs_the_same_statements(ctx, units, tmp_path):
    from plugins.honours.models import Category, Nomination, Round

    for unit in units:  # the rounds and categories exist in both: only the rows differ
        for year in (2022, 2023):
            Round.create(unit=unit, year=year)
    Category.ensure_defaults()
    sync_statements(ctx, units[2], tmp_path / "first.xlsx", 3)  # what a first sync does once (Mã counters)
    small, result = sync_statements(ctx, units[0], tmp_path / "small.xlsx", 20)
    large, result_large = sync_statements(ctx, units[1], tmp_path / "large.xlsx", 400)
    assert result_large.created > 400 and small == large
    merged = Nomination.select().where(Nomination.unit == units[1], Nomination.merged_into.is_null(False)).count()
    flagged = Nomination.select().where(Nomination.unit == units[1], Nomination.similar_to.is_null(False)).count()
    assert merged == 40 and flagged >= 27


def test_recomputing_a_round_costs_the_same_for_any_size(ctx, units, tmp_path):
    from plugins.honours.models import Round
    from plugins.honours.results import refresh

    sync_statements(ctx, units[0], tmp_path / "small.xlsx", 20)
    sync_statements(ctx, units[1], tmp_path / "large.xlsx", 400)
    counts = []
    for unit in units[:2]:
        ids = [r.id for r in Round.select().where(Round.unit == unit)]
        Round.update(council_size=11).where(Round.unit == unit).execute()
        with QueryCount() as statements:
            refresh(round_ids=ids)
        counts.append(len(statements))
    assert counts[0] == counts[1]
