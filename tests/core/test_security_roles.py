"""Every admin view × role × action against the table in README's "Roles and units".

The table is the documentation and the expectation at once: a view added without a row,
or a permission changed on one side only, fails here.
"""
import re
from pathlib import Path

import pytest

from tests.conftest import csrf_token, login

README = Path(__file__).resolve().parents[2] / "README.md"
ACTIONS = ("list", "create", "edit", "delete", "export")
ROLES = ("admin", "editor", "viewer")
MISSING_ID = 987654321  # in range, never used: an allowed request finds nothing (404)
# (role, scoped to unit A?): the roles the README names, and an editor of one unit
PEOPLE = [("admin", False), ("editor", False), ("viewer", False), ("editor", True)]


def parse_roles(cell):
    cell = cell.strip()
    if cell in {"—", "-", ""}:
        return frozenset()
    roles = frozenset(part.strip() for part in cell.split(","))
    assert roles <= set(ROLES), f"unknown role in README cell {cell!r}"
    return roles


def parse_bulk(cell):
    """```delete`: admin; `sync`: admin, editor`` → {"delete": {admin}, "sync": {...}}."""
    found = {}
    if cell.strip() in {"—", "-", ""}:
        return found
    for part in cell.split(";"):
        names, roles = part.split(":", 1)
        for name in re.findall(r"`([^`]+)`", names):
            found[name] = parse_roles(roles)
    return found


def readme_table():
    """{endpoint: {"list": roles, …, "bulk": {action: roles}}} from the README."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Roles and units", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header[:2] == ["role", "may"], "the first table is the roles' summary"
    start = next(i for i, line in enumerate(lines) if line.startswith("| view | endpoint |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    assert header == ["view", "endpoint", *ACTIONS, "bulk actions"]
    table = {}
    for line in lines[start + 1:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if set(cells[0]) <= {"-"}:
            continue
        endpoint = cells[1].strip("`")
        row = {action: parse_roles(cell) for action, cell in zip(ACTIONS, cells[2:7])}
        row["bulk"] = parse_bulk(cells[7])
        table[endpoint] = row
    return table


def model_views(app):
    from core.admin import ModelView

    return [v for v in app.extensions["phoihop_admin"]._views if isinstance(v, ModelView)]


@pytest.fixture
def records(app, units):
    """One record in unit A for every core, sheets and example-plugin view."""
    from core.models import AuditLog, Organisation, Person
    from phoihop_hello import Greeting
    from sheets.models import Binding, Conflict, SyncLog

    unit = units["A"]
    with app.app_context():
        organisation = Organisation.create(unit=unit, name="Sở Khoa học và Công nghệ")
        Person.create(unit=unit, full_name="Nguyễn Văn An")
        Greeting.create(unit=unit, text="Xin chào")
        AuditLog.record(actor="cli", channel="cli", action="create", instance=organisation)
        binding = Binding.create(name="training.activities", source="/srv/lhh/tap-huan.xlsx", worksheet="Hoạt động", unit=unit)
        SyncLog.create(binding=binding, unit=unit, direction="both", outcome="ok")
        Conflict.create(binding=binding, unit=unit, key="HD-000001", field="title", header="Tên hoạt động",
                        base_value="a", sheet_value="b", db_value="c")


def record_id(view, unit):
    """A record of ``view`` in ``unit`` (or any, for a model without units), else a missing id."""
    from core.models import Unit

    model = view.model
    query = model.select()
    if model is Unit:
        query = query.where(Unit.id == unit.id)
    elif "unit" in model._meta.fields:
        query = query.where(model._meta.fields["unit"] == unit.id)
    row = query.first()
    return row.get_id() if row is not None else MISSING_ID


def test_the_readme_table_names_every_registered_view(app):
    assert sorted(readme_table()) == sorted(v.endpoint for v in model_views(app))


def test_each_views_declared_roles_match_the_readme(app):
    table = readme_table()
    for view in model_views(app):
        row = table[view.endpoint]
        for action in ACTIONS:
            assert view.roles_for(action) == row[action], (view.endpoint, action)
        for name, _text in view._actions:
            assert view.roles_for(view.action_permission(name)) == row["bulk"].get(name, frozenset()), (view.endpoint, name)
        assert set(row["bulk"]) <= {name for name, _text in view._actions}, view.endpoint


def expect(answer, allowed, what):
    """Allowed: not refused (200, or 302/404 where the target is absent); refused: 403."""
    code = answer.status_code
    if allowed:
        assert code in (200, 302, 404) and code != 403, f"{what}: allowed, got {code}"
    else:
        assert code == 403, f"{what}: refused, got {code}"


@pytest.mark.parametrize("role,scoped", PEOPLE, ids=[f"{r}{'-unit' if s else ''}" for r, s in PEOPLE])
def test_every_view_role_and_action_is_as_the_readme_says(app, client, units, records, make_user, role, scoped):
    from flask_login import login_user

    from core.models import User

    table = readme_table()
    email = f"{role}{'-a' if scoped else ''}@phoihop.test"
    make_user(email, role, units["A"] if scoped else None)
    assert login(client, email).status_code == 302
    token = csrf_token(client, "/admin/")
    for view in model_views(app):
        row, base = table[view.endpoint], f"/admin/{view.endpoint}"
        key = record_id(view, units["A"])
        what = f"{role}{' (unit A)' if scoped else ''} {view.endpoint}"

        answer = client.get(f"{base}/")
        expect(answer, role in row["list"], f"{what} list")
        if role in row["list"]:
            assert answer.status_code == 200, f"{what} list: {answer.status_code}"
        answer = client.get(f"{base}/details/?id={key}")
        expect(answer, role in row["list"], f"{what} details")
        if role in row["list"] and key != MISSING_ID:
            assert answer.status_code == 200, f"{what} details: {answer.status_code}"

        answer = client.get(f"{base}/new/")
        expect(answer, role in row["create"], f"{what} create")
        if role in row["create"]:
            assert answer.status_code == 200, f"{what} create: {answer.status_code}"
        answer = client.post(f"{base}/new/", data={"csrf_token": token})
        expect(answer, role in row["create"], f"{what} create (POST)")

        answer = client.get(f"{base}/edit/?id={key}")
        expect(answer, role in row["edit"], f"{what} edit")
        if role in row["edit"] and key != MISSING_ID:
            assert answer.status_code == 200, f"{what} edit: {answer.status_code}"
        answer = client.post(f"{base}/edit/?id={MISSING_ID}", data={"csrf_token": token})
        expect(answer, role in row["edit"], f"{what} edit (POST)")

        answer = client.post(f"{base}/delete/", data={"id": MISSING_ID, "csrf_token": token})
        expect(answer, role in row["delete"], f"{what} delete")

        answer = client.get(f"{base}/export/csv/")
        expect(answer, role in row["export"], f"{what} export")
        if role in row["export"]:
            assert answer.status_code == 200 and answer.mimetype == "text/csv", f"{what} export"

        for name, _text in view._actions:
            answer = client.post(f"{base}/action/", data={"action": name, "rowid": [MISSING_ID], "csrf_token": token})
            expect(answer, role in row["bulk"].get(name, ()), f"{what} bulk {name}")

    # What the pages offer follows the same table (buttons, links, action menus).
    with app.test_request_context():
        login_user(User.get(User.email == email))
        for view in model_views(app):
            row = table[view.endpoint]
            flags = (view.is_accessible(), view.can_create, view.can_edit, view.can_delete, view.can_export)
            assert flags == tuple(role in row[a] for a in ACTIONS), view.endpoint
            offered = {name for name, _text in view.get_actions_list()[0]}
            assert offered == {name for name, roles in row["bulk"].items() if role in roles}, view.endpoint


def test_editor_cannot_rename_their_unit_nor_create_one(app, units, login_as):
    from core.models import Unit

    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/")
    answer = client.post(f"/admin/unit/edit/?id={units['A'].id}", data={"name": "Đổi tên", "csrf_token": token})
    assert answer.status_code == 403
    assert client.post("/admin/unit/new/", data={"name": "Liên hiệp hội mới", "csrf_token": token}).status_code == 403
    with app.app_context():
        assert sorted(u.name for u in Unit.select()) == sorted(u.name for u in units.values())


def test_unscoped_editor_cannot_create_a_unit(app, units, login_as):
    from core.models import Unit

    client = login_as("editor")
    token = csrf_token(client, "/admin/")
    assert client.post("/admin/unit/new/", data={"name": "Liên hiệp hội mới", "csrf_token": token}).status_code == 403
    with app.app_context():
        assert Unit.select().count() == 2


def test_an_admin_of_one_unit_cannot_create_units(units, login_as):
    client = login_as("admin", units["A"])
    assert client.get("/admin/unit/new/").status_code == 403
    page = client.get("/admin/unit/").get_data(as_text=True)
    assert "/admin/unit/new/" not in page


def test_a_plain_flask_admin_switch_folds_into_the_permissions():
    from core.admin import NOBODY, RECORDS, ModelView

    class NoDelete(ModelView):
        can_delete = False

    assert NoDelete.permissions == {**RECORDS, "delete": NOBODY}
    assert "can_delete" not in NoDelete.__dict__
