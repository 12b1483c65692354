"""The admin of the coordination area (plugins/coordination/views.py): the agreements with
their flags and filters, the form's checks, the partners page, the yearly items, and unit
scoping — on SQLite and PostgreSQL."""
import datetime as dt
import html
import re

import pytest

from tests.conftest import csrf_token
from tests.plugins.coordination.conftest import sample_copy, sync_book

D = dt.date


@pytest.fixture
def sample_db(app, units, tmp_path, today):
    """The sample register synced into unit A (Bắc Giang), and one agreement of unit B."""
    from plugins.coordination.links import link_partners
    from plugins.coordination.models import Agreement, AgreementKind, ensure_lists

    with app.app_context():
        sync_book(app, sample_copy(tmp_path), units["A"])
        ensure_lists()
        other = Agreement.create(unit=units["B"], partners_text="Sở Y tế Phú Thọ", number="99/QCPH-PT",
                                 kind=AgreementKind.get(AgreementKind.name == "Quy chế phối hợp"),
                                 signed_on=D(2022, 1, 10), review_months=12)
        link_partners([(other, ["Sở Y tế Phú Thọ"])])
        return other.id


def view_of(app, endpoint):
    return next(v for v in app.extensions["phoihop_admin"]._views if getattr(v, "endpoint", "") == endpoint)


def filter_index(app, name, operation=None):
    view = view_of(app, "coordination_agreement")
    return next(i for i, f in enumerate(view._filters)
                if str(f.name) == name and (operation is None or str(f.operation()) == operation))


def records_on(page):
    return len(set(re.findall(r"/admin/coordination_agreement/details/\?id=\d+", page)))


def test_the_list_shows_each_agreements_flags(sample_db, login_as):
    page = login_as("viewer").get("/admin/coordination_agreement/?page_size=50").get_data(as_text=True)
    assert "45/CTrPH-SYT-LHH" in page and "hết hiệu lực; chưa có hoạt động phối hợp" in page
    assert "Cảnh báo" in page and "Đối tác phối hợp" in page  # the column and the tab to the partners page


# the sample's (samples/README.md) and unit B's agreement, reviewed never since 10/01/2022
@pytest.mark.parametrize("flag,expected", [("chưa sơ kết", 8 + 1), ("hết hiệu lực", 1), ("chưa có hoạt động phối hợp", 17)])
def test_each_flag_is_a_filter(app, sample_db, login_as, flag, expected):
    index = filter_index(app, "Cảnh báo")
    page = login_as("viewer").get(f"/admin/coordination_agreement/?flt0_{index}={flag}&page_size=50")
    assert records_on(page.get_data(as_text=True)) == expected


def test_the_partner_filter_finds_a_partner_of_a_two_partner_programme(app, sample_db, login_as):
    index = filter_index(app, "Đối tác")
    page = login_as("viewer").get(f"/admin/coordination_agreement/?flt0_{index}=Tỉnh đoàn").get_data(as_text=True)
    assert records_on(page) == 1 and "125/CTrPH-SGDĐT-TĐ-LHH" in page


def test_the_kind_filter(app, sample_db, login_as):
    index = filter_index(app, "Loại văn bản", "equals")
    page = login_as("viewer").get(f"/admin/coordination_agreement/?flt0_{index}=Thỏa thuận hợp tác")
    assert records_on(page.get_data(as_text=True)) == 3


def test_an_editor_of_one_unit_sees_only_its_agreements(app, sample_db, units, login_as):
    client = login_as("editor", units["B"])
    page = client.get("/admin/coordination_agreement/?page_size=50").get_data(as_text=True)
    assert records_on(page) == 1 and "99/QCPH-PT" in page


def test_an_editor_of_one_unit_cannot_open_another_units_agreement(app, sample_db, units, login_as):
    from plugins.coordination.models import Agreement

    with app.app_context():
        key = Agreement.get(Agreement.number == "01/QCPH-LHH-SKHCN").id
    assert login_as("editor", units["B"]).get(f"/admin/coordination_agreement/details/?id={key}").status_code == 404


def form(token, unit, **changes):
    from plugins.coordination.models import AgreementKind, ensure_lists

    ensure_lists()
    kind = AgreementKind.get(AgreementKind.name == "Quy chế phối hợp").id
    data = {"csrf_token": token, "unit": str(unit.id), "partners_text": "Sở Công Thương", "kind": str(kind), "number": "08/QCPH-SCT",
            "signed_on": "01/03/2023", "valid_until": "", "areas": "", "modes": "Theo từng năm",
            "review_months": "12", "last_review_on": "", "conclusions": "", "funding": "", "notes": "",
            "in_province": "y"}
    data.update(changes)
    return data


def test_the_form_refuses_valid_until_before_signing_in_the_sheets_words(app, units, login_as, today):
    from plugins.coordination.models import Agreement

    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/coordination_agreement/new/")
    with app.app_context():
        data = form(token, units["A"], valid_until="01/01/2023")
    page = client.post("/admin/coordination_agreement/new/", data=data)
    assert "Hiệu lực đến (01/01/2023) trước ngày ký (01/03/2023)" in page.get_data(as_text=True)
    with app.app_context():
        assert not Agreement.select().exists()


def test_the_form_refuses_an_unknown_mode(app, units, login_as, today):
    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/coordination_agreement/new/")
    with app.app_context():
        data = form(token, units["A"], modes="Theo quý")
    page = client.post("/admin/coordination_agreement/new/", data=data)
    assert 'Phương thức "Theo quý" không thuộc danh sách: Theo nhiệm vụ cấp trên giao' in html.unescape(
        page.get_data(as_text=True))


def test_the_form_needs_a_partner_and_a_kind_as_the_sheet_does(app, units, login_as, today):
    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/coordination_agreement/new/")
    with app.app_context():
        data = form(token, units["A"], partners_text=" ; ", kind="__None")
    page = client.post("/admin/coordination_agreement/new/", data=data).get_data(as_text=True)
    assert "Cần ít nhất một đối tác" in page and "Chọn loại văn bản" in page


def test_an_agreement_made_in_the_admin_links_its_partners_in_the_users_unit(app, units, login_as, today):
    from plugins.coordination.links import partners_of
    from plugins.coordination.models import Agreement

    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/coordination_agreement/new/")
    with app.app_context():
        data = form(token, units["A"], partners_text="Sở Công Thương\nHội Nông dân tỉnh", modes="hằng năm")
    answer = client.post("/admin/coordination_agreement/new/", data=data)
    assert answer.status_code == 302
    with app.app_context():
        agreement = Agreement.get()
        assert (agreement.unit_id, agreement.modes) == (units["A"].id, "Theo từng năm")
        assert [name for _id, name in partners_of([agreement.id])[agreement.id]] == ["Sở Công Thương", "Hội Nông dân tỉnh"]


def test_the_partners_page_lists_each_partner_with_its_status(sample_db, login_as):
    page = login_as("viewer").get("/admin/coordination_agreement/partners/").get_data(as_text=True)
    assert "Tỉnh đoàn" in page and "125/CTrPH-SGDĐT-TĐ-LHH" in page
    assert "Sở Y tế Phú Thọ" in page  # an unscoped viewer sees both units


def test_the_partners_page_of_a_unit_shows_only_its_partners(sample_db, units, login_as):
    page = login_as("viewer", units["B"]).get("/admin/coordination_agreement/partners/").get_data(as_text=True)
    assert "Sở Y tế Phú Thọ" in page and "Tỉnh đoàn" not in page


def test_the_partners_page_counts_joint_activities_per_area_in_the_years_asked(app, sample_db, units, login_as):
    from plugins.training.models import Activity, ensure_kinds, set_partners

    with app.app_context():
        ensure_kinds()
        set_partners(Activity.create(unit=units["A"], kind=1, title="Tập huấn", start_date=D(2021, 5, 4)), ["Tỉnh đoàn"])
    client = login_as("viewer", units["A"])
    page = client.get("/admin/coordination_agreement/partners/?from=2021&to=2021").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td><a[^>]*>Tỉnh đoàn</a></td>(.*?)</tr>", page, flags=re.S).group(1)
    assert "Tập huấn, hội thảo" in page and re.findall(r'<td class="text-right">(\d+)</td>', row) == ["1", "1"]


def test_the_partners_page_escapes_names_from_the_sheet(app, units, login_as, today):
    from plugins.coordination.links import link_partners
    from plugins.coordination.models import Agreement

    with app.app_context():
        agreement = Agreement.create(unit=units["A"], partners_text="<script>x</script>", number="<b>1</b>")
        link_partners([(agreement, ["<script>x</script>"])])
    page = login_as("viewer").get("/admin/coordination_agreement/partners/").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_a_yearly_item_takes_its_agreements_unit(app, sample_db, units, login_as):
    from plugins.coordination.models import Agreement, AgreementItem

    with app.app_context():
        agreement = Agreement.get(Agreement.number == "01/QCPH-LHH-SKHCN")
    client = login_as("editor")
    token = csrf_token(client, "/admin/coordination_item/new/")
    answer = client.post("/admin/coordination_item/new/", data={
        "csrf_token": token, "agreement": str(agreement.id), "year": "2023", "content": "Hội thảo chuyển đổi số",
        "done": "y", "notes": ""})
    assert answer.status_code == 302
    with app.app_context():
        item = AgreementItem.get()
        assert (item.unit_id, item.done, item.year) == (units["A"].id, True, 2023)


def test_the_items_list_costs_the_same_queries_for_one_or_many_items(app, sample_db, units, login_as, monkeypatch):
    from core.db import database
    from plugins.coordination.models import Agreement, AgreementItem

    client = login_as("viewer")

    def queries():
        seen = []
        original = database.obj.execute_sql
        monkeypatch.setattr(database.obj, "execute_sql", lambda sql, *a, **k: seen.append(sql) or original(sql, *a, **k))
        assert client.get("/admin/coordination_item/").status_code == 200
        monkeypatch.undo()
        return len(seen)

    with app.app_context():
        agreements = list(Agreement.select().where(Agreement.unit == units["A"].id).limit(5))
        AgreementItem.create(unit=units["A"], agreement=agreements[0], year=2023, content="Một")
    few = queries()
    with app.app_context():
        for n, agreement in enumerate(agreements):
            AgreementItem.create(unit=units["A"], agreement=agreement, year=2022, content=f"Nội dung {n}")
    assert queries() == few


def test_the_agreements_list_costs_the_same_queries_for_few_or_many_agreements(app, units, login_as, monkeypatch, today):
    from core.db import database
    from plugins.coordination.links import link_partners
    from plugins.coordination.models import Agreement

    client = login_as("viewer")

    def add(count):
        with app.app_context():
            made = [Agreement.create(unit=units["A"], partners_text=f"Đối tác {n}", number=f"{n}/QCPH",
                                     signed_on=D(2022, 1, 1), review_months=12) for n in range(count)]
            link_partners([(agreement, [agreement.partners_text, "Sở Y tế"]) for agreement in made])

    def queries():
        seen = []
        original = database.obj.execute_sql
        monkeypatch.setattr(database.obj, "execute_sql", lambda sql, *a, **k: seen.append(sql) or original(sql, *a, **k))
        assert client.get("/admin/coordination_agreement/").status_code == 200
        monkeypatch.undo()
        return len(seen)

    add(1)
    few = queries()
    add(20)
    assert queries() == few


def test_an_agreements_page_shows_its_flags_partners_activities_and_yearly_items(app, sample_db, units, login_as):
    from plugins.coordination.models import Agreement, AgreementItem
    from plugins.training.models import Activity, ensure_kinds, set_partners

    with app.app_context():
        agreement = Agreement.get(Agreement.number == "125/CTrPH-SGDĐT-TĐ-LHH")
        ensure_kinds()
        set_partners(Activity.create(unit=units["A"], kind=1, title="Tập huấn", start_date=D(2023, 5, 4)),
                     ["Sở Giáo dục và Đào tạo"])
        set_partners(Activity.create(unit=units["A"], kind=1, title="Hội thảo", start_date=D(2021, 5, 4)),
                     ["Sở Giáo dục và Đào tạo"])
        AgreementItem.create(unit=units["A"], agreement=agreement, year=2023, content="Cuộc thi sáng tạo", done=False)
    page = login_as("viewer").get(f"/admin/coordination_agreement/details/?id={agreement.id}").get_data(as_text=True)
    joint = page.split('id="joint"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>Sở Giáo dục và Đào tạo</td>\s*<td class=\"text-right\">1 / 2</td>", joint)
    assert "chưa có hoạt động phối hợp: Tỉnh đoàn" in page.split('id="flags"', 1)[1]
    assert "Cuộc thi sáng tạo" in page.split('id="items"', 1)[1] and "Chưa" in page.split('id="items"', 1)[1]
