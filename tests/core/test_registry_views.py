"""The registry in the admin (core.registry_views): people and organisations, scoped by
unit, searched and filtered, edited with the core's widgets, and merged."""
import datetime as dt
import json
import re

import pytest

from core.models import AuditLog, Organisation, Person
from core.registry_views import OrganisationView, PersonView, settle_titles
from plugins.training.models import Activity, ActivityPartner, ActivitySpeaker, set_partners
from tests.conftest import csrf_token

PEOPLE, ORGANISATIONS = "/admin/person/", "/admin/organisation/"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def kinds(ctx):
    from plugins.training.models import ActivityKind, ensure_kinds

    ensure_kinds()
    return {k.name: k for k in ActivityKind.select()}


@pytest.fixture
def registry(ctx, units):
    """People and organisations of Bắc Giang (A) and Phú Thọ (B), two homonyms among them."""
    a, b = units["A"], units["B"]
    school = Organisation.create(unit=a, name="Trường Đại học Nông - Lâm Bắc Giang", kind="truong")
    hospital = Organisation.create(unit=b, name="Bệnh viện Đa khoa tỉnh Phú Thọ", kind="khac")
    return {
        "school": school, "hospital": hospital,
        "dept": Organisation.create(unit=a, name="Sở Y tế", kind="so_ban_nganh"),
        "hung79": Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1979, degree="TS", workplace=school),
        "hung86": Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1986, degree="ThS"),
        "dung": Person.create(unit=a, full_name="Dương Phương Dung", academic_title="PGS", degree="TS", title="PGS.TS",
                              gender="nu"),
        "vinh": Person.create(unit=b, full_name="Nguyễn Ngọc Vinh", year_of_birth=1975, degree="BSCKII",
                              workplace=hospital),
    }


def view_of(app, cls):
    return next(v for v in app.extensions["phoihop_admin"]._views if isinstance(v, cls))


def filter_arg(app, cls, label, kind):
    view = view_of(app, cls)
    index = next(i for i, f in enumerate(view._filters) if str(f.name) == label and type(f).__name__ == kind)
    return f"flt0_{view.get_filter_arg(index, view._filters[index])}"


def names_listed(page):
    """The names in a list page's name column."""
    return re.findall(r'<td class="col-(?:full_name|name)">\s*(.*?)\s*</td>', page, re.S)


# -- lists ---------------------------------------------------------------------------------------
def test_a_units_editor_lists_only_their_units_people_with_years_as_written(login_as, units, registry):
    page = login_as("editor", units["A"]).get(PEOPLE).get_data(as_text=True)
    assert sorted(names_listed(page)) == ["Dương Phương Dung", "Nguyễn Văn Hùng", "Nguyễn Văn Hùng"]
    assert "1979" in page and "1.979" not in page
    assert "Nữ" in page and "None" not in page  # a gender by its label, an unknown one as nothing
    assert "Trường Đại học Nông - Lâm Bắc Giang" in page and "Nguyễn Ngọc Vinh" not in page


def test_search_ignores_case_and_finds_people_by_their_workplace(login_as, registry):
    client = login_as("admin")
    found = names_listed(client.get(PEOPLE, query_string={"search": "DƯƠNG phương"}).get_data(as_text=True))
    assert found == ["Dương Phương Dung"]
    found = names_listed(client.get(PEOPLE, query_string={"search": "nông - lâm"}).get_data(as_text=True))
    assert found == ["Nguyễn Văn Hùng"]
    found = names_listed(client.get(ORGANISATIONS, query_string={"search": "sở y"}).get_data(as_text=True))
    assert found == ["Sở Y tế"]


@pytest.mark.parametrize("label,kind,value,expected", [
    ("Học hàm", "FilterEqual", "PGS", ["Dương Phương Dung"]),
    ("Học vị", "FilterEqual", "BSCKII", ["Nguyễn Ngọc Vinh"]),
    ("Năm sinh", "YearFilter", "1986", ["Nguyễn Văn Hùng"]),
    ("Đơn vị", "UnitFilter", "Liên hiệp hội tỉnh Phú Thọ", ["Nguyễn Ngọc Vinh"]),
    ("Đơn vị công tác", "FilterLike", "bệnh viện", ["Nguyễn Ngọc Vinh"]),
])
def test_people_filters(login_as, app, registry, label, kind, value, expected):
    page = login_as("admin").get(PEOPLE, query_string={filter_arg(app, PersonView, label, kind): value})
    assert names_listed(page.get_data(as_text=True)) == expected


def test_organisations_filter_by_kind_and_unit(login_as, app, registry):
    client = login_as("admin")
    page = client.get(ORGANISATIONS, query_string={filter_arg(app, OrganisationView, "Loại", "FilterEqual"): "truong"})
    assert names_listed(page.get_data(as_text=True)) == ["Trường Đại học Nông - Lâm Bắc Giang"]
    page = client.get(ORGANISATIONS, query_string={filter_arg(app, OrganisationView, "Đơn vị", "FilterLike"): "Phú Thọ"})
    assert names_listed(page.get_data(as_text=True)) == ["Bệnh viện Đa khoa tỉnh Phú Thọ"]


def test_the_unit_filter_offers_only_the_users_units(login_as, units, registry):
    page = login_as("editor", units["A"]).get(PEOPLE).get_data(as_text=True)
    groups = json.loads(re.search(r'id="filter-groups-data"[^>]*>(.*?)</', page, re.S)[1])
    (unit_filter,) = [f for f in groups["Đơn vị"] if f["options"]]
    assert unit_filter["options"] == [[units["A"].name, units["A"].name]]


# -- forms ---------------------------------------------------------------------------------------
def person_form(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path), "full_name": "Lê Mạnh Nghĩa", "title": "", "year_of_birth": "",
            "gender": "__None", "academic_title": "__None", "degree": "__None", "position": "", "workplace": "",
            "field": "", "email": "", "phone": ""}
    data.update(fields)
    return data


def test_an_editor_adds_a_person_whose_title_fills_its_parts(login_as, units, registry):
    client = login_as("editor", units["A"])
    data = person_form(client, f"{PEOPLE}new/", title="PGS.TS", year_of_birth="1983", gender="nam",
                       workplace=str(registry["school"].id), unit=units["A"].id)
    assert client.post(f"{PEOPLE}new/", data=data).status_code == 302
    person = Person.get(Person.full_name == "Lê Mạnh Nghĩa")
    assert (person.unit_id, person.title, person.academic_title, person.degree, person.year_of_birth,
            person.workplace_id) == (units["A"].id, "PGS.TS", "PGS", "TS", 1983, registry["school"].id)
    assert AuditLog.get(AuditLog.model == "person").action == "create"


def test_a_workplace_of_another_unit_is_refused(login_as, units, registry):
    client = login_as("editor", units["A"])
    data = person_form(client, f"{PEOPLE}new/", workplace=str(registry["hospital"].id), unit=units["A"].id)
    page = client.post(f"{PEOPLE}new/", data=data).get_data(as_text=True)
    assert "Lựa chọn này không có trong danh mục của đơn vị." in page
    admin = login_as("admin")
    data = person_form(admin, f"{PEOPLE}new/", workplace=str(registry["hospital"].id), unit=units["A"].id)
    page = admin.post(f"{PEOPLE}new/", data=data).get_data(as_text=True)
    assert "Đơn vị công tác phải là một cơ quan, tổ chức của cùng đơn vị." in page
    assert not Person.select().where(Person.full_name == "Lê Mạnh Nghĩa").exists()


def test_a_year_of_birth_in_the_future_is_refused(login_as, units):
    client = login_as("editor", units["A"])
    data = person_form(client, f"{PEOPLE}new/", year_of_birth="2031", unit=units["A"].id)
    assert "Năm sinh 2031 không hợp lệ." in client.post(f"{PEOPLE}new/", data=data).get_data(as_text=True)
    assert Person.select().count() == 0


def test_changing_the_degree_rewrites_the_title(login_as, units, registry):
    client = login_as("editor", units["A"])
    person = registry["dung"]
    path = f"{PEOPLE}edit/?id={person.id}"
    data = person_form(client, path, full_name=person.full_name, title="PGS.TS", academic_title="GS",
                       degree="TSKH", unit=units["A"].id)
    assert client.post(path, data=data).status_code == 302
    again = Person.get_by_id(person.id)
    assert (again.title, again.academic_title, again.degree) == ("GS.TSKH", "GS", "TSKH")


@pytest.mark.parametrize("title,parts,before,expected", [
    ("PGS.TS", (None, None), None, ("PGS.TS", ("PGS", "TS"))),  # new: the title names the parts
    ("", ("PGS", "TS"), None, (None, ("PGS", "TS"))),  # new: parts only, no title written
    ("TS.BS", ("PGS", None), None, ("TS.BS", ("PGS", None))),  # new: both given, as given
    ("GS.TS", ("PGS", "TS"), ("PGS.TS", ("PGS", "TS")), ("GS.TS", ("GS", "TS"))),  # title changed
    ("PGS.TS", ("GS", "TS"), ("PGS.TS", ("PGS", "TS")), ("GS.TS", ("GS", "TS"))),  # parts changed
    ("NGƯT", (None, "ThS"), ("", (None, "ThS")), ("NGƯT", (None, "ThS"))),  # names no part
])
def test_settle_titles(title, parts, before, expected):
    assert settle_titles(title, parts, before) == expected


def test_the_workplace_lookup_offers_the_units_organisations(login_as, units, registry):
    answer = login_as("editor", units["A"]).get(f"{PEOPLE}ajax/lookup/", query_string={"name": "workplace", "query": "TRƯỜNG"})
    assert [label for _, label in json.loads(answer.get_data(as_text=True))] == ["Trường Đại học Nông - Lâm Bắc Giang"]


# -- merging -------------------------------------------------------------------------------------
def choose_page(client, base, ids):
    token = csrf_token(client, base)
    return client.post(f"{base}action/", data={"action": "merge", "rowid": [str(i) for i in ids], "csrf_token": token})


def test_merging_two_people_moves_the_training_links(login_as, units, registry, kinds):
    a = units["A"]
    keep, twin = registry["hung79"], registry["hung86"]
    activity = Activity.create(unit=a, kind=kinds["Hội thảo khoa học"], title="Hội thảo", start_date=dt.date(2023, 5, 18))
    ActivitySpeaker.create(activity=activity, person=twin, position=0)
    other = Activity.create(unit=a, kind=kinds["Hội thảo khoa học"], title="Tập huấn", start_date=dt.date(2023, 6, 1))
    ActivitySpeaker.create(activity=other, person=keep, position=0)
    ActivitySpeaker.create(activity=other, person=twin, position=1)
    client = login_as("editor", a)

    page = choose_page(client, PEOPLE, [twin.id, keep.id]).get_data(as_text=True)
    assert page.count('name="keep"') == 2 and f'value="{keep.id}" id="keep-{keep.id}" checked' in page
    assert "1986" in page and "Số liên kết" in page

    token = csrf_token(client, PEOPLE)
    answer = client.post(f"{PEOPLE}merge/", data={"rowid": [keep.id, twin.id], "keep": keep.id, "csrf_token": token})
    assert answer.status_code == 302 and f"id={keep.id}" in answer.location
    assert not Person.select().where(Person.id == twin.id).exists()
    assert [s.person_id for s in ActivitySpeaker.select().where(ActivitySpeaker.activity == activity)] == [keep.id]
    assert [s.person_id for s in ActivitySpeaker.select().where(ActivitySpeaker.activity == other)] == [keep.id]
    entry = AuditLog.get(AuditLog.record_id == str(keep.id), AuditLog.action == "merge")
    assert entry.actor == "editor-bg@phoihop.test" and json.loads(entry.after)["merged_from"] == [twin.id]
    details = client.get(answer.location).get_data(as_text=True)
    cells = [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", details, re.S)]
    assert ["<b>Năm sinh</b>", "1979"] == cells[cells.index("<b>Năm sinh</b>"):][:2]
    assert ["<b>Giới tính</b>", ""] == cells[cells.index("<b>Giới tính</b>"):][:2]
    assert ["<b>Cách viết khác</b>", "Nguyễn Văn Hùng (1986)"] == cells[cells.index("<b>Cách viết khác</b>"):][:2]


def test_merging_organisations_moves_partners_and_workplaces(login_as, units, registry, kinds):
    a = units["A"]
    twin = Organisation.create(unit=a, name="Sở Y Tế Bắc Giang")
    activity = Activity.create(unit=a, kind=kinds["Hội thảo khoa học"], title="Hội thảo y tế", start_date=dt.date(2023, 5, 18))
    set_partners(activity, ["Sở Y Tế Bắc Giang", "Sở Y tế"])
    Person.update(workplace=twin).where(Person.id == registry["hung86"].id).execute()
    client = login_as("admin")
    token = csrf_token(client, ORGANISATIONS)
    answer = client.post(f"{ORGANISATIONS}merge/", data={"rowid": [registry["dept"].id, twin.id],
                                                          "keep": registry["dept"].id, "csrf_token": token})
    assert answer.status_code == 302
    assert activity.partner_names() == ["Sở Y tế"]
    assert ActivityPartner.select().count() == 1
    assert Person.get_by_id(registry["hung86"].id).workplace_id == registry["dept"].id


def test_a_viewer_may_not_merge(login_as, units, registry):
    client = login_as("viewer", units["A"])
    ids = [registry["hung79"].id, registry["hung86"].id]
    assert choose_page(client, PEOPLE, ids).status_code == 403
    token = csrf_token(client, PEOPLE)
    answer = client.post(f"{PEOPLE}merge/", data={"rowid": ids, "keep": ids[0], "csrf_token": token})
    assert answer.status_code == 403
    assert Person.select().count() == 4


def test_a_units_editor_cannot_merge_another_units_person(login_as, units, registry):
    client = login_as("editor", units["A"])
    ids = [registry["hung79"].id, registry["vinh"].id]
    assert choose_page(client, PEOPLE, ids).status_code == 404
    token = csrf_token(client, PEOPLE)
    answer = client.post(f"{PEOPLE}merge/", data={"rowid": ids, "keep": ids[0], "csrf_token": token})
    assert answer.status_code == 404
    assert Person.select().count() == 4


def test_people_of_two_units_are_not_merged(login_as, registry):
    client = login_as("admin")
    answer = choose_page(client, PEOPLE, [registry["hung79"].id, registry["vinh"].id])
    assert answer.status_code == 302
    page = client.get(answer.location).get_data(as_text=True)
    assert "Không thể gộp các bản ghi của những đơn vị khác nhau." in page
    assert Person.select().count() == 4


def test_one_record_is_not_a_merge_and_the_kept_one_must_be_among_them(login_as, units, registry):
    client = login_as("editor", units["A"])
    answer = choose_page(client, PEOPLE, [registry["hung79"].id])
    assert "Hãy chọn ít nhất hai bản ghi để gộp." in client.get(answer.location).get_data(as_text=True)
    token = csrf_token(client, PEOPLE)
    answer = client.post(f"{PEOPLE}merge/", data={"rowid": [registry["hung79"].id, registry["hung86"].id],
                                                   "keep": registry["dung"].id, "csrf_token": token})
    assert "Hãy chọn bản ghi được giữ lại." in client.get(answer.location).get_data(as_text=True)
    assert Person.select().count() == 4
