"""``phoihop demo``: a ready demo site on SQLite and local workbooks.

The core adds two units, their partner organisations, an admin and an editor of each
unit; for each unit in turn, every plugin adds its records through ``phoihop_demo_data``
and then ``phoihop_demo_ready`` lets a plugin make the unit's files of the site (the
sheets plugin: one workbook per binding, linked to the unit and synced), in a folder of
the unit's own (``workbooks/BG``, ``workbooks/PT``): the dashboard, the lists and the
report are full for both units on first open.
"""
import os
import secrets
import shutil
from dataclasses import dataclass, field

from core.errors import ConfigError

DEMO_UNITS = (("Liên hiệp hội tỉnh Bắc Giang", "BG"), ("Liên hiệp hội tỉnh Phú Thọ", "PT"))
DEMO_ORGANISATIONS = (  # every province has these
    ("Sở Khoa học và Công nghệ", "so_ban_nganh"),
    ("Sở Giáo dục và Đào tạo", "so_ban_nganh"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "so_ban_nganh"),
    ("Sở Y tế", "so_ban_nganh"),
    ("Tỉnh đoàn", "khac"),
    ("Hội Nông dân tỉnh", "hoi_thanh_vien"),
)
LOCAL_ORGANISATIONS = {  # and these are a unit's own
    "BG": (("UBND huyện Lục Ngạn", "ubnd_huyen"), ("Trường Đại học Nông - Lâm Bắc Giang", "truong"),
           ("Báo Bắc Giang", "bao_chi")),
    "PT": (("UBND huyện Thanh Sơn", "ubnd_huyen"), ("Trường Đại học Hùng Vương", "truong"), ("Báo Phú Thọ", "bao_chi")),
}
ADMIN_EMAIL = "admin@phoihop.local"
EDITOR_EMAIL = "bientap.bacgiang@phoihop.local"
EDITOR_EMAILS = {"BG": EDITOR_EMAIL, "PT": "bientap.phutho@phoihop.local"}


@dataclass
class DemoSite:
    directory: str
    database_url: str
    config_file: str
    email: str
    password: str
    workbooks: list = field(default_factory=list)
    results: list = field(default_factory=list)


def prepare_directory(directory, force):
    directory = os.path.abspath(directory)
    if os.path.isdir(directory) and os.listdir(directory):
        if not force:
            raise ConfigError(f"Thư mục {directory} đã có dữ liệu; dùng --force để tạo lại bản demo.")
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    os.makedirs(os.path.join(directory, "workbooks"), exist_ok=True)
    return directory


def build_demo(directory, pm, force=False):
    """Create the demo site in ``directory`` and return what a person needs to open it."""
    from core.app import create_app
    from core.schema import upgrade

    directory = prepare_directory(directory, force)
    site = DemoSite(
        directory=directory,
        database_url="sqlite:///" + os.path.join(directory, "phoihop.sqlite3"),
        config_file=os.path.join(directory, "phoihop.cfg"),
        email=ADMIN_EMAIL,
        password=os.environ.get("PHOIHOP_DEMO_PASSWORD") or secrets.token_urlsafe(9),
    )
    with open(site.config_file, "w", encoding="utf-8") as out:
        out.write(f"DATABASE_URL = {site.database_url!r}\n")
        out.write(f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
        out.write(f"WORKBOOK_DIR = {os.path.join(directory, 'workbooks')!r}\n")

    app = create_app({"DATABASE_URL": site.database_url}, plugin_manager=pm)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        for path, result in populate(app, pm, os.path.join(directory, "workbooks"), site.password):
            site.workbooks.append(path)
            site.results.append(result)
    return site


def populate(app, pm, directory, password):
    """Fill the (empty, upgraded) database of ``app`` with the demo: the units, their
    organisations and users, then each unit's sample data and files (in
    ``directory/<unit code>``). Runs in an app context; returns ``[(path, result)]`` of
    the files made."""
    from core.db import database
    from core.models import Organisation, Unit
    from core.registry import hook_results
    from core.users import create_user

    made_files = []
    with database.atomic():
        units = [Unit.create(name=name, code=code) for name, code in DEMO_UNITS]
        create_user(ADMIN_EMAIL, password, "admin")
        for unit in units:
            for name, kind in DEMO_ORGANISATIONS + LOCAL_ORGANISATIONS.get(unit.code, ()):
                Organisation.create(unit=unit, name=name, kind=kind)
            create_user(EDITOR_EMAILS[unit.code], password, "editor", unit)
    for unit in units:
        rows = {}
        with database.atomic():
            for _plugin, rows_by_binding in hook_results(pm, "phoihop_demo_data", unit=unit):
                for binding, some in (rows_by_binding or {}).items():
                    rows.setdefault(binding, []).extend(some)
        folder = os.path.join(directory, unit.code)
        os.makedirs(folder, exist_ok=True)
        for made in pm.hook.phoihop_demo_ready(app=app, directory=folder, unit=unit, rows_by_binding=rows):
            made_files.extend(made or [])
    return made_files
