"""What phoihop wants on a sheet besides values (sheets.guidance): pure functions."""
from sheets.guidance import NOTE_PREFIX, Guidance, Rule, is_ours, notes_for, protected_for, rules_for, wanted
from sheets.reader import read_table
from tests.sheets.conftest import office_grid
from tests.sheets.entries_plugin import MAPPING

ROWS = [["Máy gieo hạt", "05/03/2021", "50 triệu", "Hóa học", "Nguyễn Văn A", "chị Hà", "85,5", None]]


def table():
    return read_table(office_grid(ROWS), MAPPING)


def test_rules_follow_the_kind_of_each_column():
    kinds = {(r.header, r.kind) for r in rules_for(MAPPING, table().columns, 4)}
    assert kinds == {("Ngày nhận", "date"), ("Kinh phí", "number"), ("Lĩnh vực", "list")}


def test_a_list_rule_holds_the_canonical_labels_only():
    rule = next(r for r in rules_for(MAPPING, table().columns, 4) if r.kind == "list")
    assert rule.values == ("Cơ khí", "Nông, lâm, ngư nghiệp; tài nguyên và môi trường")


def test_protection_covers_key_status_and_computed_columns_from_the_header():
    found = protected_for(MAPPING, table())
    assert [(p.col, p.header, p.first_row) for p in found] == [
        (8, "Số tác giả", 3), (9, "Mã", 3), (10, "Trạng thái đồng bộ", 3)]


def test_a_note_is_placed_by_the_errors_row_and_header():
    notes = notes_for(table(), [{"row": 6, "column": "Lĩnh vực", "value": "Hóa học", "message": "sai"}])
    assert notes == {(5, 4): NOTE_PREFIX + "sai"}


def test_two_errors_on_one_cell_make_one_note():
    errors = [{"row": 6, "column": "Điểm", "value": "", "message": m} for m in ("một", "hai", "một")]
    assert notes_for(table(), errors) == {(5, 7): NOTE_PREFIX + "một\nhai"}


def test_an_error_without_a_cell_makes_no_note():
    errors = [{"row": None, "column": None, "value": "", "message": "quá nhiều dòng biến mất"},
              {"row": 6, "column": None, "value": "", "message": "Không rõ đơn vị"}]
    assert notes_for(table(), errors) == {}


def test_an_error_on_the_key_column_notes_the_key_cell():
    notes = notes_for(table(), [{"row": 6, "column": "Mã", "value": "GP-9", "message": "không có"}])
    assert list(notes) == [(5, 9)]


def test_only_prefixed_notes_are_ours():
    assert is_ours(NOTE_PREFIX + "x") and not is_ours("phoihop nói") and not is_ours(None)


def test_the_rules_digest_changes_with_a_label():
    rule = Rule(4, 4, "list", "Lĩnh vực", ("Cơ khí",))
    grown = Rule(4, 4, "list", "Lĩnh vực", ("Cơ khí", "Y dược"))
    assert Guidance(rules=(rule,)).rules_digest() != Guidance(rules=(grown,)).rules_digest()


def test_rules_unchanged_only_stops_sending_the_rules():
    found = wanted(MAPPING, table(), [])
    same = found.rules_unchanged()
    assert (same.send_rules, same.rules, same.protected) == (False, found.rules, found.protected)
