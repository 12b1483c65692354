"""Which rows take back the Mã their row carries as metadata (pure functions of sheets/identity.py)."""
from collections import Counter

from sheets.identity import metadata_candidates, resembles

KNOWN = {"GP-1", "GP-2", "GP-3"}
FIELDS = ["title", "amount", "field"]


def test_a_cleared_mã_is_taken_from_the_metadata():
    assert metadata_candidates({7: (None, "GP-1")}, Counter(), KNOWN) == {7: "GP-1"}


def test_an_overwritten_mã_is_taken_from_the_metadata():
    assert metadata_candidates({7: ("GP-2", "GP-1"), 8: ("GP-2", "GP-2")}, Counter({"GP-2": 2}), KNOWN) == {7: "GP-1"}


def test_a_row_whose_cell_agrees_is_left_alone():
    assert metadata_candidates({7: ("GP-1", "GP-1")}, Counter({"GP-1": 1}), KNOWN) == {}


def test_metadata_naming_a_mã_another_cell_holds_is_stale():
    assert metadata_candidates({7: (None, "GP-1")}, Counter({"GP-1": 1}), KNOWN) == {}


def test_metadata_of_another_binding_or_a_deleted_record_is_ignored():
    assert metadata_candidates({7: (None, "HT-9")}, Counter(), KNOWN) == {}


def test_two_rows_naming_one_mã_are_not_guessed():
    assert metadata_candidates({7: (None, "GP-1"), 9: (None, "GP-1")}, Counter(), KNOWN) == {}


def test_a_row_with_one_field_changed_still_resembles_its_record():
    snapshot = {"title": "Máy gieo hạt", "amount": "50.000.000", "field": "Cơ khí"}
    assert resembles({**snapshot, "amount": "70.000.000"}, snapshot, FIELDS)


def test_a_row_typed_over_with_another_entry_does_not():
    snapshot = {"title": "Máy gieo hạt", "amount": "50.000.000", "field": "Cơ khí"}
    assert not resembles({"title": "Lò sấy", "amount": "9.000.000", "field": "Cơ khí"}, snapshot, FIELDS)


def test_half_of_the_filled_fields_is_enough():
    snapshot = {"title": "Máy gieo hạt", "amount": "50.000.000", "field": "", "authors": "Lê C"}
    assert resembles({"title": "Máy gieo hạt", "amount": "1", "authors": "Lê C"}, snapshot, [*FIELDS, "authors"])
    assert not resembles({"title": "Máy gieo hạt", "amount": "1"}, snapshot, [*FIELDS, "authors"])


def test_a_record_without_a_snapshot_resembles_nothing():
    assert not resembles({"title": "Máy gieo hạt"}, None, FIELDS)
    assert not resembles({"title": "Máy gieo hạt"}, {"title": ""}, FIELDS)
