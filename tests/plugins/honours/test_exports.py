"""The honoured list as the decision's annex (plugins/honours/exports.py): text from an
office's sheet that would run as a formula stays text in the workbook."""
import io

import openpyxl
import pytest


@pytest.fixture
def honoured(pt):
    """A round with one nominee selected whose cells start with = + - @, and one not selected."""
    from plugins.honours import rules
    from plugins.honours.models import Category, Nomination, Round, ensure_categories

    ensure_categories()
    item = Round.create(unit=pt, year=2023, council_size=13)
    doctor = Category.get(Category.name == "Tân Tiến sĩ")
    common = {"unit": pt, "round": item, "year": 2023, "category": doctor}
    Nomination.create(**common, full_name='=HYPERLINK("http://x.invalid","Lê Văn An")', name_key="le van an",
                      position="+Trưởng khoa", workplace_name="-Bệnh viện tỉnh", field="@Y dược",
                      nominator_name="=1+1", votes_for=12, result=rules.SELECTED)
    Nomination.create(**common, full_name="Trần Thị Bình", name_key="tran thi binh", votes_for=3,
                      result=rules.NOT_SELECTED)
    return item


def annex_table(item):
    from plugins.honours.exports import annex_xlsx

    sheet = openpyxl.load_workbook(io.BytesIO(annex_xlsx(item))).active
    rows = list(sheet.iter_rows())
    header = next(i for i, r in enumerate(rows) if r[0].value == "STT")
    return [c.value for c in rows[header]], rows[header + 1:]


def test_the_annex_lists_only_the_people_selected_under_vietnamese_headers(honoured):
    headers, body = annex_table(honoured)
    assert headers[:4] == ["STT", "Họ và tên", "Năm sinh", "Giới tính"]
    assert {"Chức vụ", "Đơn vị công tác", "Lĩnh vực", "Hình thức tôn vinh", "Đơn vị đề cử"} <= set(headers)
    assert [r[0].value for r in body] == [1, "Tổng cộng"] and body[-1][1].value == "1 người"


def test_text_that_would_run_as_a_formula_is_written_as_text(honoured):
    headers, body = annex_table(honoured)
    cells = {h: body[0][i] for i, h in enumerate(headers)}
    expected = {"Họ và tên": "'=HYPERLINK(\"http://x.invalid\",\"Lê Văn An\")", "Chức vụ": "'+Trưởng khoa",
                "Đơn vị công tác": "'-Bệnh viện tỉnh", "Lĩnh vực": "'@Y dược", "Đơn vị đề cử": "'=1+1"}
    assert {h: cells[h].value for h in expected} == expected
    assert all(cells[h].data_type == "s" for h in expected)
