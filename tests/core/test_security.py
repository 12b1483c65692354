"""Web hardening (issue 9): escaping, redirects, login throttling, sessions, timing,
cookies and headers, production serving. Roles are in test_security_roles.py, bad input
in test_security_fuzz.py."""
import re
import subprocess
import sys
import time

import pytest

from tests.conftest import PASSWORD, csrf_token, login

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]

PAYLOAD = "<img src=x onerror=alert(document.cookie)>"
SHORT_PAYLOAD = "<img src=x onerror=alert(1)>"  # fits a worksheet name (31 characters)


def make_app(db_url, pm, **settings):
    """Another app on the test database (another process, or other settings)."""
    from core import create_app
    from core.schema import upgrade

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test", "TESTING": True, **settings}, plugin_manager=pm)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
    return app


def escaped_everywhere(page, payload=PAYLOAD):
    """The payload is shown as text, never as markup."""
    assert payload not in page
    assert "<img" not in page.lower()


# -- 1. stored XSS --------------------------------------------------------------------------
@pytest.fixture
def hostile_sheets(app, units, tmp_path):
    """Bindings, a sync log, a conflict and an audit entry whose every sheet-derived field
    is an HTML payload; returns the bindings to sync."""
    from core.models import AuditLog, Organisation
    from sheets.models import Binding, Conflict, SyncLog
    from sheets.xlsx import XlsxBackend

    headers = tmp_path / "tieu-de.xlsx"
    XlsxBackend.create(headers, {SHORT_PAYLOAD: [["Danh sách"], [PAYLOAD, "STT"], [PAYLOAD, 1]]})
    missing = tmp_path / "thieu-trang.xlsx"
    XlsxBackend.create(missing, {"Trang khác": [["x"]]})
    unit = units["A"]
    with app.app_context():
        Unit = type(unit)
        Unit.update(name=PAYLOAD).where(Unit.id == unit.id).execute()
        organisation = Organisation.create(unit=unit, name=PAYLOAD)
        AuditLog.record(actor=PAYLOAD, channel="cli", action="create", instance=organisation, after={"name": PAYLOAD})
        renamed_header = Binding.create(name="training.activities", source=str(headers), worksheet=SHORT_PAYLOAD, unit=unit)
        renamed_sheet = Binding.create(name="training.activities", source=str(missing), worksheet=SHORT_PAYLOAD + " ", unit=unit)
        unknown = Binding.create(name=PAYLOAD, source=str(missing), worksheet=PAYLOAD, unit=unit)
        SyncLog.create(binding=renamed_header, unit=unit, direction="both", outcome="errors", message=PAYLOAD, summary={
            "created": 0, "errors": [{"row": 3, "column": PAYLOAD, "value": PAYLOAD, "message": PAYLOAD}],
            "conflicts": [{"column": PAYLOAD, "sheet": PAYLOAD, "database": PAYLOAD}],
        })
        Conflict.create(binding=renamed_header, unit=unit, key=PAYLOAD, field="title", header=PAYLOAD,
                        base_value=PAYLOAD, sheet_value=PAYLOAD, db_value=PAYLOAD)
        return [renamed_header, renamed_sheet, unknown]


def test_sync_now_flashes_sheet_data_as_text(login_as, hostile_sheets):
    client = login_as("admin")
    token = csrf_token(client, "/admin/binding/")
    answer = client.post("/admin/binding/action/", follow_redirects=True, data={
        "action": "sync", "rowid": [b.id for b in hostile_sheets], "csrf_token": token,
    })
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    # three flashes, each quoting sheet data as text: a renamed header, a renamed worksheet,
    # an unknown binding
    alerts = re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, flags=re.S)
    assert len(alerts) == 3, alerts
    assert all("&lt;img src=x onerror=alert(" in alert for alert in alerts), alerts
    escaped_everywhere(page)
    escaped_everywhere(page, SHORT_PAYLOAD)


def test_every_page_shows_sheet_data_as_text(app, login_as, hostile_sheets):
    from core.models import AuditLog, Organisation
    from sheets.models import Conflict, SyncLog

    with app.app_context():
        ids = {"synclog": SyncLog.get().id, "conflict": Conflict.get().id, "auditlog": AuditLog.get().id,
               "organisation": Organisation.get().id, "binding": hostile_sheets[2].id}
    client = login_as("admin")
    pages = ["/admin/", "/admin/unit/", "/admin/binding/", "/admin/synclog/", "/admin/conflict/",
             "/admin/auditlog/", "/admin/organisation/", "/admin/person/new/"]
    pages += [f"/admin/{endpoint}/details/?id={key}" for endpoint, key in ids.items()]
    pages += [f"/admin/organisation/edit/?id={ids['organisation']}", f"/admin/binding/edit/?id={ids['binding']}"]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, path
        page = answer.get_data(as_text=True)
        escaped_everywhere(page)
        escaped_everywhere(page, SHORT_PAYLOAD)
    assert "&lt;img" in client.get(f"/admin/synclog/details/?id={ids['synclog']}").get_data(as_text=True)


def test_a_flashed_lazy_string_is_stored_as_plain_text(app):
    from flask import flash, get_flashed_messages
    from flask_babel import lazy_gettext
    from markupsafe import Markup

    with app.test_request_context():
        flash(lazy_gettext("%(binding)s: failed — %(message)s", binding=PAYLOAD, message="x"), "error")
        [(category, message)] = get_flashed_messages(with_categories=True)
    assert category == "error" and type(message) is str and not isinstance(message, Markup)


# -- 2. open redirects ---------------------------------------------------------------------------
OFFSITE = [
    "/%09/evil.example", "/%0a/x", "/%0d%0a/x", "//evil.example", "///evil.example", "/\\evil.example",
    "/%5Cevil.example", "\\\\evil.example", "https://evil.example/", "http:evil.example", "javascript:alert(1)",
    "evil.example", "/%2F/evil.example", "/%252F%252Fevil.example", "/%00/x", "/%E2%80%8B/evil.example",
    "%2F%2Fevil.example",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_language_switch_stays_on_site(client, target):
    answer = client.get(f"/lang/vi?next={target}")
    assert answer.status_code in (302, 400)
    if answer.status_code == 302:
        assert answer.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", OFFSITE)
def test_login_stays_on_site(client, make_user, target):
    make_user("a@b.vn", "admin")
    token = csrf_token(client)
    answer = client.post(f"/login?next={target}", data={"email": "a@b.vn", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code in (302, 400)
    if answer.status_code == 302:
        assert answer.headers["Location"] == "/admin/"


def test_a_same_site_path_is_followed(client, make_user):
    assert client.get("/lang/en?next=/admin/unit/%3Fpage%3D1").headers["Location"] == "/admin/unit/?page=1"
    make_user("a@b.vn", "admin")
    token = csrf_token(client)
    answer = client.post("/login?next=/admin/unit/", data={"email": "a@b.vn", "password": PASSWORD, "csrf_token": token})
    assert answer.headers["Location"] == "/admin/unit/"


@pytest.mark.parametrize("target", ["/%0a/x", "//evil.example", "/\\evil.example"])
def test_flask_admin_return_address_stays_on_site(app, login_as, units, target):
    client = login_as("admin")
    token = csrf_token(client, "/admin/person/new/")
    answer = client.post(f"/admin/person/new/?url={target}", data={
        "full_name": "Trần Văn Bình", "unit": units["A"].id, "csrf_token": token,
    })
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/person/"


def test_safe_next_is_the_one_check():
    from core.security import is_safe_path

    assert is_safe_path("/admin/unit/?page=2")
    assert not any(is_safe_path(t) for t in ["", None, "//x", "/\\x", "/\tx", "https://x", "/%0ax", "x/y"])


# -- 4. login throttling -----------------------------------------------------------------------
def post_login(client, email, password, **kwargs):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs)


def test_forty_wrong_passwords_then_the_right_one_is_refused(app, client, make_user):
    make_user("a@b.vn", "admin")
    codes = [post_login(client, "a@b.vn", f"sai-{n}").status_code for n in range(40)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    answer = post_login(client, "a@b.vn", PASSWORD)
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert "đăng nhập sai quá nhiều lần" in answer.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_the_lock_holds_for_every_address_and_process(app, client, make_user, db_url, pm):
    make_user("a@b.vn", "admin")
    for n in range(5):
        post_login(client, "a@b.vn", f"sai-{n}")
    other_process = make_app(db_url, pm).test_client()  # its own rate-limit memory
    answer = post_login(other_process, "a@b.vn", PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert answer.status_code == 429


def test_the_lock_ends_and_the_next_one_lasts_twice_as_long(app, client, make_user):
    from core.models import LoginFailure

    make_user("a@b.vn", "admin")
    for n in range(5):
        post_login(client, "a@b.vn", f"sai-{n}")
    with app.app_context():
        first = LoginFailure.get()
        assert (first.locked_until - first.last_failure_at).total_seconds() == 60
        LoginFailure.update(locked_until=first.last_failure_at).execute()  # the minute has passed
    elsewhere = {"REMOTE_ADDR": "10.0.0.2"}  # this address has used up its own rate
    for n in range(5):
        assert post_login(client, "a@b.vn", f"sai-{n}", environ_base=elsewhere).status_code == 401
    with app.app_context():
        second = LoginFailure.get()
        assert second.lockouts == 2 and (second.locked_until - second.last_failure_at).total_seconds() == 120
        LoginFailure.update(locked_until=second.last_failure_at).execute()
    assert post_login(client, "a@b.vn", PASSWORD, environ_base=elsewhere).status_code == 302
    with app.app_context():
        assert LoginFailure.select().count() == 0  # a good login forgets the failures


def test_an_unknown_email_locks_like_a_known_one(client, make_user):
    make_user("a@b.vn", "admin")
    known = [post_login(client, "a@b.vn", "sai").status_code for _ in range(6)]
    unknown = [post_login(client, "khong-co@b.vn", "sai").status_code for _ in range(6)]
    assert known == unknown == [401] * 5 + [429]


def test_failed_logins_from_one_address_are_limited(db_url, pm):
    from core.db import database

    app = make_app(db_url, pm, LOGIN_ADDRESS_LIMIT="3 per minute")
    try:
        client = app.test_client()
        codes = [post_login(client, f"nguoi{n}@b.vn", "sai").status_code for n in range(4)]
        assert codes == [401, 401, 401, 429]
        assert "từ địa chỉ này" in post_login(client, "nguoi9@b.vn", "sai").get_data(as_text=True)
        assert post_login(client, "nguoi9@b.vn", "sai", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 401
    finally:
        database.close()


def test_successful_logins_do_not_count_against_the_address(db_url, pm):
    from core.db import database
    from core.users import create_user

    app = make_app(db_url, pm, LOGIN_ADDRESS_LIMIT="2 per minute")
    try:
        with app.app_context():
            create_user("a@b.vn", PASSWORD, "admin")
        codes = [post_login(app.test_client(), "a@b.vn", PASSWORD).status_code for _ in range(4)]
        assert codes == [302] * 4
    finally:
        database.close()


def test_login_settings_come_from_the_environment(monkeypatch, db_url, pm):
    from core.db import database
    from core.errors import ConfigError

    monkeypatch.setenv("PHOIHOP_LOGIN_MAX_FAILURES", "2")
    app = make_app(db_url, pm)
    try:
        client = app.test_client()
        assert [post_login(client, "x@b.vn", "sai").status_code for _ in range(3)] == [401, 401, 429]
    finally:
        database.close()
    monkeypatch.setenv("PHOIHOP_LOGIN_MAX_FAILURES", "năm")
    with pytest.raises(ConfigError, match="PHOIHOP_LOGIN_MAX_FAILURES"):
        make_app(db_url, pm)


# -- 5. sessions that end -----------------------------------------------------------------------------
def session_cookie(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A new browser that presents a captured session cookie: does it get in?"""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/admin/").status_code == 200


def test_a_cookie_replayed_after_logout_is_refused(app, client, make_user):
    make_user("a@b.vn", "editor")
    login(client, "a@b.vn")
    cookie = session_cookie(client)
    assert replay(app, cookie)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert not replay(app, cookie)


def edit_user(admin_client, user, **changes):
    values = {"email": user.email, "role": user.role, "unit": user.unit_id or "__None", "active": "y", "password": ""}
    values.update(changes)
    if values["active"] is None:
        del values["active"]
    token = csrf_token(admin_client, f"/admin/user/edit/?id={user.id}")
    answer = admin_client.post(f"/admin/user/edit/?id={user.id}", data={**values, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)


CHANGES = {
    "password": lambda units: {"password": "mat-khau-moi-123"},
    "role": lambda units: {"role": "viewer"},
    "unit": lambda units: {"unit": units["A"].id},
    "deactivated": lambda units: {"active": None},
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_cookie_replayed_after_a_change_to_the_user_is_refused(app, units, make_user, change):
    user = make_user("a@b.vn", "editor")
    make_user("admin@b.vn", "admin")
    own = app.test_client()
    login(own, "a@b.vn")
    cookie = session_cookie(own)
    admin = app.test_client()
    login(admin, "admin@b.vn")
    edit_user(admin, user)  # saving without a change ends nothing
    assert replay(app, cookie)
    edit_user(admin, user, **CHANGES[change](units))
    assert not replay(app, cookie)


def test_an_admin_who_changes_their_own_password_stays_in_but_other_sessions_end(app, make_user):
    from core.models import User

    me = make_user("admin@b.vn", "admin")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "admin@b.vn")
    login(elsewhere, "admin@b.vn")
    other_cookie = session_cookie(elsewhere)
    with app.app_context():
        me = User.get_by_id(me.id)
    edit_user(here, me, password="mat-khau-moi-123")
    assert here.get("/admin/").status_code == 200
    assert not replay(app, other_cookie)
    assert login(app.test_client(), "admin@b.vn", "mat-khau-moi-123").status_code == 302


# -- 6. no user enumeration by timing ----------------------------------------------------------------
def test_the_password_hash_is_checked_for_unknown_and_inactive_users(app, client, make_user, monkeypatch):
    import core.auth
    from core.models import User

    real = make_user("a@b.vn", "editor")
    checked = []
    original = core.auth.check_password_hash
    monkeypatch.setattr(core.auth, "check_password_hash", lambda h, p: checked.append(h) or original(h, p))
    make_user("nghi@b.vn", "editor")
    with app.app_context():
        User.update(active=False).where(User.email == "nghi@b.vn").execute()
    for email in ("khong-co@b.vn", "nghi@b.vn", "a@b.vn"):
        assert post_login(client, email, "sai-mat-khau").status_code == 401
    assert checked[:2] == [core.auth.dummy_hash()] * 2 and checked[2] == real.password_hash
    # the dummy hash costs what a real one does: same method and parameters
    assert core.auth.dummy_hash().split("$")[0] == real.password_hash.split("$")[0]
    assert post_login(client, "nghi@b.vn", PASSWORD).status_code == 401  # inactive: refused even so


# -- 7. cookies and headers ------------------------------------------------------------------------------
HTTPS_REFERER = {"Referer": "https://localhost/login"}  # Flask-WTF checks it on https


def login_cookie_header(client, email="a@b.vn", **kwargs):
    token = csrf_token(client)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, **kwargs)
    assert answer.status_code == 302
    return [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("session=")][0]


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(app, make_user):
    make_user("a@b.vn", "admin")
    plain = login_cookie_header(app.test_client())
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = login_cookie_header(app.test_client(), base_url="https://localhost", headers=HTTPS_REFERER)
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure
    # without PROXY_FIX a forwarded header is not believed
    spoofed = login_cookie_header(app.test_client(), headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in spoofed


def test_behind_a_proxy_the_forwarded_scheme_and_address_count(db_url, pm):
    from core.db import database

    app = make_app(db_url, pm, PROXY_FIX="1", LOGIN_ADDRESS_LIMIT="1 per minute")
    try:
        with app.app_context():
            from core.users import create_user

            create_user("a@b.vn", PASSWORD, "admin")
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", **HTTPS_REFERER}
        assert "Secure" in login_cookie_header(app.test_client(), headers=forwarded)
        client = app.test_client()
        one = {"X-Forwarded-For": "203.0.113.7"}
        assert post_login(client, "x@b.vn", "sai", headers=one).status_code == 401
        assert post_login(client, "x@b.vn", "sai", headers=one).status_code == 429
        assert post_login(client, "y@b.vn", "sai", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 401
    finally:
        database.close()


def test_session_cookie_secure_can_be_forced(db_url, pm):
    from core.db import database

    app = make_app(db_url, pm, SESSION_COOKIE_SECURE="true")
    try:
        with app.app_context():
            from core.users import create_user

            create_user("a@b.vn", PASSWORD, "admin")
        assert "Secure" in login_cookie_header(app.test_client())
    finally:
        database.close()


def csp(answer):
    return dict(part.strip().split(" ", 1) for part in answer.headers["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("path", ["/login", "/admin/", "/admin/greeting/", "/admin/greeting/new/", "/admin/binding/"])
def test_pages_send_the_security_headers_and_satisfy_their_csp(app, units, login_as, path):
    from phoihop_hello import Greeting

    with app.app_context():
        Greeting.create(unit=units["A"], text="Xin chào")
    client = login_as("admin")
    answer = client.get(path)
    assert answer.status_code == 200
    headers = answer.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = csp(answer)
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    page = answer.get_data(as_text=True)
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", page):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag  # inline code carries the nonce
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"\sstyle\s*=", page), "inline style attribute"


def test_the_delete_and_bulk_actions_keep_working_without_inline_handlers(app, units, login_as):
    from phoihop_hello import Greeting

    with app.app_context():
        Greeting.create(unit=units["A"], text="Xin chào")
    page = login_as("admin").get("/admin/greeting/").get_data(as_text=True)
    assert 'data-phoihop-confirm="' in page and 'data-phoihop-action="delete"' in page
    assert "window.modelActions.execute" in page


# -- 9. production serving --------------------------------------------------------------------------------
def test_production_serving_needs_a_secret_key(runner, monkeypatch):
    monkeypatch.delenv("PHOIHOP_SECRET_KEY", raising=False)
    monkeypatch.delenv("PHOIHOP_CONFIG", raising=False)
    result = runner("serve", "--production")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Lỗi: phoihop serve --production cần PHOIHOP_SECRET_KEY (một chuỗi ngẫu nhiên dài, giữ bí mật)."
    ]


def test_production_serving_uses_waitress(runner, monkeypatch):
    import waitress

    served = []
    monkeypatch.setenv("PHOIHOP_SECRET_KEY", "khoa-bi-mat-du-dai")
    monkeypatch.setattr(waitress, "serve", lambda app, **options: served.append((app, options)))
    result = runner("serve", "--production", "--host", "127.0.0.1", "--port", "8080", "--threads", "4")
    assert result.exit_code == 0, result.output
    [(app, options)] = served
    assert options == {"host": "127.0.0.1", "port": 8080, "threads": 4, "ident": "phoihop",
                       "clear_untrusted_proxy_headers": True}
    assert app.config["SECRET_KEY"] == "khoa-bi-mat-du-dai"


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_production_server_answers_behind_a_tls_proxy(app, make_user, db_url):
    """`phoihop serve --production` for real: waitress, ProxyFix, a Secure cookie."""
    import os
    import urllib.error
    import urllib.request

    make_user("a@b.vn", "admin")
    port = free_port()
    env = {**os.environ, "PHOIHOP_SECRET_KEY": "khoa-bi-mat-du-dai", "PHOIHOP_PROXY_FIX": "1"}
    env.pop("PHOIHOP_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "--db", db_url, "serve", "--production", "--port", str(port)],
        cwd=str(REPO),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/login", headers={"X-Forwarded-Proto": "https"})
        answer = None
        for _attempt in range(1000):  # wait until it listens (bounded: 20 s)
            try:
                answer = urllib.request.urlopen(request, timeout=5)
                break
            except urllib.error.URLError:
                if server.poll() is not None:
                    break
                time.sleep(0.02)
        assert answer is not None, server.communicate(timeout=5)[0]
        assert answer.status == 200
        assert answer.headers["Server"] == "phoihop"
        assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]
        assert "max-age=" in answer.headers["Strict-Transport-Security"]
    finally:
        server.terminate()
        server.wait(timeout=10)
