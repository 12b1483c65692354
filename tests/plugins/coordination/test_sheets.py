"""The ``coordination.agreements`` binding (plugins/coordination/sheets.py) on small
office-like registers, synced with the real engine on SQLite and PostgreSQL."""
import datetime as dt

import pytest

from tests.plugins.coordination.conftest import cells, edit_cell, make_workbook, sync_book

ROW = [1, "Sở Y tế", "Quy chế phối hợp", "45/QCPH", "01/07/2021", "", "Phổ biến kiến thức", "Theo từng năm", "12",
       "15/06/2023"]


def row(**changes):
    cells_ = dict(zip(["stt", "partners", "kind", "number", "signed", "until", "areas", "modes", "months", "reviewed"],
                      ROW))
    cells_.update(changes)
    return list(cells_.values())


@pytest.fixture
def book(tmp_path):
    return tmp_path / "van-ban.xlsx"


def test_a_row_becomes_an_agreement_linked_to_its_partner(ctx, bg, book, today):
    from plugins.coordination.links import partners_of
    from plugins.coordination.models import Agreement

    sync_book(ctx, make_workbook(book, [row()]), bg)
    agreement = Agreement.get()
    assert (agreement.kind.name, agreement.signed_on, agreement.review_months) == ("Quy chế phối hợp", dt.date(2021, 7, 1), 12)
    assert [name for _id, name in partners_of([agreement.id])[agreement.id]] == ["Sở Y tế"]


def test_a_kind_alias_is_stored_as_its_canonical_name(ctx, bg, book, today):
    from plugins.coordination.models import Agreement

    sync_book(ctx, make_workbook(book, [row(kind="thoả thuận hợp tác")]), bg)
    assert Agreement.get().kind.name == "Thỏa thuận hợp tác"


def test_an_unknown_mode_is_a_row_error_naming_the_column(ctx, bg, book, today):
    from plugins.coordination.models import Agreement

    result = sync_book(ctx, make_workbook(book, [row(modes="Theo giai đoạn; Theo quý")]), bg)
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "Phương thức")]
    assert result.errors[0]["message"].startswith('Phương thức "Theo quý" không phải phương thức phối hợp')
    assert not Agreement.select().exists()


def test_a_mode_alias_is_stored_as_its_canonical_name(ctx, bg, book, today):
    from plugins.coordination.models import Agreement

    sync_book(ctx, make_workbook(book, [row(modes="hằng năm; theo giai đoạn")]), bg)
    assert Agreement.get().modes == "Theo từng năm; Theo giai đoạn"


def test_the_canh_bao_column_is_added_and_filled(ctx, bg, book, today):
    path = make_workbook(book, [row(reviewed="15/12/2022")])
    sync_book(ctx, path, bg)
    assert cells(path, "Cảnh báo", 3)[1] == "chưa sơ kết; chưa có hoạt động phối hợp"


def test_a_row_made_invalid_later_is_an_error_and_keeps_the_last_good_agreement(ctx, bg, book, today):
    from plugins.coordination.models import Agreement

    path = make_workbook(book, [row()])
    sync_book(ctx, path, bg)
    edit_cell(path, "Chu kỳ sơ kết (tháng)", 1, 0, 3)
    edit_cell(path, "Số hiệu", 1, "46/QCPH", 3)
    result = sync_book(ctx, path, bg)
    assert [e["column"] for e in result.errors] == ["Chu kỳ sơ kết (tháng)"]
    assert (Agreement.get().review_months, Agreement.get().number) == (12, "45/QCPH")
    assert cells(path, "Trạng thái đồng bộ", 3)[1].startswith("Lỗi: Chu kỳ sơ kết 0 tháng")


def test_an_edit_in_the_admin_flows_to_the_sheet(ctx, bg, book, today):
    from plugins.coordination.models import Agreement

    path = make_workbook(book, [row()])
    sync_book(ctx, path, bg)
    Agreement.update(number="45/QCPH-SYT-LHH").execute()
    sync_book(ctx, path, bg)
    assert cells(path, "Số hiệu", 3)[1] == "45/QCPH-SYT-LHH"


def test_the_flags_change_when_a_joint_activity_comes_in(ctx, bg, book, today):
    from plugins.training.models import Activity, ensure_kinds, set_partners

    path = make_workbook(book, [row()])
    sync_book(ctx, path, bg)
    ensure_kinds()
    set_partners(Activity.create(unit=bg, kind=1, title="Tập huấn sơ cứu", start_date=dt.date(2023, 5, 4)), ["Sở Y tế"])
    sync_book(ctx, path, bg)
    assert cells(path, "Cảnh báo", 3)[1] is None


def test_reading_a_chunk_costs_the_same_queries_for_one_or_many_agreements(ctx, bg, book, today, monkeypatch):
    from core.db import database
    from plugins.coordination.models import Agreement

    mapping = ctx.extensions["phoihop_bindings"]["coordination.agreements"]
    sync_book(ctx, make_workbook(book, [row(stt=n, partners=f"Đối tác {n}; Sở Y tế") for n in range(1, 31)]), bg)

    def queries(records):
        seen = []
        original = database.obj.execute_sql
        monkeypatch.setattr(database.obj, "execute_sql", lambda sql, *a, **k: seen.append(sql) or original(sql, *a, **k))
        mapping.read_many(records)
        monkeypatch.undo()
        return len(seen)

    records = list(Agreement.select())
    assert queries(records[:1]) == queries(records) == 6  # the partners, then one per area (training: two)
