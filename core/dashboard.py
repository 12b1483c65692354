"""The home page after login (Trang chủ): every plugin's section of the review, for the
units the user may see and a chosen period, with its charts — and the admin-only
"Hệ thống" page that lists the plugins and their sheet bindings.

The figures are the review's own (:func:`core.reports.collect`), so the dashboard and
``phoihop report`` never disagree. A figure or a table row whose plugin named the list
behind it (:class:`core.reports.Link`) links into that list, filtered; a link to a list
the user may not open is left out. The charts are drawn in the browser by the vendored
Chart.js (``static/phoihop/vendor/chartjs``, MIT) from data the page carries in
``data-chart`` attributes: no inline script, so the CSP holds. A plugin whose section
fails is named on the page, and the other sections are shown.
"""
from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.config import today
from core.errors import ConfigError
from core.plugins import describe
from core.report_charts import section_charts
from core.report_output import MONEY_NOTE, has_money, laid_out, show
from core.report_cache import ReportCache, database_version
from core.reports import Period, collect

TERM_YEARS = 5  # a congress term of an LHH: the review a dashboard opens on
SHOWN_ROWS = 12  # rows of a table shown before "… and n more"
FIRST_YEAR = 1900
LAST_YEAR = 9999


def chosen_period(args, year):
    """The period the query string asks for — ``?year=2024``, or ``?from=2021&to=2025``
    (a missing end is the other one) — else the term ending this ``year``. Returns
    ``(period, problem)``: ``problem`` says, in Vietnamese, why the request was not
    taken (a year out of range, an end before the start), or is ``None``."""
    default = Period(year - TERM_YEARS + 1, year)

    def read(name):
        text = (args.get(name) or "").strip()
        if not text:
            return None
        if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
            raise ValueError(_("“%(value)s” is not a year.", value=text[:20]))
        return int(text)

    try:
        single = read("year")
        start, end = (single, single) if single is not None else (read("from"), read("to"))
    except ValueError as exc:
        return default, str(exc)
    if start is None and end is None:
        return default, None
    start, end = start if start is not None else end, end if end is not None else start
    if end < start:
        return default, _("The last year (%(end)s) is before the first (%(start)s).", start=start, end=end)
    return Period(start, end), None


def units_of(user):
    """The units whose figures ``user`` may see: their unit, or every registered unit."""
    from core.models import Unit

    if user.unit_id is not None:
        return list(Unit.select().where(Unit.id == user.unit_id))
    return list(Unit.select().order_by(Unit.name))


def list_url(admin, link):
    """The address of the list a :class:`~core.reports.Link` names, its filters set; or
    ``None`` when the current user may not open that list. A link naming no view, or a
    filter label the view does not have, is a plugin's mistake: ``ConfigError``."""
    view = next((v for v in admin._views if getattr(v, "endpoint", None) == link.endpoint), None)
    if view is None:
        raise ConfigError(f"Liên kết tới danh sách không có: {link.endpoint!r}")
    if not view.is_accessible():
        return None
    args = {}
    filters = view._filters or []
    for n, (label, value) in enumerate(link.filters):
        index = next((i for i, flt in enumerate(filters) if str(flt.name) == label), None)
        if index is None:
            raise ConfigError(f"Danh sách {link.endpoint!r} không có bộ lọc {label!r}")
        args[f"flt{n}_{view.get_filter_arg(index, filters[index])}"] = value
    return url_for(f"{link.endpoint}.index_view", **args)


@dataclass
class ShownTable:
    """A table as the page draws it: header, rows of cells ``(text, url)``, alignment."""

    title: str
    head: list
    rows: list
    numeric: list
    more: int = 0


@dataclass
class ShownSection:
    key: str
    title: str
    figures: list = field(default_factory=list)  # (label, text, url)
    tables: list = field(default_factory=list)
    charts: list = field(default_factory=list)


def shown_table(table, url_of):
    head, body, numeric = laid_out(table)
    offset = 1 if table.numbered else 0
    links = list(table.links) or [None] * len(table.rows)
    if table.total is not None:
        links.append(table.total_link)
    rows = []
    for cells, link in zip(body, links):
        target = table.linked_column(link) + offset if link is not None else None
        url = url_of(link) if link is not None else None
        rows.append([(text, url if i == target else None) for i, text in enumerate(cells)])
    more = 0
    if len(table.rows) > SHOWN_ROWS + 1:
        more = len(table.rows) - SHOWN_ROWS
        rows = rows[:SHOWN_ROWS] + rows[len(table.rows):]  # the total row stays
    return ShownTable(table.title, head, rows, numeric, more)


def shown_sections(report, url_of):
    shown = []
    for section in report.sections:
        figures = [(f.label, show(f.value, f.kind), url_of(f.link) if f.link is not None else None)
                   for f in section.figures]
        shown.append(ShownSection(section.key, section.title, figures,
                                  [shown_table(t, url_of) for t in section.tables], section_charts(section)))
    return shown


class DashboardView(AdminIndexView):
    """Trang chủ: the review's figures and charts for the user's units and a period."""

    def __init__(self, pm, cache_seconds=0, **kwargs):
        super().__init__(name=_l("Home"), **kwargs)
        self.pm = pm
        try:
            self.cache = ReportCache(float(cache_seconds or 0))
        except ValueError:
            raise ConfigError(f"PHOIHOP_DASHBOARD_CACHE_SECONDS phải là một số giây, không phải {cache_seconds!r}") from None

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        day = today(current_app.config)
        year = day.year
        period, problem = chosen_period(request.args, year)
        if problem:
            flash(problem, "error")
        units = units_of(current_user)
        def review():
            failed = []
            return collect(self.pm, period, units, failed=failed), failed

        report, failed = self.cache.get((tuple(u.id for u in units), period), database_version(day), review)
        admin = self.admin

        def url_of(link):
            return list_url(admin, link)

        return self.render("phoihop/home.html", period=period, units=units, sections=shown_sections(report, url_of),
                           failed=failed,
                           money_note=MONEY_NOTE if has_money(report) else None,
                           years=list(range(year, year - TERM_YEARS, -1)), term=Period(year - TERM_YEARS + 1, year))


class SystemView(BaseView):
    """Hệ thống: the loaded plugins and their sheet bindings (admins only)."""

    def __init__(self, pm, bindings, **kwargs):
        super().__init__(**kwargs)
        self.pm = pm
        self.bindings = [
            {"name": name, "model": mapping.model.__name__, "plugin": mapping.plugin}
            for name, mapping in sorted(bindings.items())
        ]

    def is_accessible(self):
        return current_user.is_authenticated and current_user.role == "admin"

    def inaccessible_callback(self, name, **kwargs):
        if current_user.is_authenticated:
            abort(403)
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        return self.render("phoihop/system.html", plugins=describe(self.pm), bindings=self.bindings)
