"""The admin views of the training plugin, as a logged-in editor or admin."""
import csv
import html
import datetime as dt
import io
import json
import re

import pytest

from core.models import AuditLog, Organisation, Person
from plugins.training.models import Activity, ActivityKind, ActivityPartner
from plugins.training.views import ActivityView
from tests.conftest import csrf_token

LIST = "/admin/training_activity/"


@pytest.fixture
def activities(units, make_activity):
    """Two activities of Bắc Giang (2020, 2021) and one of Phú Thọ."""
    return {
        "vai": make_activity(units["A"], title="Tập huấn trồng vải thiều VietGAP", kind="Tập huấn kỹ thuật",
                             field="Nông nghiệp", start_date=dt.date(2020, 4, 29), state_budget=21_500_000,
                             partners=["UBND huyện Lục Ngạn"], speakers=["TS. Vũ Thị Minh Loan"]),
        "so": make_activity(units["A"], title="Hội thảo chuyển đổi số", field="Chuyển đổi số",
                            start_date=dt.date(2021, 10, 14), state_budget=60_000_000, other_budget=5_000_000,
                            partners=["Sở Khoa học và Công nghệ"], speakers=["ThS. Lê Thanh Tuấn"]),
        "pt": make_activity(units["B"], title="Hội thảo chè Phú Thọ", start_date=dt.date(2021, 5, 5),
                            partners=["Sở Khoa học và Công nghệ"]),
    }


def filter_arg(app, name, kind):
    """The URL argument of a list filter, e.g. ``flt0_4``."""
    view = next(v for v in app.extensions["phoihop_admin"]._views if isinstance(v, ActivityView))
    index = next(i for i, f in enumerate(view._filters) if f.name == name and type(f).__name__ == kind)
    return f"flt0_{view.get_filter_arg(index, view._filters[index])}"


def listed(client, **args):
    return client.get(LIST, query_string=args).get_data(as_text=True)


# -- list, scoping, search, filters -----------------------------------------------------
def test_menu_has_the_training_category(login_as):
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert "Tập huấn, hội thảo" in page and "Loại hoạt động" in page


def test_editor_lists_only_their_units_activities(login_as, units, activities):
    page = listed(login_as("editor", units["A"]))
    assert "Hội thảo chuyển đổi số" in page and "Tập huấn trồng vải thiều VietGAP" in page
    assert "Hội thảo chè Phú Thọ" not in page


def test_editor_gets_404_for_another_units_activity(login_as, units, activities):
    client = login_as("editor", units["A"])
    assert client.get(f"{LIST}edit/?id={activities['pt'].id}").status_code == 404


def test_list_shows_money_with_thousands_separators_and_partners(login_as, units, activities):
    page = listed(login_as("editor", units["A"]))
    assert "60.000.000" in page and "21.500.000" in page
    assert "UBND huyện Lục Ngạn" in page
    assert "29/04/2020" in page


def test_search_box_names_partners_and_speakers(login_as):
    page = listed(login_as("admin"))
    assert 'placeholder="Tên hoạt động, Lĩnh vực, Địa điểm, Đơn vị phối hợp, Báo cáo viên"' in page


def test_search_by_title(login_as, units, activities):
    page = listed(login_as("admin"), search="vải thiều")
    assert "Tập huấn trồng vải thiều VietGAP" in page and "Hội thảo chuyển đổi số" not in page


def test_search_by_partner_name(login_as, units, activities):
    page = listed(login_as("admin"), search="Lục Ngạn")
    assert "Tập huấn trồng vải thiều VietGAP" in page and "Hội thảo chuyển đổi số" not in page


def test_search_by_speaker_name(login_as, units, activities):
    page = listed(login_as("admin"), search="Thanh Tuấn")
    assert "Hội thảo chuyển đổi số" in page and "Tập huấn trồng vải thiều VietGAP" not in page


def test_search_by_partner_stays_within_the_editors_unit(login_as, units, activities):
    page = listed(login_as("editor", units["A"]), search="Khoa học và Công nghệ")
    assert "Hội thảo chuyển đổi số" in page and "Hội thảo chè Phú Thọ" not in page


def test_filter_by_year(login_as, app, units, activities):
    page = listed(login_as("admin"), **{filter_arg(app, "Năm", "YearFilter"): "2021"})
    assert "Hội thảo chuyển đổi số" in page and "Hội thảo chè Phú Thọ" in page
    assert "Tập huấn trồng vải thiều VietGAP" not in page


def test_filter_by_unit_name(login_as, app, units, activities):
    page = listed(login_as("admin"), **{filter_arg(app, "Đơn vị", "UnitFilter"): units["B"].name})
    assert "Hội thảo chè Phú Thọ" in page and "Hội thảo chuyển đổi số" not in page


def test_filter_by_kind(login_as, app, units, activities):
    page = listed(login_as("admin"), **{filter_arg(app, "Loại hoạt động", "FilterEqual"): "Tập huấn kỹ thuật"})
    assert "Tập huấn trồng vải thiều VietGAP" in page and "Hội thảo chuyển đổi số" not in page


def test_filter_by_field(login_as, app, units, activities):
    page = listed(login_as("admin"), **{filter_arg(app, "Lĩnh vực", "FilterLike"): "chuyển đổi"})
    assert "Hội thảo chuyển đổi số" in page and "Tập huấn trồng vải thiều VietGAP" not in page


def test_filter_by_partner(login_as, app, units, activities):
    page = listed(login_as("admin"), **{filter_arg(app, "Đơn vị phối hợp", "PartnerFilter"): "Khoa học"})
    assert "Hội thảo chuyển đổi số" in page and "Hội thảo chè Phú Thọ" in page
    assert "Tập huấn trồng vải thiều VietGAP" not in page


def test_unit_and_kind_filters_together(login_as, app, units, activities):
    page = listed(login_as("admin"), **{filter_arg(app, "Đơn vị", "FilterLike"): "Bắc Giang",
                                        filter_arg(app, "Loại hoạt động", "FilterEqual").replace("flt0", "flt1"):
                                        "Hội thảo khoa học"})
    assert "Hội thảo chuyển đổi số" in page
    assert "Hội thảo chè Phú Thọ" not in page and "Tập huấn trồng vải thiều VietGAP" not in page


@pytest.mark.parametrize("column", ["kind", "unit", "start_date", "state_budget"])
def test_sortable_columns(login_as, app, units, activities, column):
    view = next(v for v in app.extensions["phoihop_admin"]._views if isinstance(v, ActivityView))
    index = list(view._sortable_columns).index(column)
    answer = login_as("admin").get(LIST, query_string={"sort": index, "desc": 1})
    assert answer.status_code == 200 and "Hội thảo chuyển đổi số" in answer.get_data(as_text=True)


# -- export -----------------------------------------------------------------------------
def test_csv_export_holds_the_units_rows_with_partners_and_plain_amounts(login_as, units, activities):
    body = login_as("viewer", units["A"]).get(f"{LIST}export/csv/").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["Tên hoạt động"] for r in rows) == ["Hội thảo chuyển đổi số", "Tập huấn trồng vải thiều VietGAP"]
    so = next(r for r in rows if r["Tên hoạt động"] == "Hội thảo chuyển đổi số")
    assert (so["Đơn vị phối hợp"], so["Kinh phí ngân sách"], so["Ngày bắt đầu"]) == (
        "Sở Khoa học và Công nghệ", "60000000", "14/10/2021")


def test_xlsx_export_works(login_as, units, activities, tmp_path):
    from openpyxl import load_workbook

    answer = login_as("admin").get(f"{LIST}export/xlsx/")
    assert answer.status_code == 200
    path = tmp_path / "x.xlsx"
    path.write_bytes(answer.get_data())
    values = [c for row in load_workbook(path).active.iter_rows(values_only=True) for c in row]
    assert "Hội thảo chè Phú Thọ" in values


# -- forms ------------------------------------------------------------------------------
def form_data(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path), "title": "Tập huấn nuôi ong lấy mật",
            "start_date": "2022-12-07", "end_date": "2022-12-08", "venue": "Nhà văn hóa xã Xuân Lương",
            "participants": "50", "state_budget": "11 triệu", "other_budget": "1.500.000",
            "speakers": "PGS.TS. Nguyễn Văn Sơn\nKS. Trần Văn Giang"}
    data.update(fields)
    return data


def test_create_form_offers_every_kind_to_a_scoped_editor(login_as, units, kinds):
    page = login_as("editor", units["A"]).get(f"{LIST}new/").get_data(as_text=True)
    assert all(name in page for name in kinds)


def test_create_form_has_date_pickers_and_a_partner_search(login_as, units, kinds):
    page = login_as("editor", units["A"]).get(f"{LIST}new/").get_data(as_text=True)
    assert 'data-role="datepicker"' in page
    assert 'data-role="select2-ajax"' in page and "ajax/lookup/?name=partners" in page


def test_editor_creates_an_activity_with_partners_speakers_and_money_as_typed(login_as, units, kinds):
    client = login_as("editor", units["A"])
    partner = Organisation.create(unit=units["A"], name="Hội Làm vườn tỉnh")
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     partners=str(partner.id))
    answer = client.post(f"{LIST}new/", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    activity = Activity.get(Activity.title == "Tập huấn nuôi ong lấy mật")
    assert (activity.unit_id, activity.state_budget, activity.other_budget) == (units["A"].id, 11_000_000, 1_500_000)
    assert activity.speakers == "PGS.TS. Nguyễn Văn Sơn; KS. Trần Văn Giang"
    assert activity.partner_names() == ["Hội Làm vườn tỉnh"]
    assert {p.full_name for p in Person.select()} == {"Nguyễn Văn Sơn", "Trần Văn Giang"}
    assert AuditLog.select().where(AuditLog.model == "training_activity").count() == 1


def test_an_activity_is_saved_when_no_partner_is_chosen(login_as, units, kinds):
    client = login_as("editor", units["A"])
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     partners="", start_date="07/12/2022", end_date="08/12/2022")  # as a browser posts them
    assert client.post(f"{LIST}new/", data=data).status_code == 302
    activity = Activity.get(Activity.title == "Tập huấn nuôi ong lấy mật")
    assert activity.partner_names() == [] and (activity.start_date, activity.end_date) == (
        dt.date(2022, 12, 7), dt.date(2022, 12, 8))


def test_end_date_before_start_date_is_refused_with_a_vietnamese_message(login_as, units, kinds):
    client = login_as("editor", units["A"])
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     end_date="2022-12-01")
    page = client.post(f"{LIST}new/", data=data).get_data(as_text=True)
    assert "Ngày kết thúc &#34;01/12/2022&#34; trước ngày bắt đầu &#34;07/12/2022&#34;" in page
    assert Activity.select().count() == 0


def test_unreadable_money_is_refused(login_as, units, kinds):
    client = login_as("editor", units["A"])
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     state_budget="khoảng 10 triệu")
    page = client.post(f"{LIST}new/", data=data).get_data(as_text=True)
    assert "không phải số tiền hợp lệ" in page
    assert Activity.select().count() == 0


def test_negative_participants_are_refused(login_as, units, kinds):
    client = login_as("editor", units["A"])
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     participants="-20")
    assert "Số người tham dự không được âm" in client.post(f"{LIST}new/", data=data).get_data(as_text=True)
    assert Activity.select().count() == 0


def test_negative_budget_is_refused_in_the_columns_words(login_as, units, kinds):
    client = login_as("editor", units["A"])
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     other_budget="-500.000")
    assert "&#34;-500.000&#34; không được âm" in client.post(f"{LIST}new/", data=data).get_data(as_text=True)
    assert Activity.select().count() == 0


def test_editor_cannot_pick_another_units_organisation_as_partner(login_as, units, kinds):
    client = login_as("editor", units["A"])
    foreign = Organisation.create(unit=units["B"], name="Sở Y tế Phú Thọ")
    data = form_data(client, f"{LIST}new/", kind=kinds["Tập huấn kỹ thuật"].id, unit=units["A"].id,
                     partners=str(foreign.id))
    page = client.post(f"{LIST}new/", data=data).get_data(as_text=True)
    assert "Có đơn vị phối hợp không tìm thấy" in page
    assert Activity.select().count() == 0 and ActivityPartner.select().count() == 0


def test_edit_form_shows_money_and_partners(login_as, units, activities):
    page = login_as("editor", units["A"]).get(f"{LIST}edit/?id={activities['so'].id}").get_data(as_text=True)
    assert 'value="60.000.000"' in page
    chosen = re.search(r'data-json="([^"]*)"[^>]*id="partners"', page)[1]
    assert [label for _, label in json.loads(html.unescape(chosen))] == ["Sở Khoa học và Công nghệ"]


def test_editing_keeps_the_partners_and_relinks_speakers(login_as, units, activities):
    client = login_as("editor", units["A"])
    activity = activities["so"]
    partner_ids = ",".join(str(o.id) for o in Organisation.select().join(ActivityPartner)
                           .where(ActivityPartner.activity == activity.id))
    path = f"{LIST}edit/?id={activity.id}"
    data = form_data(client, path, title="Hội thảo chuyển đổi số (sửa)", kind=activity.kind_id,
                     unit=units["A"].id, start_date="2021-10-14", end_date="", partners=partner_ids,
                     speakers="ThS. Lê Thanh Tuấn; TS. Đỗ Thanh Vân")
    assert client.post(path, data=data).status_code == 302
    activity = Activity.get_by_id(activity.id)
    assert activity.title == "Hội thảo chuyển đổi số (sửa)"
    assert activity.partner_names() == ["Sở Khoa học và Công nghệ"]
    assert sorted(link.person.full_name for link in activity.speaker_links) == ["Lê Thanh Tuấn", "Đỗ Thanh Vân"]


def test_partner_lookup_offers_only_the_editors_units_organisations(login_as, units):
    Organisation.create(unit=units["A"], name="Sở Y tế")
    Organisation.create(unit=units["B"], name="Sở Y tế Phú Thọ")
    answer = login_as("editor", units["A"]).get(f"{LIST}ajax/lookup/", query_string={"name": "partners", "query": "Y tế"})
    assert [label for _, label in json.loads(answer.get_data(as_text=True))] == ["Sở Y tế"]


# -- kinds ------------------------------------------------------------------------------
def test_kinds_view_is_for_admins(login_as, units, kinds):
    assert login_as("editor", units["A"]).get("/admin/training_kind/").status_code == 403


def test_admin_adds_a_kind(login_as, kinds):
    client = login_as("admin")
    data = {"csrf_token": csrf_token(client, "/admin/training_kind/new/"), "name": "Hội chợ triển lãm",
            "aliases": "Triển lãm", "sort_order": "90"}
    assert client.post("/admin/training_kind/new/", data=data).status_code == 302
    assert ActivityKind.get(ActivityKind.name == "Hội chợ triển lãm").alias_list() == ["Triển lãm"]
    page = client.get("/admin/training_kind/").get_data(as_text=True)
    assert "Hội chợ triển lãm" in page and "Hội thảo khoa học" in page
