"""The annual review (sơ kết / tổng kết): each plugin hands in its section as data.

A plugin's ``phoihop_report`` returns a :class:`Section` — its titles, single
:class:`Figure` values, :class:`Table` objects (columns with labels and kinds, rows, an
optional total row) and :class:`Chart` hints — and the core lays every section out as
text, JSON and xlsx (:mod:`core.report_output`) without knowing what the area is::

    Section(
        key="hello", title="Lời chào", sheet_title="Lời chào",
        figures=[Figure("greetings", "Số lời chào", 12)],
        tables=[Table("by_unit", "Theo đơn vị",
                      columns=[Column("unit", "Đơn vị", "text"), Column("greetings", "Số lời chào")],
                      rows=[("LHH Bắc Giang", 7), ("LHH Phú Thọ", 5)], total=("Tổng cộng", 12))],
        charts=[Chart("column", "by_unit", ["greetings"], "Lời chào theo đơn vị")],
    )

Column kinds say what a number is, and so how it is shown (:data:`KINDS`): ``count`` (an
int), ``money`` (an int in đồng; text and xlsx show million đồng), ``share`` (a percent),
``average`` (a ratio; shares and averages show two decimals), ``text``. ``None`` is a
missing figure (shown "—", JSON ``null``).

The JSON form of a section (:meth:`Section.as_json`) follows from its parts, in order:
each figure is ``key: value``; each table is ``key: [row, …]``, each row an object of its
cells by column key — or, for a ``keyed`` table, ``key: {first cell: rest of the row}``;
the total row follows its table as ``total_key: row`` (a keyed table's without its first
cell). A dotted key nests: the column ``budget.total`` is ``{"budget": {"total": …}}``.
The example above gives ``{"greetings": 12, "by_unit": [{"unit": "LHH Bắc Giang",
"greetings": 7}, …], "total": {"unit": "Tổng cộng", "greetings": 12}}``.

A figure, and a table's rows and total, may name the admin list behind them with a
:class:`Link` (the list's endpoint and the filters that show exactly the records
counted): the dashboard makes each such figure a link into that list. Links are not part
of the JSON, text or xlsx output.
"""
from __future__ import annotations

import contextlib
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

from core.errors import ConfigError
from core.registry import hook_callers

log = logging.getLogger(__name__)

KINDS = ("count", "money", "share", "average", "text")
NUMERIC_KINDS = ("count", "money", "share", "average")
CHART_KINDS = ("column", "bar", "pie")


@dataclass(frozen=True)
class Period:
    """The years a report covers, both ends included."""

    start: int
    end: int

    def __post_init__(self):
        if self.end < self.start:
            raise ConfigError(f"Năm kết thúc ({self.end}) trước năm bắt đầu ({self.start}).")

    @property
    def years(self):
        return self.end - self.start + 1


def _check_kind(kind, what):
    if kind not in KINDS:
        raise ValueError(f"{what}: kind {kind!r} is not one of {', '.join(KINDS)}")


def _path(key):
    parts = tuple(key.split("."))
    if not key or not all(parts):
        raise ValueError(f"key {key!r}: empty, or an empty part between dots")
    return parts


def _nest(keys, cells):
    """``(["a", "b.c"], [1, 2])`` → ``{"a": 1, "b": {"c": 2}}``."""
    out = {}
    for key, value in zip(keys, cells):
        *parents, last = _path(key)
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _check_paths(keys, what):
    """No key twice, and none the parent of another (``budget`` and ``budget.total``)."""
    paths = [_path(key) for key in keys]
    for i, path in enumerate(paths):
        for other in paths[i + 1:]:
            shorter = min(len(path), len(other))
            if path[:shorter] == other[:shorter]:
                raise ValueError(f"{what}: keys {'.'.join(path)!r} and {'.'.join(other)!r} collide")


def year_range(period):
    """A :class:`Period` as the value of the core's ``Năm`` filter (``core.widgets.YearFilter``):
    ``"2024"``, or ``"2021-2025"``."""
    return str(period.start) if period.start == period.end else f"{period.start}-{period.end}"


@dataclass(frozen=True)
class Link:
    """The admin list behind a figure: the view ``endpoint`` (``"greeting"``)
    and ``filters``, ``(label, value)`` pairs that name the list's filters by their label
    (the first of that label in the view's ``column_filters``) — e.g. ``(("Năm",
    "2021-2025"), ("Lưu trữ", "0"))``. The list must show exactly the records the figure
    counts. On a table row, ``column`` is the key of the cell the list counts (default:
    the first numeric column)."""

    endpoint: str
    filters: Sequence[tuple] = ()
    column: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "filters", tuple((str(label), str(value)) for label, value in self.filters))
        if not self.endpoint:
            raise ValueError("a link needs an endpoint")


@dataclass(frozen=True)
class Column:
    """A table column: ``key`` in the JSON output (dots nest), ``label`` its Vietnamese
    header, ``kind`` one of :data:`KINDS`."""

    key: str
    label: str
    kind: str = "count"

    def __post_init__(self):
        _path(self.key)
        _check_kind(self.kind, f"column {self.key!r}")


@dataclass(frozen=True)
class Figure:
    """One value on its own line: ``label: value`` in text, ``key: value`` in JSON."""

    key: str
    label: str
    value: Any
    kind: str = "count"
    link: Link | None = None

    def __post_init__(self):
        _path(self.key)
        _check_kind(self.kind, f"figure {self.key!r}")


@dataclass(frozen=True)
class Table:
    """A table of a section.

    ``rows`` (and ``total``) hold one cell per column, in column order. ``keyed``: the
    JSON is an object from each row's first cell (a unique text) to the rest of the row,
    instead of a list of rows. ``numbered``: text and xlsx add an ``STT`` column (a
    ranking). ``text_limit``: the text output shows at most that many rows and says how
    many more there are (JSON and xlsx show them all). ``total_key`` names the total row
    in the JSON output. ``links`` (none, or one :class:`Link` or ``None`` per row) and
    ``total_link`` name the admin lists behind the rows and the total row.
    """

    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence] = ()
    total: Sequence | None = None
    keyed: bool = False
    numbered: bool = False
    text_limit: int | None = None
    total_key: str = "total"
    links: Sequence[Link | None] = ()
    total_link: Link | None = None

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(row) for row in self.rows))
        if self.total is not None:
            object.__setattr__(self, "total", tuple(self.total))
        object.__setattr__(self, "links", tuple(self.links))
        _path(self.key)
        if not self.columns:
            raise ValueError(f"table {self.key!r} has no columns")
        if self.links and len(self.links) != len(self.rows):
            raise ValueError(f"table {self.key!r}: {len(self.links)} links for {len(self.rows)} rows")
        for link in [*self.links, self.total_link]:
            if link is not None:
                self.linked_column(link)
        _check_paths([c.key for c in self.columns], f"table {self.key!r}")
        for row in self.rows + ((self.total,) if self.total is not None else ()):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.key!r}: a row has {len(row)} cells for {len(self.columns)} columns")
        if self.keyed:
            if self.columns[0].kind != "text":
                raise ValueError(f"keyed table {self.key!r}: its first column must be text")
            names = [row[0] for row in self.rows]
            if len(set(names)) != len(names):
                raise ValueError(f"keyed table {self.key!r}: the first cells must be unique")

    def column(self, key):
        """The column of that key (``KeyError`` when there is none)."""
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def linked_column(self, link):
        """The index of the cell a row's ``link`` counts (``ValueError`` when it names no
        numeric column)."""
        if link.column is not None:
            for i, column in enumerate(self.columns):
                if column.key == link.column and column.kind in NUMERIC_KINDS:
                    return i
            raise ValueError(f"table {self.key!r}: a link counts the unknown or text column {link.column!r}")
        for i, column in enumerate(self.columns):
            if column.kind in NUMERIC_KINDS:
                return i
        raise ValueError(f"table {self.key!r}: a link on a table with no numeric column")

    def json_rows(self):
        if self.keyed:
            keys = [c.key for c in self.columns[1:]]
            return {row[0]: _nest(keys, row[1:]) for row in self.rows}
        keys = [c.key for c in self.columns]
        return [_nest(keys, row) for row in self.rows]

    def json_total(self):
        keys = [c.key for c in self.columns]
        return _nest(keys[1:], self.total[1:]) if self.keyed else _nest(keys, self.total)


@dataclass(frozen=True)
class Chart:
    """A chart hint for the xlsx output: ``kind`` is ``column``, ``bar`` or ``pie``;
    ``table`` the key of a table of the section, whose first column names the categories
    (its total row is left out); ``columns`` the keys of the numeric columns drawn (one for
    a pie)."""

    kind: str
    table: str
    columns: Sequence[str]
    title: str = ""

    def __post_init__(self):
        object.__setattr__(self, "columns", tuple(self.columns))
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {', '.join(CHART_KINDS)}")
        if not self.columns or (self.kind == "pie" and len(self.columns) != 1):
            raise ValueError(f"a {self.kind} chart draws {'one column' if self.kind == 'pie' else 'some columns'}")


@dataclass(frozen=True)
class Section:
    """A plugin's section of the annual review. ``key`` names it in the JSON output;
    ``title`` heads it (Vietnamese); ``sheet_title`` names its xlsx worksheet (31
    characters at most; default: the title, cut)."""

    key: str
    title: str
    sheet_title: str = ""
    figures: Sequence[Figure] = ()
    tables: Sequence[Table] = ()
    charts: Sequence[Chart] = ()

    def __post_init__(self):
        for name in ("figures", "tables", "charts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.key:
            raise ValueError("a section needs a key")
        if len(self.sheet_title) > 31:
            raise ValueError(f"section {self.key!r}: sheet title longer than 31 characters")
        keys = [f.key for f in self.figures]
        for table in self.tables:
            keys += [table.key] + ([table.total_key] if table.total is not None else [])
        _check_paths(keys, f"section {self.key!r}")
        tables = {t.key: t for t in self.tables}
        for chart in self.charts:
            if chart.table not in tables:
                raise ValueError(f"section {self.key!r}: chart of unknown table {chart.table!r}")
            for key in chart.columns:
                try:
                    kind = tables[chart.table].column(key).kind
                except KeyError:
                    raise ValueError(f"section {self.key!r}: chart of unknown column {key!r}") from None
                if kind not in NUMERIC_KINDS:
                    raise ValueError(f"section {self.key!r}: chart of the text column {key!r}")

    def table(self, key):
        """The table of that key (``KeyError`` when there is none)."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    def as_json(self):
        """The section as plain JSON-ready data (the rule is in this module's docstring)."""
        out = _nest([f.key for f in self.figures], [f.value for f in self.figures])
        for table in self.tables:
            out[table.key] = table.json_rows()
            if table.total is not None:
                out[table.total_key] = table.json_total()
        return out

    @classmethod
    def from_data(cls, key, data):
        """A section from the plain data that plugins returned before sections were data
        (``phoihop_report`` → ``(key, dict)``): nested figures become dotted figures,
        lists of objects become tables; labels are the keys. ``ValueError`` when the data
        does not round-trip (a key with a dot, a list of plain values…)."""
        figures, tables = [], []

        def kind_of(values):
            values = [v for v in values if v is not None]
            if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                return "count"
            if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                return "average"
            return "text"

        def walk(prefix, value):
            for name, item in value.items():
                path = f"{prefix}{name}"
                if isinstance(item, dict) and item:
                    walk(path + ".", item)
                elif isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
                    names = list(dict.fromkeys(k for i in item for k in i))
                    columns = [Column(k, k.replace("_", " "), kind_of(i.get(k) for i in item)) for k in names]
                    tables.append(Table(path, path.replace("_", " "), columns, [[i.get(k) for k in names] for i in item]))
                else:
                    figures.append(Figure(path, path.replace("_", " "), item, kind_of([item])))

        if not isinstance(data, dict):
            raise ValueError(f"section {key!r}: {type(data).__name__} is not a dict of figures")
        walk("", data)
        section = cls(key=key, title=key, figures=figures, tables=tables)
        if section.as_json() != data:
            raise ValueError(f"section {key!r}: its data cannot be read as figures and tables")
        return section


@dataclass(frozen=True)
class Report:
    """The gathered review: the period, how many units are in scope, each section."""

    period: Period
    units: int
    sections: Sequence[Section] = field(default_factory=tuple)

    def as_json(self):
        return {
            "period": {"from": self.period.start, "to": self.period.end, "years": self.period.years},
            "units": self.units,
            "sections": {section.key: section.as_json() for section in self.sections},
        }


def collect(pm, period, units, failed=None):
    """Every plugin's :class:`Section`, in plugin order, as a :class:`Report`.

    A plugin may still return the older ``(key, dict)`` pair: it is read with
    :meth:`Section.from_data` and a ``DeprecationWarning`` names the plugin. Two sections
    with one key are refused.

    ``failed``: a list, for a page that must show what it can (the dashboard): a plugin
    whose hook raises, or answers something that is not a section, is left out and
    ``(plugin, message)`` appended, its database work rolled back to a savepoint. Without
    it (``phoihop report``) the first failure is raised."""
    sections, owners = [], {}
    for plugin, caller in hook_callers(pm, "phoihop_report"):
        try:
            with savepoint() if failed is not None else contextlib.nullcontext():
                answers = [section_of(plugin, answer) for answer in caller(period=period, units=units)]
        except Exception as exc:  # noqa: BLE001 — a plugin's fault is reported, not fatal, when asked
            if failed is None:
                raise
            log.exception("phoihop_report of plugin %s failed", plugin)
            failed.append((plugin, str(exc) or type(exc).__name__))
            continue
        for answer in answers:
            if answer is None:
                continue
            if answer.key in owners:
                raise ConfigError(f"Hai plugin cùng báo cáo phần {answer.key!r} ({owners[answer.key]} và {plugin})")
            owners[answer.key] = plugin
            sections.append(answer)
    return Report(period, len(units), tuple(sections))


def savepoint():
    from core.db import database

    return database.atomic()


def section_of(plugin, answer):
    """A plugin's answer as a :class:`Section` (or ``None``), reading the older pair."""
    if answer is None:
        return None
    if isinstance(answer, tuple) and len(answer) == 2:
        warnings.warn(f"plugin {plugin}: phoihop_report returned a (key, dict) pair; "
                      "return a core.reports.Section", DeprecationWarning, stacklevel=3)
        try:
            answer = Section.from_data(*answer)
        except ValueError as exc:
            raise ConfigError(f"Plugin {plugin} trả về phần báo cáo không đọc được ({exc}).") from exc
    if not isinstance(answer, Section):
        raise ConfigError(f"Plugin {plugin} trả về {type(answer).__name__} cho phoihop_report, "
                          "cần một core.reports.Section.")
    return answer


def gather(pm, period, units):
    """The review as plain data: ``{"period": …, "units": n, "sections": {key: …}}``."""
    return collect(pm, period, units).as_json()
