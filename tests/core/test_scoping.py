"""Unit scoping: a user of unit A never sees or touches unit B's records."""
import pytest

from tests.conftest import csrf_token


@pytest.fixture
def greetings(app, units):
    from phoihop_hello import Greeting

    with app.app_context():
        return {
            "A": Greeting.create(unit=units["A"], text="Chào Bắc Giang"),
            "B": Greeting.create(unit=units["B"], text="Chào Phú Thọ"),
        }


def test_editor_list_shows_only_their_unit(login_as, units, greetings):
    page = login_as("editor", units["A"]).get("/admin/greeting/").get_data(as_text=True)
    assert "Chào Bắc Giang" in page
    assert "Chào Phú Thọ" not in page


@pytest.mark.parametrize("view", ["edit", "details"])
def test_editor_gets_404_for_another_units_record_by_url(login_as, units, greetings, view):
    client = login_as("editor", units["A"])
    assert client.get(f"/admin/greeting/{view}/?id={greetings['B'].id}").status_code == 404
    assert client.get(f"/admin/greeting/{view}/?id={greetings['A'].id}").status_code == 200


def test_editor_cannot_post_an_edit_to_another_units_record(login_as, app, units, greetings):
    from phoihop_hello import Greeting

    client = login_as("editor", units["A"])
    token = csrf_token(client, f"/admin/greeting/edit/?id={greetings['A'].id}")
    answer = client.post(f"/admin/greeting/edit/?id={greetings['B'].id}",
                         data={"text": "bị sửa", "unit": units["B"].id, "csrf_token": token})
    assert answer.status_code == 404
    with app.app_context():
        assert Greeting.get_by_id(greetings["B"].id).text == "Chào Phú Thọ"


def test_export_holds_only_the_users_unit(login_as, units, greetings):
    body = login_as("viewer", units["A"]).get("/admin/greeting/export/csv/").get_data(as_text=True)
    assert "Chào Bắc Giang" in body
    assert "Chào Phú Thọ" not in body


def test_created_record_lands_in_the_users_unit_whatever_the_form_says(login_as, app, units):
    from phoihop_hello import Greeting

    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/greeting/new/")
    answer = client.post("/admin/greeting/new/", data={"text": "Mới", "unit": units["B"].id, "csrf_token": token})
    assert answer.status_code in (200, 302)
    with app.app_context():
        assert [(g.text, g.unit_id) for g in Greeting.select().where(Greeting.text == "Mới")] in ([], [("Mới", units["A"].id)])
        assert Greeting.select().where(Greeting.unit == units["B"].id).count() == 0


def test_form_offers_only_the_users_unit(login_as, units):
    page = login_as("editor", units["A"]).get("/admin/greeting/new/").get_data(as_text=True)
    assert units["A"].name in page
    assert units["B"].name not in page


def test_scoped_admin_bulk_delete_of_another_units_record_is_refused(login_as, app, units, greetings):
    from phoihop_hello import Greeting

    client = login_as("admin", units["A"])
    token = csrf_token(client, "/admin/greeting/")
    answer = client.post("/admin/greeting/action/", data={
        "action": "delete", "rowid": [greetings["A"].id, greetings["B"].id], "csrf_token": token,
    })
    assert answer.status_code == 404
    with app.app_context():
        assert Greeting.select().count() == 2


def test_scoped_admin_deletes_own_record(login_as, app, units, greetings):
    from phoihop_hello import Greeting

    client = login_as("admin", units["A"])
    token = csrf_token(client, "/admin/greeting/")
    answer = client.post("/admin/greeting/delete/", data={"id": greetings["A"].id, "csrf_token": token})
    assert answer.status_code == 302
    with app.app_context():
        assert [g.text for g in Greeting.select()] == ["Chào Phú Thọ"]


def test_scoped_admin_bulk_deletes_own_records(login_as, app, units, greetings):
    from phoihop_hello import Greeting

    client = login_as("admin", units["A"])
    token = csrf_token(client, "/admin/greeting/")
    answer = client.post("/admin/greeting/action/", data={"action": "delete", "rowid": [greetings["A"].id], "csrf_token": token})
    assert answer.status_code == 302
    with app.app_context():
        assert [g.text for g in Greeting.select()] == ["Chào Phú Thọ"]


def test_viewer_cannot_create_or_edit(login_as, units, greetings):
    client = login_as("viewer", units["A"])
    assert client.get("/admin/greeting/new/").status_code == 403
    assert client.get(f"/admin/greeting/edit/?id={greetings['A'].id}").status_code == 403
    assert client.get("/admin/greeting/").status_code == 200


def test_editor_cannot_delete(login_as, units, greetings):
    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/greeting/")
    assert client.post("/admin/greeting/delete/", data={"id": greetings["A"].id, "csrf_token": token}).status_code == 403


def test_scoped_user_sees_only_their_own_unit(login_as, units):
    page = login_as("viewer", units["A"]).get("/admin/unit/").get_data(as_text=True)
    assert units["A"].name in page and units["B"].name not in page


def test_only_admins_open_the_users_view(login_as, units):
    assert login_as("editor", units["A"]).get("/admin/user/").status_code == 403


def test_unscoped_admin_sees_every_unit(login_as, units, greetings):
    page = login_as("admin").get("/admin/greeting/").get_data(as_text=True)
    assert "Chào Bắc Giang" in page and "Chào Phú Thọ" in page
