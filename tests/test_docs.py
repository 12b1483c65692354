"""The README and the hookspecs cannot drift from the code."""
import inspect
import re
from pathlib import Path

from core import hookspecs

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
HOOKS = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("phoihop_")]


def test_design_hook_names_are_all_specified():
    assert sorted(HOOKS) == sorted([
        "phoihop_models", "phoihop_admin_views", "phoihop_sheet_bindings", "phoihop_cli",
        "phoihop_report", "phoihop_validate", "phoihop_demo_data", "phoihop_demo_ready",
        "phoihop_joint_activities",
    ])


def test_every_hookspec_is_documented():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc.splitlines()) >= 3, f"{name} needs a docstring: summary, arguments, result"


def test_every_hookspec_has_a_test_named_for_it():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("test_*.py"))
    for name in HOOKS:
        assert f"def test_hook_{name}(" in tests, f"no test_hook_{name}: every hook has a test named for it"


def test_every_hookspec_argument_is_documented_in_its_docstring():
    for name in HOOKS:
        spec = getattr(hookspecs, name)
        doc = inspect.getdoc(spec) or ""
        for argument in inspect.signature(spec).parameters:
            assert f"``{argument}``" in doc, f"{name}: its docstring does not say what ``{argument}`` is"


def test_readme_plugin_example_is_the_tested_example():
    blocks = re.findall(r"```(?:python|toml)\n(.*?)```", README, flags=re.S)
    for path in ("examples/phoihop-hello/pyproject.toml", "examples/phoihop-hello/phoihop_hello/__init__.py"):
        assert (REPO / path).read_text(encoding="utf-8") in blocks, f"README does not show {path} as it is"


def test_readme_names_the_two_commands_and_ci_calls_the_test_one():
    assert "make run" in README and "make test" in README
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_sync_json_example_has_the_shape_sync_prints():
    import json

    from sheets.sync import SyncResult

    example = json.loads(re.search(r'```json\n(\{\n  "bindings".*?)```', README, flags=re.S).group(1))
    printed = SyncResult("b", "s", "w", "both", False).as_dict()
    assert list(example["bindings"][0]) == list(printed)
    assert set(example["bindings"][0]["errors"][0]) == {"row", "column", "value", "message"}


def test_readme_report_json_example_has_the_shape_report_prints(app, units):
    import json

    from core.reports import Period
    from plugins.training.models import ensure_kinds
    from plugins.training.reports import training_section

    example = json.loads(re.search(r'```json\n(\{\n  "period".*?)```', README, flags=re.S).group(1))
    with app.app_context():
        ensure_kinds()
        section = training_section(Period(2020, 2022), [units["A"]])
    kind = next(iter(section["kinds"].values()))
    shown = next(iter(example["sections"]["training"]["kinds"].values()))
    assert set(shown) == set(kind) and set(shown["budget"]) == set(kind["budget"])
    assert set(example) == {"period", "units", "sections"} and set(example["period"]) == {"from", "to", "years"}
    assert set(example["sections"]["training"]["partners"][0]) == {"name", "activities"}
