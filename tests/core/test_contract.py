"""The plugin contract (docs/CONTRACT.md) and ``phoihop plugins check`` on plugins broken
on purpose, each in one way."""
import re
import textwrap
from pathlib import Path

import pytest

from core.contract import CONTRACT_VERSION, PUBLIC_NAMES, check_plugins, hook_specs, resolve

REPO = Path(__file__).resolve().parents[2]
CONTRACT = (REPO / "docs" / "CONTRACT.md").read_text(encoding="utf-8")
FINE = textwrap.dedent("""
    import peewee
    from core import hookimpl
    from core.records import SyncedRecord

    PHOIHOP_CONTRACT = "1"

    class Visit(SyncedRecord):
        place = peewee.CharField()

        class Meta:
            table_name = "fine_visit"

    @hookimpl
    def phoihop_models():
        return [Visit]
""")


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    """Write a plugin module on sys.path; returns its name."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name, source):
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
        return name

    return write


def check(name):
    [report] = check_plugins(entry_points=False, plugins=[name])
    return report


# -- the document ------------------------------------------------------------------------
def test_the_document_states_the_contract_version():
    assert re.search(r"\*\*Contract version: (\S+)\*\*", CONTRACT).group(1) == CONTRACT_VERSION


def test_the_document_lists_every_hook_with_its_arguments():
    for hook, arguments in hook_specs().items():
        assert f"`{hook}({', '.join(arguments)})`" in CONTRACT, hook


def test_the_document_lists_every_public_name():
    missing = [name for name in PUBLIC_NAMES if f"`{name}`" not in CONTRACT]
    assert not missing


def test_every_public_name_exists():
    for name in PUBLIC_NAMES:
        assert resolve(name) is not None, name


# -- the check -------------------------------------------------------------------------
def test_a_plugin_that_fits_has_no_problem(plugin_module):
    report = check(plugin_module("fine_plugin", FINE))
    assert (report.name, report.source, report.contract, report.problems) == ("fine_plugin", "setting", "1", [])


def test_the_example_plugin_fits(plugin_site):
    [report] = check_plugins(entry_points={"hello"})
    assert (report.source, report.contract, report.problems) == ("entry point", CONTRACT_VERSION, [])


def test_a_plugin_without_a_contract_version_is_reported(plugin_module):
    report = check(plugin_module("undeclared", FINE.replace('PHOIHOP_CONTRACT = "1"', "")))
    assert report.contract is None
    assert report.problems == [f"không khai báo PHOIHOP_CONTRACT (hợp đồng hiện tại: {CONTRACT_VERSION})"]


def test_a_plugin_for_another_contract_version_is_reported(plugin_module):
    report = check(plugin_module("future", FINE.replace('PHOIHOP_CONTRACT = "1"', 'PHOIHOP_CONTRACT = "7"')))
    assert report.contract == "7"
    assert report.problems == [f"viết cho hợp đồng 7, phoihop này theo hợp đồng {CONTRACT_VERSION}"]


def test_a_hook_with_an_unknown_name_is_reported(plugin_module):
    report = check(plugin_module("typo", FINE + "\n@hookimpl\ndef phoihop_modles():\n    return []\n"))
    assert len(report.problems) == 1 and report.problems[0].startswith("hook phoihop_modles: không có trong hợp đồng")


def test_a_hook_declared_optional_may_have_a_name_this_phoihop_does_not_know(plugin_module):
    report = check(plugin_module("optional", FINE + "\n@hookimpl(optionalhook=True)\ndef phoihop_later():\n    return []\n"))
    assert report.problems == []


def test_a_hook_with_an_argument_its_hook_does_not_give_is_reported(plugin_module):
    report = check(plugin_module("wrong_args", FINE + "\n@hookimpl\ndef phoihop_report(period, unit):\n    return None\n"))
    assert report.problems == ["hook phoihop_report: nhận tham số không có unit (hook cho: period, units)"]


def test_a_hook_named_but_not_marked_is_reported(plugin_module):
    report = check(plugin_module("unmarked", FINE + "\ndef phoihop_validate(binding, record):\n    return []\n"))
    assert report.problems == ["hook phoihop_validate: thiếu @hookimpl, phoihop sẽ không gọi nó"]


def test_a_model_without_a_unit_is_reported(plugin_module):
    report = check(plugin_module("unitless", FINE + """
from core.db import BaseModel

class Note(BaseModel):
    text = peewee.TextField()

@hookimpl(specname="phoihop_models")
def more_models():
    return [Note]
"""))
    assert [p.split(":")[0] for p in report.problems] == ["mô hình Note (bảng note)"]


def test_a_child_of_a_unit_record_and_a_lookup_list_have_their_unit(plugin_module):
    report = check(plugin_module("children", FINE + """
from core.db import BaseModel
from core.lookups import LookupModel

class Kind(LookupModel):
    defaults = (("Tham quan", ()),)

    class Meta:
        table_name = "children_kind"

class Guest(BaseModel):
    visit = peewee.ForeignKeyField(Visit)
    kind = peewee.ForeignKeyField(Kind, null=True)

    class Meta:
        table_name = "children_guest"

@hookimpl(specname="phoihop_models")
def more_models():
    return [Kind, Guest]
"""))
    assert report.problems == []


def test_a_model_whose_only_link_to_a_unit_is_optional_is_reported(plugin_module):
    report = check(plugin_module("optional_parent", FINE + """
from core.db import BaseModel

class Photo(BaseModel):
    visit = peewee.ForeignKeyField(Visit, null=True)

@hookimpl(specname="phoihop_models")
def more_models():
    return [Photo]
"""))
    assert [p.split(":")[0] for p in report.problems] == ["mô hình Photo (bảng photo)"]


def test_an_admin_view_not_derived_from_the_cores_model_view_is_reported(plugin_module):
    report = check(plugin_module("raw_view", FINE + """
from flask_admin.contrib.peewee import ModelView as RawView
from core.admin import ModelView

@hookimpl
def phoihop_admin_views(admin, app):
    return [RawView(Visit, endpoint="raw_visit"), ModelView(Visit, endpoint="scoped_visit")]
"""))
    assert report.problems == ["trang quản trị ModelView: không kế thừa core.admin.ModelView (phạm vi đơn vị, quyền)"]


def test_a_hook_that_raises_is_reported(plugin_module):
    report = check(plugin_module("raising", FINE.replace("return [Visit]", "raise KeyError('x')")))
    assert report.problems == ["hook phoihop_models: lỗi khi gọi: KeyError: 'x'"]


def test_a_plugin_that_does_not_load_is_reported(plugin_module):
    report = check(plugin_module("unloadable", "import no_such_module_anywhere\n"))
    assert report.problems == ["không nạp được: ModuleNotFoundError: No module named 'no_such_module_anywhere'"]
