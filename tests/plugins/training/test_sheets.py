"""The ``training.activities`` mapping against the office's sample sheet
'Hoạt động 2020-2022' (samples/README.md, tap-huan-hoi-thao.xlsx)."""
import datetime as dt
from dataclasses import dataclass, field

import pytest

from core.reports import Period
from plugins.training.models import Activity, ActivityKind, Person
from plugins.training.reports import training_section
from plugins.training.sheets import BINDING, ActivityMapping
from sheets.table import check_totals, classify_row, find_header_row, match_columns
from sheets.values import BAD_DATE, BAD_MONEY, NEGATIVE, CellError, clean_text
from sheets.xlsx import XlsxBackend
from tests.plugins.training.conftest import SAMPLE, SAMPLE_SHEET

# samples/README.md, "Invalid rows": Excel row → the column the error must name.
INVALID = {23: "Thời gian", 29: "Ngày kết thúc", 31: "Số đại biểu", 41: "Loại hoạt động", 47: "Kinh phí ngân sách"}
# samples/README.md, "Figures from the valid rows (1 unit × 3 years, 2020–2022)".
FIGURES = {
    "Hội thảo khoa học": (6, 2.00, 568, 265_000_000, 6_000_000, 271_000_000, 97.79),
    "Hội nghị thông tin chuyên đề": (6, 2.00, 918, 111_500_000, 11_500_000, 123_000_000, 90.65),
    "Tập huấn kỹ thuật": (17, 5.67, 917, 311_000_000, 22_500_000, 333_500_000, 93.25),
    "Phổ biến kiến thức": (10, 3.33, 3002, 100_500_000, 13_000_000, 113_500_000, 88.55),
    "Hội nghị kết nối cung - cầu": (1, 0.33, 128, 34_500_000, 4_000_000, 38_500_000, 89.61),
}
UNIT = "Liên hiệp hội tỉnh Bắc Giang"


@dataclass
class Row:
    excel_row: int
    kind: str
    label: object = None
    unit: str | None = None
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (header as written, one line; reason)


def header_text(text):
    return " ".join(str(text).split())


def parse_sheet(grid, mapping):
    """What the sync engine does before touching the database: find the header, match the
    columns, classify the rows, parse every cell of the data rows, run the row rules."""
    header = find_header_row(grid, [c.spellings for c in mapping.required])
    match = match_columns(grid[header], {c.field: c.spellings for c in mapping.columns})
    rows = []
    for index in range(header + 1, len(grid)):
        cells = grid[index]
        row = Row(index + 1, classify_row(cells), label=next((c for c in cells if clean_text(c)), None))
        for column in mapping.columns:
            col = match.index.get(column.field)
            raw = cells[col] if col is not None and col < len(cells) else None
            if column.kind == "unit":
                row.unit = clean_text(raw)
                continue
            try:
                value = column.parse(raw)
            except CellError as exc:
                row.errors.append((header_text(match.header_for(column.field)), exc.reason))
                continue
            if column.required and value in (None, []):
                row.errors.append((header_text(match.header_for(column.field)), "bắt buộc"))
            row.values[column.field] = value
        if row.kind == "data":
            row.errors += [(header_text(match.header_for(f)), m) for f, m in mapping.rules(row.values)]
        rows.append(row)
    return header, match, rows


@pytest.fixture(scope="module")
def grid():
    return XlsxBackend(SAMPLE).read(SAMPLE_SHEET)


@pytest.fixture
def mapping(kinds):
    return ActivityMapping()


@pytest.fixture
def parsed(grid, mapping):
    return parse_sheet(grid, mapping)


@pytest.fixture
def data_rows(parsed):
    return [r for r in parsed[2] if r.kind == "data"]


@pytest.fixture
def valid_rows(data_rows):
    return [r for r in data_rows if not r.errors]


def by_row(rows):
    return {r.excel_row: r for r in rows}


# -- the mapping's declaration ----------------------------------------------------------
def test_binding_is_declared_through_the_hook(app):
    mapping = app.extensions["phoihop_bindings"][BINDING]
    assert isinstance(mapping, ActivityMapping)
    assert (mapping.model, mapping.key_prefix, mapping.plugin) == (Activity, "HD", "plugins.training")


def test_every_header_and_alias_of_the_spec_is_mapped(mapping):
    assert {c.field: c.spellings for c in mapping.columns} == {
        "unit": ["Đơn vị", "Tỉnh/Thành phố"],
        "kind": ["Loại hoạt động"],
        "title": ["Tên hoạt động", "Nội dung", "Chủ đề"],
        "field": ["Lĩnh vực"],
        "start_date": ["Ngày bắt đầu", "Thời gian", "Ngày tổ chức"],
        "end_date": ["Ngày kết thúc"],
        "venue": ["Địa điểm"],
        "partners": ["Đơn vị phối hợp"],
        "speakers": ["Báo cáo viên"],
        "participants": ["Số người tham dự", "Số đại biểu", "Số học viên"],
        "state_budget": ["Kinh phí ngân sách"],
        "other_budget": ["Kinh phí huy động"],
        "notes": ["Ghi chú"],
    }


def test_column_kinds(mapping):
    kinds = {c.field: c.kind for c in mapping.columns}
    assert (kinds["unit"], kinds["kind"], kinds["partners"], kinds["speakers"]) == ("unit", "choice", "list", "list")
    assert (kinds["participants"], kinds["state_budget"], kinds["other_budget"]) == ("int", "money", "money")
    assert mapping.column("participants").minimum == 0
    assert mapping.totals == ("participants", "state_budget", "other_budget")


@pytest.mark.parametrize("field, raw", [("participants", "-20"), ("state_budget", "-500.000"), ("other_budget", -1)])
def test_the_columns_refuse_negative_counts_and_amounts(mapping, field, raw):
    """The one place "not negative" is checked in a sheet (rules.py keeps the rules across cells)."""
    with pytest.raises(CellError) as caught:
        mapping.column(field).parse(raw)
    assert caught.value.reason == NEGATIVE


def test_aliases_from_the_spec_are_recognised_in_a_header_row(mapping):
    header = ["STT", "Tỉnh/Thành phố", "Loại hoạt động", "Chủ đề", "Ngày tổ chức", "Số học viên"]
    match = match_columns(header, {c.field: c.spellings for c in mapping.columns})
    assert match.index == {"unit": 1, "kind": 2, "title": 3, "start_date": 4, "participants": 5}


def test_kind_choices_include_the_kinds_aliases(mapping):
    column = mapping.column("kind")
    assert column.parse("Tọa đàm") == column.parse("Toạ đàm") == "Diễn đàn, tọa đàm"
    assert column.parse(" HỘI THẢO ") == "Hội thảo khoa học"


def test_a_kind_added_by_the_office_is_accepted_at_once(mapping):
    ActivityKind.create(name="Hội chợ triển lãm", sort_order=200)
    assert mapping.column("kind").parse("Hội chợ triển lãm") == "Hội chợ triển lãm"


# -- the sample sheet -------------------------------------------------------------------
def test_header_is_row_4_of_the_sample(parsed):
    assert parsed[0] + 1 == 4


def test_every_column_of_the_sample_is_matched_and_the_unknown_ones_left_alone(parsed, grid):
    match = parsed[1]
    assert set(match.index) == {"unit", "kind", "title", "field", "start_date", "end_date", "venue", "partners",
                                "speakers", "participants", "state_budget", "other_budget", "notes"}
    assert sorted(grid[3][c] for c in match.unknown) == ["Người nhập", "STT"]


def test_the_sample_has_45_data_rows_in_rows_6_to_55(data_rows):
    assert len(data_rows) == 45
    assert (data_rows[0].excel_row, data_rows[-1].excel_row) == (6, 55)


def test_section_total_and_blank_rows_are_where_the_readme_says(parsed):
    kinds = {r.excel_row: r.kind for r in parsed[2]}
    assert [n for n, k in kinds.items() if k == "section"] == [5, 22, 36, 59, 60, 63]
    assert [n for n, k in kinds.items() if k == "total"] == [20, 57]
    assert [n for n, k in kinds.items() if k == "blank"] == [21, 35, 56, 58, 61, 62]


def test_exactly_the_documented_rows_are_invalid_each_naming_its_column(data_rows):
    errors = {r.excel_row: [h for h, _ in r.errors] for r in data_rows if r.errors}
    assert errors == {row: [column] for row, column in INVALID.items()}


def test_impossible_date_is_reported_in_vietnamese(data_rows):
    assert by_row(data_rows)[23].errors == [("Thời gian", BAD_DATE)]


def test_end_before_start_is_reported_with_both_dates(data_rows):
    assert by_row(data_rows)[29].errors == [("Ngày kết thúc", 'Ngày kết thúc "23/09/2021" trước ngày bắt đầu "25/10/2021"')]


def test_negative_participants_are_reported(data_rows):
    assert by_row(data_rows)[31].errors == [("Số đại biểu", NEGATIVE)]


def test_unknown_kind_is_reported_with_the_known_kinds(data_rows):
    (column, reason), = by_row(data_rows)[41].errors
    assert column == "Loại hoạt động"
    assert reason.startswith("không thuộc danh sách: Hội thảo khoa học, Hội nghị thông tin chuyên đề")


def test_unreadable_money_is_reported(data_rows):
    assert by_row(data_rows)[47].errors == [("Kinh phí ngân sách", BAD_MONEY)]


def test_every_other_data_row_parses(valid_rows):
    assert len(valid_rows) == 40
    assert all(r.values["kind"] and r.values["title"] and r.values["start_date"] for r in valid_rows)


def test_every_row_names_the_unit(data_rows):
    assert {r.unit for r in data_rows} == {UNIT}


@pytest.mark.parametrize("excel_row, field, expected", [
    (14, "kind", "Tập huấn kỹ thuật"),  # 'tập huấn kỹ thuật ' — lower case, trailing space
    (24, "participants", 1200),  # '1.200'
    (27, "start_date", dt.date(2021, 10, 20)),  # bare serial 44489
    (32, "speakers", ["PGS.TS. Nguyễn Đức Hưng", "ThS. Đinh Trọng Khánh"]),  # lines starting '- '
    (39, "start_date", dt.date(2022, 4, 26)),  # yyyy-mm-dd
    (40, "kind", "Hội nghị kết nối cung - cầu"),  # a rarer kind
    (44, "start_date", dt.date(2022, 8, 9)),  # dd-mm-yyyy
    (7, "state_budget", 23_000_000),  # '23,000,000'
    (12, "state_budget", 22_500_000),  # '22,5 triệu'
    (17, "partners", ["Hội Nông dân tỉnh", "UBND huyện Yên Thế"]),  # one per line
])
def test_valid_rows_with_a_peculiarity(data_rows, excel_row, field, expected):
    row = by_row(data_rows)[excel_row]
    assert row.errors == []
    assert row.values[field] == expected


def test_figures_per_kind_from_the_valid_rows(valid_rows):
    sums = {}
    for row in valid_rows:
        v = row.values
        count, people, state, other = sums.get(v["kind"], (0, 0, 0, 0))
        sums[v["kind"]] = (count + 1, people + (v["participants"] or 0),
                           state + (v["state_budget"] or 0), other + (v["other_budget"] or 0))
    assert sums == {kind: (f[0], f[2], f[3], f[4]) for kind, f in FIGURES.items()}


def test_total_rows_match_except_the_documented_drift(parsed, mapping):
    rows = [(r.kind, r.excel_row, r.label, {f: r.values.get(f) for f in mapping.totals}) for r in parsed[2]]
    mismatches = check_totals(rows, mapping.totals)
    assert [(m.row, m.field, m.sheet_value, m.computed) for m in mismatches] == [
        (57, "other_budget", 57_500_000, 57_000_000)]


# -- into the database and back ---------------------------------------------------------
@pytest.fixture
def imported(units, mapping, valid_rows):
    """The valid rows saved the way the sync engine saves them: apply, save, after_save."""
    records = []
    for row in valid_rows:
        record = Activity(unit=units["A"])
        mapping.apply(record, row.values)
        record.save()
        mapping.after_save(record, row.values)
        records.append((record, row))
    return records


def test_the_report_of_the_imported_rows_gives_the_readmes_figures(imported, units):
    kinds = training_section(Period(2020, 2022), [units["A"]])["kinds"]
    for name, (count, per_year, people, state, other, total, share) in FIGURES.items():
        got = kinds[name]
        assert (got["count"], got["per_unit_per_year"], got["participants"]) == (count, per_year, people), name
        budget = got["budget"]
        assert (budget["state"], budget["other"], budget["total"], budget["state_share"]) == (state, other, total, share)


def test_reading_a_record_gives_back_what_the_sheet_says(imported, mapping):
    for record, row in imported:
        back = mapping.read(Activity.get_by_id(record.id))
        for name, value in row.values.items():
            column = mapping.column(name)
            assert column.format(back[name]) == column.format(value), (row.excel_row, name)


def test_partners_become_organisations_of_the_unit(imported, units):
    from core.models import Organisation

    names = {o.name for o in Organisation.select().where(Organisation.unit == units["A"])}
    assert {"Sở Y tế", "Hội Nông dân tỉnh", "Trường Đại học Nông - Lâm Bắc Giang"} <= names
    assert Organisation.select().where(Organisation.unit == units["B"]).count() == 0


def test_speakers_become_people_with_their_titles(imported, units):
    person = Person.get(Person.full_name == "Dương Phương Dung")
    assert (person.title, person.unit_id) == ("PGS.TS", units["A"].id)


def test_speaker_count_matches_the_links_after_import(imported):
    for record, row in imported:
        fresh = Activity.get_by_id(record.id)
        assert fresh.speaker_count == fresh.speaker_links.count() == len(row.values["speakers"]), row.excel_row


def test_online_venue_sets_the_format(imported):
    row24 = next(record for record, row in imported if row.excel_row == 24)
    assert Activity.get_by_id(row24.id).format == "Trực tuyến"


def test_applying_a_partial_change_keeps_the_other_links(imported, mapping):
    record, row = next((rec, r) for rec, r in imported if r.excel_row == 15)
    mapping.apply(record, {"title": "Hội thảo đổi tên"})
    record.save()
    mapping.after_save(record, {"title": "Hội thảo đổi tên"})
    assert record.partner_names() == ["Sở Nông nghiệp và Phát triển nông thôn", "Hội Làm vườn tỉnh"]


# -- through the sync engine ------------------------------------------------------------
@pytest.fixture
def synced(tmp_path, units, pm, kinds):
    """The sample sheet linked to Bắc Giang and pulled once by the sync engine."""
    import shutil

    from sheets.models import Binding
    from sheets.sync import sync

    path = tmp_path / "tap-huan-hoi-thao.xlsx"
    shutil.copyfile(SAMPLE, path)
    binding = Binding.create(name=BINDING, source=str(path), worksheet=SAMPLE_SHEET, unit=units["A"])

    def run():
        return sync(binding, ActivityMapping(), XlsxBackend(path), pm=pm)

    return run(), run, path


def test_sync_imports_the_valid_rows_and_reports_the_documented_errors(synced):
    result = synced[0]
    assert result.created == 40 and Activity.select().count() == 40
    assert [(e["row"], e["column"]) for e in result.errors] == sorted(INVALID.items())
    assert result.errors[1]["message"] == 'Ngày kết thúc "23/09/2021" trước ngày bắt đầu "25/10/2021"'


def test_sync_warns_about_the_drifting_total_only(synced):
    (warning,) = synced[0].warnings
    assert warning.startswith('Dòng 57, cột "Kinh phí huy động"') and "chênh 500.000" in warning


def test_synced_activities_give_the_readmes_figures(synced, units):
    kinds = training_section(Period(2020, 2022), [units["A"]])["kinds"]
    assert {k: (kinds[k]["count"], kinds[k]["budget"]["state_share"]) for k in FIGURES} == {
        k: (f[0], f[6]) for k, f in FIGURES.items()}


def test_second_sync_of_an_unchanged_sheet_writes_nothing(synced):
    again = synced[1]()
    assert (again.created, again.updated, again.pushed, again.unchanged) == (0, 0, 0, 40)
    assert again.requests["writes"] == 0


def test_synced_speaker_counts_match_the_links(synced):
    from plugins.training.models import ActivitySpeaker

    assert sum(a.speaker_count for a in Activity.select()) == ActivitySpeaker.select().count() > 40


def test_partners_edited_in_the_sheet_are_relinked(synced):
    import openpyxl

    path = synced[2]
    book = openpyxl.load_workbook(path)
    book[SAMPLE_SHEET]["H6"] = "Hiệp hội Doanh nghiệp tỉnh; Sở Công Thương"
    book.save(path)
    assert synced[1]().updated == 1
    activity = Activity.get(Activity.title.startswith('Hội thảo "Chuyển đổi số'))
    assert activity.partner_names() == ["Hiệp hội Doanh nghiệp tỉnh", "Sở Công Thương"]


def test_unregistered_unit_is_the_sync_engines_error(tmp_path, units, pm, kinds):
    from sheets.models import Binding
    from sheets.sync import sync

    grid = [["STT", "Đơn vị", "Loại hoạt động", "Tên hoạt động", "Ngày bắt đầu"],
            [1, "Liên hiệp hội tỉnh Không Có", "Hội thảo khoa học", "Hội thảo A", "01/02/2022"]]
    path = tmp_path / "hd.xlsx"
    XlsxBackend.create(path, {"HĐ": grid})
    binding = Binding.create(name=BINDING, source=str(path), worksheet="HĐ")
    (error,) = sync(binding, ActivityMapping(), XlsxBackend(path), pm=pm).errors
    assert (error["column"], error["message"]) == ("Đơn vị", 'Đơn vị "Liên hiệp hội tỉnh Không Có" chưa đăng ký (phoihop units add)')


# -- phoihop demo -----------------------------------------------------------------------
def test_demo_rows_are_office_rows_and_create_no_activity(pm, units, mapping):
    (rows,) = [answer[BINDING] for answer in pm.hook.phoihop_demo_data(unit=units["A"]) if BINDING in answer]
    assert len(rows) >= 8 and Activity.select().count() == 0
    header = list(dict.fromkeys(h for row in rows for h in row))
    grid = [["DỮ LIỆU MẪU"], [], ["STT", *header], *[[i, *[row.get(h) for h in header]] for i, row in enumerate(rows, 1)]]
    _, _, parsed_rows = parse_sheet(grid, mapping)
    assert [r.errors for r in parsed_rows] == [[]] * len(rows)


def test_demo_site_has_the_training_workbook_synced(tmp_path, pm, monkeypatch):
    from click.testing import CliRunner

    from cli import build_cli
    from core import create_app

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "demo-mat-khau")
    result = CliRunner().invoke(build_cli(pm), ["demo", "--dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    for code in ("BG", "PT"):
        assert f"{code}/{BINDING}.xlsx (8 dòng đã đồng bộ)" in result.output
    app = create_app({"CONFIG_FILE": str(tmp_path / "site" / "phoihop.cfg")}, plugin_manager=pm)
    with app.app_context():
        from core.models import Unit

        assert Activity.select().count() == 16
        bac_giang = Unit.get(Unit.code == "BG")
        assert Activity.get(Activity.title.startswith("Hội nghị kết nối"), Activity.unit == bac_giang).partner_names() == [
            "Sở Nông nghiệp và Phát triển nông thôn", "Báo Bắc Giang"]
