"""Login, logout, CSRF, and what anonymous visitors get."""
import pytest

from tests.conftest import PASSWORD, csrf_token, login


@pytest.mark.parametrize("path", ["/admin/", "/admin/unit/", "/admin/greeting/", "/admin/user/edit/?id=1"])
def test_anonymous_is_sent_to_login(client, path):
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


def test_login_with_right_password_opens_the_admin(client, make_user):
    make_user("a@b.vn", "admin")
    answer = login(client, "a@b.vn")
    assert answer.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, make_user):
    make_user("a@b.vn", "admin")
    answer = login(client, "a@b.vn", "sai-mat-khau")
    assert answer.status_code == 401
    assert "Sai thư điện tử hoặc mật khẩu." in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_rejected(client, make_user):
    make_user("a@b.vn", "admin")
    answer = client.post("/login", data={"email": "a@b.vn", "password": PASSWORD})
    assert answer.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_admin_form_without_csrf_token_is_rejected(login_as, app, units):
    from core.models import Unit

    client = login_as("admin")
    answer = client.post("/admin/unit/new/", data={"name": "Liên hiệp hội tỉnh Lạng Sơn"})
    assert answer.status_code == 400
    with app.app_context():
        assert Unit.select().count() == 2


def test_admin_form_with_csrf_token_creates(login_as, app, units):
    from core.models import AuditLog, Unit

    client = login_as("admin")
    token = csrf_token(client, "/admin/unit/new/")
    answer = client.post("/admin/unit/new/", data={"name": "Liên hiệp hội tỉnh Lạng Sơn", "csrf_token": token})
    assert answer.status_code == 302
    with app.app_context():
        assert Unit.select().count() == 3
        entry = AuditLog.get()
        assert (entry.actor, entry.channel, entry.action, entry.model) == ("admin@phoihop.test", "admin", "create", "unit")


def test_logout_needs_post_and_ends_the_session(login_as):
    client = login_as("admin")
    token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_login_does_not_follow_an_offsite_next(client, make_user):
    make_user("a@b.vn", "admin")
    token = csrf_token(client)
    answer = client.post("/login?next=//evil.example/", data={"email": "a@b.vn", "password": PASSWORD, "csrf_token": token})
    assert answer.headers["Location"] == "/admin/"
