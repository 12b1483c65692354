"""The plugin contract: what a province plugin may rely on, and ``phoihop plugins check``.

docs/CONTRACT.md lists the hookspecs and :data:`PUBLIC_NAMES` with :data:`CONTRACT_VERSION`
(a test keeps the three in agreement). The version changes only when something listed is
removed or changes meaning; hooks and names are added without a new version (hooks only
grow). A plugin says which version it was written for with ``PHOIHOP_CONTRACT = "1"`` in
its module.

:func:`check_plugins` reads each installed plugin (entry points and the ``PLUGINS``
setting; the built-ins are phoihop's own and tested with it) without registering it, so
that a plugin that stops phoihop from starting can still be checked, and lists what does
not fit the contract.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from importlib import metadata

import peewee

from core import hookspecs

CONTRACT_VERSION = "1"
DECLARATION = "PHOIHOP_CONTRACT"
HOOK_PREFIX = "phoihop_"
IMPL_MARK = "phoihop_impl"  # the attribute core.hookimpl puts on a function

# Dotted names a plugin may import and rely on (docs/CONTRACT.md says what each is).
PUBLIC_NAMES = (
    "core.hookimpl",
    "core.create_app",
    "core.admin.ModelView",
    "core.admin.ReadOnlyModelView",
    "core.admin.RECORDS",
    "core.admin.READ_ONLY",
    "core.admin.ADMIN_ONLY",
    "core.admin.EVERYONE",
    "core.admin.STAFF",
    "core.admin.ADMINS",
    "core.admin.NOBODY",
    "core.db.BaseModel",
    "core.db.database",
    "core.records.SyncedRecord",
    "core.lookups.LookupModel",
    "core.models.Unit",
    "core.models.Organisation",
    "core.models.Person",
    "core.models.find_unit",
    "core.models.name_key",
    "core.people.match_organisations",
    "core.people.match_people",
    "core.people.organisation_lists",
    "core.people.people_lists",
    "core.people.replace_links",
    "core.people.linked_values",
    "core.people.split_title",
    "core.reports.Period",
    "core.reports.Section",
    "core.reports.Figure",
    "core.reports.Table",
    "core.reports.Column",
    "core.reports.Chart",
    "core.widgets.money_column",
    "core.widgets.date_column",
    "core.widgets.choice_column",
    "core.vietnamese.parse_money",
    "core.vietnamese.parse_date",
    "core.vietnamese.format_money",
    "core.vietnamese.format_date",
    "core.cli_support.app_context",
    "core.cli_support.fail",
    "core.errors.ConfigError",
    "sheets.mapping.Mapping",
    "sheets.mapping.Column",
    "sheets.mapping.LookupChoices",
    "sheets.mapping.KEY_HEADER",
    "sheets.mapping.STATUS_HEADER",
    "phoihop_testing.PASSWORD",
    "phoihop_testing.sheets_emulator.FakeSheets",
)


def resolve(dotted):
    """The object a public name names (ImportError / AttributeError when it is gone)."""
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def hook_specs():
    """``{hook name: [argument names]}`` of every hookspec."""
    return {name: list(inspect.signature(spec).parameters)
            for name, spec in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith(HOOK_PREFIX)}


@dataclass
class PluginReport:
    """What ``phoihop plugins check`` found of one plugin."""

    name: str
    source: str
    contract: str | None = None
    problems: list[str] = field(default_factory=list)


def installed_plugins(entry_points=True, plugins=(), disabled=()):
    """``[(name, source, loader)]`` of the entry points (``True``: all; or a set of names)
    and setting modules, without the built-ins and the ``disabled`` names."""
    found = []
    if entry_points:
        wanted = None if entry_points is True else set(entry_points)
        for ep in metadata.entry_points(group="phoihop.plugins"):
            if wanted is None or ep.name in wanted:
                found.append((ep.name, "entry point", ep.load))
    for name in plugins:
        found.append((name, "setting", lambda name=name: importlib.import_module(name)))
    seen, kept = set(disabled), []
    for name, source, load in found:
        if name not in seen:
            seen.add(name)
            kept.append((name, source, load))
    return kept


def check_plugins(entry_points=True, plugins=(), disabled=()):
    """One :class:`PluginReport` per installed plugin, in the order phoihop loads them."""
    reports = []
    for name, source, load in installed_plugins(entry_points, plugins, disabled):
        report = PluginReport(name, source)
        try:
            module = load()
        except Exception as exc:  # noqa: BLE001 — a plugin that cannot load is what we report
            report.problems.append(f"không nạp được: {type(exc).__name__}: {exc}")
        else:
            report.contract, report.problems = check_module(module)
        reports.append(report)
    return reports


def check_module(plugin):
    """``(declared contract version, [problem])`` of one plugin module."""
    problems = []
    declared = getattr(plugin, DECLARATION, None)
    declared = None if declared is None else str(declared)
    if declared is None:
        problems.append(f"không khai báo {DECLARATION} (hợp đồng hiện tại: {CONTRACT_VERSION})")
    elif declared != CONTRACT_VERSION:
        problems.append(f"viết cho hợp đồng {declared}, phoihop này theo hợp đồng {CONTRACT_VERSION}")
    hooks, hook_problems = plugin_hooks(plugin)
    problems += hook_problems
    for function in hooks.get("phoihop_models", []):
        problems += call_checked(function, {}, model_problems)
    for function in hooks.get("phoihop_admin_views", []):
        problems += view_problems_of(function)
    return declared, problems


def plugin_hooks(plugin):
    """``({hook name: [function]}, [problem])``: the plugin's hook implementations that fit
    their spec, and one problem per function that is marked or named as a hook but names no
    hook, takes arguments its hook does not give, or is named as a hook but not marked."""
    specs, hooks, problems = hook_specs(), {}, []
    for attribute, function in sorted(vars(plugin).items()):
        if not callable(function):
            continue
        options = getattr(function, IMPL_MARK, None)
        if options is None and not attribute.startswith(HOOK_PREFIX):
            continue
        hook = (options or {}).get("specname") or attribute
        if hook not in specs and (options or {}).get("optionalhook"):
            continue  # declared optional: a hook of a newer phoihop, which pluggy lets pass
        if hook not in specs:
            problems.append(f"hook {hook}: không có trong hợp đồng (các hook: {', '.join(sorted(specs))})")
            continue
        if options is None:
            problems.append(f"hook {hook}: thiếu @hookimpl, phoihop sẽ không gọi nó")
            continue
        try:
            arguments = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            arguments = []
        unknown = [a for a in arguments if a not in specs[hook]]
        if unknown:
            problems.append(f"hook {hook}: nhận tham số không có {', '.join(unknown)} "
                            f"(hook cho: {', '.join(specs[hook]) or 'không tham số nào'})")
            continue
        hooks.setdefault(hook, []).append(function)
    return hooks, problems


def call_checked(function, kwargs, check):
    """Call a hook implementation with the arguments it takes and check its answer."""
    taken = {k: v for k, v in kwargs.items() if k in inspect.signature(function).parameters}
    try:
        answer = function(**taken)
    except Exception as exc:  # noqa: BLE001 — a hook that fails is a finding, not a crash
        return [f"hook {function.__name__}: lỗi khi gọi: {type(exc).__name__}: {exc}"]
    return check(answer or [])


def model_problems(models):
    """One problem per model that belongs to no unit: no ``unit`` field, not a shared
    lookup list (``Meta.shared``), and no required foreign key to a record that does —
    unit scoping could not show it to anyone scoped to a unit."""
    return [f"mô hình {model.__name__} (bảng {model._meta.table_name}): không thuộc đơn vị nào — "
            "kế thừa core.records.SyncedRecord, hoặc thêm khóa ngoại bắt buộc tới bản ghi có đơn vị"
            for model in models if not belongs_to_a_unit(model)]


def belongs_to_a_unit(model, seen=()):
    from core.models import Unit

    if model is Unit or getattr(model._meta, "shared", False) is True:
        return True
    unit = model._meta.fields.get("unit")
    if isinstance(unit, peewee.ForeignKeyField) and unit.rel_model is Unit:
        return True
    return any(isinstance(f, peewee.ForeignKeyField) and not f.null and f.rel_model not in (*seen, model)
               and belongs_to_a_unit(f.rel_model, (*seen, model))
               for f in model._meta.sorted_fields)


def view_problems_of(function):
    """Call ``phoihop_admin_views`` with a throw-away Flask app and Admin, and name every
    model view that does not derive from ``core.admin.ModelView``."""
    from flask import Flask
    from flask_admin import Admin

    app = Flask("phoihop_check")
    with app.app_context():
        return call_checked(function, {"admin": Admin(), "app": app}, view_problems)


def view_problems(views):
    from flask_admin.model import BaseModelView

    from core.admin import ModelView

    return [f"trang quản trị {type(view).__name__}: không kế thừa core.admin.ModelView (phạm vi đơn vị, quyền)"
            for view in views if isinstance(view, BaseModelView) and not isinstance(view, ModelView)]
