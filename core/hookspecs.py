"""The hooks a phoihop plugin can implement.

Each function here is the contract of one hook: a plugin implements it with the same
name, marked ``@core.hookimpl``, and takes only the arguments it uses. Hooks only grow —
arguments are added, never renamed or removed. Every hook is called for every plugin and
its results are collected in a list (one item per plugin that answered), unless the
docstring says otherwise.
"""
import pluggy

hookspec = pluggy.HookspecMarker("phoihop")


@hookspec
def phoihop_models():
    """The plugin's peewee models.

    Returns a list of model classes derived from ``core.db.BaseModel`` — records a sheet
    fills from ``core.records.SyncedRecord`` (unit, archived, times, the ``Mã`` they came
    from), shared lookup lists (kinds, tiers, categories) from ``core.lookups.LookupModel``.
    The core creates their tables in ``phoihop init`` and adds columns that a newer version
    of the plugin declares (new fields must be nullable or have a default). Two plugins may
    not declare models with the same table name: start-up fails naming both.
    """


@hookspec
def phoihop_admin_views(admin, app):
    """The plugin's Flask-Admin views.

    ``admin`` is the ``flask_admin.Admin``, ``app`` the Flask app. Returns a list of view
    instances; give each a ``category`` (the menu heading, in Vietnamese) and an
    ``endpoint`` unique across plugins. Model views must derive from
    ``core.admin.ModelView``, which enforces login, roles and unit scoping — the core
    refuses any other model view. The core adds the views to ``admin``: do not call
    ``admin.add_view`` yourself.
    """


@hookspec
def phoihop_sheet_bindings():
    """The plugin's sheet mappings.

    Returns a list of ``sheets.mapping.Mapping`` objects, each with a binding name such
    as ``"training.activities"``, the model it fills (a ``core.records.SyncedRecord``),
    its columns and the prefix of its ``Mã``. A binding name may be declared by one plugin
    only. The engine calls a mapping a chunk of records at a time (``read_many``,
    ``after_save_many``): answer in a constant number of queries per chunk.
    """


@hookspec
def phoihop_cli(cli):
    """Add commands to the ``phoihop`` command line.

    ``cli`` is the root ``click.Group``; call ``cli.add_command(...)`` or decorate with
    ``@cli.command()``. Returns nothing. Commands that need the database get it from
    ``core.cli_support.app_context`` (the app is built once per invocation).
    """


@hookspec
def phoihop_report(period, units):
    """The plugin's section of the annual review (sơ kết / tổng kết).

    ``period`` is a ``core.reports.Period`` (``start``, ``end`` years, ``years`` count);
    ``units`` the list of ``core.models.Unit`` in scope (every registered unit counts in
    per-unit averages, active or not). Returns a ``core.reports.Section`` — its key in the
    JSON output (e.g. ``"training"``), titles, figures, tables of typed columns, chart
    hints, and optionally the admin list behind a figure or a table row
    (``core.reports.Link``) — which the core lays out as text, JSON, xlsx and HTML and
    shows on the dashboard (the home page, where linked figures open their list); or
    ``None`` for nothing to report. Two plugins may not report the same key. Figures are computed in SQL, not by
    loading rows. (The older answer, a ``(key, dict)`` pair, is still read, with a
    ``DeprecationWarning``.)
    """


@hookspec
def phoihop_validate(binding, record):
    """Extra checks on a row read from a sheet, before it is saved.

    ``binding`` is the binding name (``"contests.entries"``); ``record`` a dict of the
    parsed values by field name. Returns a list of problems, each a ``(column, message)``
    pair with a Vietnamese message (``column`` may be ``None`` for the whole row), or an
    empty list / ``None`` when the row is fine. Any problem makes the row an error: it is
    not imported and the sheet's status column shows the message.
    """


@hookspec
def phoihop_demo_data(unit):
    """Realistic sample data for ``phoihop demo``.

    ``unit`` is the demo ``core.models.Unit``; the call runs inside a transaction.
    Returns a dict ``{binding name: [rows]}``, each row a dict of sheet header → cell
    value as an office would type it. The demo writes one workbook per binding from these
    rows (title rows, ``STT``), links it to ``unit`` and syncs it, so the records come in
    through the sync as they would in an office: do not also create them yourself.
    Records that have no sheet (lookup lists…) may be created directly; return ``{}``
    when there is nothing for a sheet.
    """


@hookspec
def phoihop_demo_ready(app, directory, unit, rows_by_binding):
    """Finish ``phoihop demo`` once every plugin's sample data is in.

    Called once, after every ``phoihop_demo_data`` and its transaction, inside an app
    context of the demo database. ``app`` is the demo's Flask app; ``directory`` the
    folder for the demo's files (the site's ``WORKBOOK_DIR``); ``unit`` the demo
    ``core.models.Unit``; ``rows_by_binding`` every plugin's sample rows merged, ``{binding
    name: [rows]}``. Returns a list of ``(path, result)`` pairs, one per file made for a
    person to open, ``result.created`` counting the records that came in from it; or
    ``None``. The built-in sheets plugin writes one workbook per binding, links it to
    ``unit`` and syncs it.
    """


@hookspec
def phoihop_joint_activities(organisation_ids, start, end):
    """How often the plugin's records name each partner organisation: its joint activities.

    ``organisation_ids`` is a list of ``core.models.Organisation`` ids; ``start`` and
    ``end`` are ``datetime.date`` bounds of the records' dates, both included, either
    ``None`` for no bound. Returns a list of rows ``(key, label, organisation_id, count,
    latest)`` (tuples or ``core.joint.JointActivity``) — the area's key and Vietnamese
    label, the organisation, how many of the area's live (not archived) records name it,
    and the latest of their dates — one row per organisation that has any, from one
    grouped SQL query; or ``[]``/``None``. A
    record without a date counts only when neither bound is given. The core sums the
    answers (``core.joint.gather``): partners and agreements need no area's tables.
    """
