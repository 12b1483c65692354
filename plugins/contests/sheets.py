"""The contests' sheet bindings (spec/contests.md, "Sheets"):

- ``contests.entries`` → :class:`~plugins.contests.models.Entry`: the office's list of
  entries; its ``Cuộc thi`` column names the edition (set up in phoihop first: until it
  exists every row says so in its status), ``Lĩnh vực`` must be one of that edition's
  fields. phoihop writes back ``Điểm``, ``Xếp hạng`` and ``Giải`` (added at the right of
  the table when the sheet lacks them).
- ``contests.judges`` → :class:`~plugins.contests.models.Judge`: one row per judge, the
  fields they judge (one per line or separated by '; '), their workplace. The edition is
  the sheet's ``Cuộc thi`` when it has one, else the latest edition of the kind those
  fields belong to.
- ``contests.scores`` → :class:`~plugins.contests.models.Score`: one worksheet per panel,
  one row per entry × judge. An entry is cited by ``Mã giải pháp``, or before IDs exist by
  the entries sheet's STT (``STT giải pháp`` / ``STT bài dự thi``) within the same edition;
  phoihop then fills ``Mã giải pháp`` in (at the sheet's next sync: a new row's cells are
  written only in phoihop's own columns). ``Điểm`` is a total, or the sum of criteria
  columns (:class:`~plugins.contests.models.Criterion`, weighted per field). phoihop
  writes each score's verdict in ``Tình trạng phiếu``: valid, or rejected and why
  (conflict of interest, duplicate, superseded by a correction).

Every mapping reads its look-up tables once per run (:meth:`prepare`): a chunk of rows
costs no query, and ``read_many`` / ``after_save_many`` answer a chunk in a constant
number of statements. Row errors (an unknown entry or judge, a judge off the field's
panel, a score above the maximum, two rows of one judge for one entry) name the column
and change nothing else.

The engine hands ``rules()`` a row's values but not its unit: look-ups then cover every
unit, and ``apply()`` — which knows the record's unit — decides within its unit.
"""
from __future__ import annotations

import threading

import peewee

from core.bulk import set_column
from core.db import database
from core.lookups import split_aliases
from core.vietnamese import normalise
from plugins.contests import rules
from plugins.contests.index import (
    CRITERION_PREFIX, Catalog, Panels, criteria_json, criteria_of, entry_codes,
)
from plugins.contests.links import follow_entries, link_entries, link_judges, seat_judges
from plugins.contests.models import Criterion, Entry, Judge, Score, ensure_catalog
from plugins.contests.results import recompute_stale
from sheets.mapping import Column, Mapping
from sheets.values import format_list, parse_list

ENTRIES, JUDGES, SCORES = "contests.entries", "contests.judges", "contests.scores"
SETUP_HINT = "hãy thiết lập trong trang quản trị hoặc bằng lệnh phoihop contests editions add"


def headers_of(mapping: Mapping) -> dict:
    return {c.field: c.header for c in mapping.columns}


class ContestsMapping(Mapping):
    """What the three mappings share: the catalogue, read at the start of every run."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load()
        return self._catalog

    def prepare(self) -> None:
        super().prepare()
        with database.atomic():
            ensure_catalog()
        self._catalog = Catalog.load()

    def editions_for(self, values: dict, unit=None):
        """The editions a row's ``Cuộc thi`` names; without the column, the latest
        edition of each unit (of ``unit``)."""
        if "edition" in values or "edition_name" in values:
            name = values.get("edition", values.get("edition_name"))
            return self.catalog.editions_named(name, unit) if name else []
        return self.catalog.latest_of_kinds(set(self.catalog.kinds), unit)


# -- contests.entries ------------------------------------------------------------------------------
def entry_columns() -> list[Column]:
    return [
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố", "Liên hiệp hội"), kind="unit"),
        Column("number", "STT"),
        Column("edition", "Cuộc thi", ("Tên cuộc thi", "Hội thi", "Kỳ thi")),
        Column("title", "Tên giải pháp", ("Tên mô hình, sản phẩm", "Tên công trình", "Tên bài dự thi",
                                          "Tên sản phẩm", "Tên mô hình", "Tên đề tài"), required=True),
        Column("authors", "Tác giả", ("Nhóm tác giả", "Tác giả, nhóm tác giả", "Họ và tên tác giả", "Học sinh"),
               kind="list"),
        Column("author_address", "Đơn vị/Địa chỉ", ("Đơn vị, địa chỉ", "Địa chỉ", "Đơn vị công tác", "Cơ quan công tác")),
        Column("field", "Lĩnh vực", ("Lĩnh vực dự thi",), required=True),
        Column("nominating_name", "Đơn vị giới thiệu", ("Đơn vị đề nghị", "Đơn vị gửi", "Đơn vị tiến cử")),
        Column("received_on", "Ngày nhận", ("Ngày nhận hồ sơ", "Ngày nộp"), kind="date"),
        Column("round_reached", "Vòng", ("Vòng thi",)),
        Column("class_name", "Lớp"),
        Column("school", "Trường", ("Trường học",)),
        Column("teacher", "Giáo viên hướng dẫn", ("GVHD", "Người hướng dẫn")),
        Column("votes", "Bình chọn", ("Lượt bình chọn", "Số lượt bình chọn"), kind="int", minimum=0),
        Column("sent_national", "Gửi dự thi toàn quốc", ("Dự thi toàn quốc",), kind="bool"),
        Column("national_prize", "Giải toàn quốc", ("Giải thưởng toàn quốc", "Kết quả toàn quốc")),
        Column("notes", "Ghi chú"),
        Column("score", "Điểm", kind="decimal", computed=True),
        Column("rank", "Xếp hạng", kind="int", computed=True),
        Column("prize", "Giải", kind="text", computed=True),
    ]


class EntryMapping(ContestsMapping):
    """``contests.entries`` → :class:`Entry` (``Mã`` CT-…)."""

    def __init__(self):
        super().__init__(name=ENTRIES, model=Entry, columns=entry_columns(), key_prefix="CT",
                         title="Giải pháp dự thi")

    def prepare(self) -> None:
        """The catalogue, then results brought up to date, so that ``Điểm``, ``Xếp hạng``
        and ``Giải`` are written as they stand."""
        super().prepare()
        recompute_stale()

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """The edition exists; the field is one of its fields."""
        editions = self.editions_for(values)
        if not editions:
            name = values.get("edition")
            if "edition" in values and not name:
                return [("edition", 'Thiếu "Cuộc thi": ghi tên cuộc thi của giải pháp')]
            if name:
                return [("edition", f'Cuộc thi "{name}" chưa được thiết lập trong phoihop: '
                                    + SETUP_HINT)]
            return [(None, "Chưa có cuộc thi nào trong phoihop: " + SETUP_HINT)]
        text = values.get("field")
        if text and not any(self.catalog.field_in(e, text) for e in editions):
            edition = self.catalog.latest(editions)
            names = self.catalog.field_names(edition)
            return [("field", f'Lĩnh vực "{text}" không thuộc {len(names)} lĩnh vực của {edition.name}: '
                              f'{"; ".join(names)}')]
        return []

    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        """A chunk as the sheet shows it: names from the catalogue, no query."""
        catalog = self.catalog
        found = {}
        for record in records:
            data = record.__data__
            found[record.id] = {
                "number": data.get("number"),
                "edition": catalog.edition_name(data.get("edition")),
                "title": data.get("title"),
                "authors": parse_list(data.get("authors")),
                "author_address": data.get("author_address"),
                "field": catalog.field_name(data.get("field")),
                "nominating_name": data.get("nominating_name"),
                "received_on": data.get("received_on"),
                "round_reached": data.get("round_reached"),
                "class_name": data.get("class_name"),
                "school": data.get("school"),
                "teacher": data.get("teacher"),
                "votes": data.get("votes"),
                "sent_national": data.get("sent_national"),
                "national_prize": data.get("national_prize"),
                "notes": data.get("notes"),
                "score": data.get("score"),
                "rank": data.get("rank"),
                "prize": rules.prize_label(
                    ranked=bool(data.get("ranked")), tier_name=catalog.tier_name(data.get("proposed_tier")),
                    contested=bool(data.get("contested")), overridden=bool(data.get("overridden")),
                    override_name=catalog.tier_name(data.get("override_tier"))),
            }
        return found

    def apply(self, record, values: dict) -> None:
        """Put a row's values on the record: the edition and field by the catalogue's ids
        (within the record's unit); authors as written (linked in :meth:`after_save_many`)."""
        catalog = self.catalog
        for name, value in values.items():
            if name in ("edition", "field"):
                continue
            setattr(record, name, format_list(value) or None if name == "authors" else value)
        edition_id = record.__data__.get("edition")
        if "edition" in values or edition_id is None:
            edition = catalog.latest(self.editions_for(values, record.unit_id))
            moved = edition is not None and edition.id != edition_id
            record.edition = edition.id if edition else None
            if moved and "field" not in values and record.__data__.get("field"):
                values = {**values, "field": catalog.field_name(record.__data__.get("field"))}
        edition = catalog.editions.get(record.__data__.get("edition"))
        if "field" in values:
            record.field = catalog.field_in(edition, values["field"]) if edition else None

    def after_save_many(self, pairs: list) -> None:
        """Authors, the nominating unit and the guiding teacher become the unit's people
        and organisations (created when new); scores follow an entry that moved to
        another edition or field. A constant number of statements per chunk."""
        link_entries(pairs)
        follow_entries([record.id for record, values in pairs if "edition" in values or "field" in values])


# -- contests.judges --------------------------------------------------------------------------------
def judge_columns() -> list[Column]:
    return [
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố", "Liên hiệp hội"), kind="unit"),
        Column("name", "Họ và tên", ("Họ tên", "Giám khảo", "Tên giám khảo", "Họ và tên giám khảo"), required=True),
        Column("fields_text", "Lĩnh vực", ("Lĩnh vực chấm", "Chuyên ngành chấm", "Tổ chấm"), required=True),
        Column("workplace_name", "Đơn vị công tác", ("Cơ quan công tác", "Nơi công tác")),
        Column("email", "Email", ("Thư điện tử", "E-mail")),
        Column("edition_name", "Cuộc thi", ("Tên cuộc thi",)),
    ]


class JudgeMapping(ContestsMapping):
    """``contests.judges`` → :class:`Judge` (``Mã`` GK-…)."""

    def __init__(self):
        super().__init__(name=JUDGES, model=Judge, columns=judge_columns(), key_prefix="GK", title="Giám khảo")

    def fields_of(self, text) -> tuple[list, list]:
        return self.catalog.judge_fields(text)

    def edition_of(self, values: dict, unit=None):
        """The judge's edition: the ``Cuộc thi`` named, else the latest of the kind their
        fields belong to; ``(edition, problem)``."""
        known, unknown = self.fields_of(values.get("fields_text"))
        if unknown:
            return None, ("fields_text", f'Lĩnh vực "{unknown[0]}" không có trong danh sách lĩnh vực của các cuộc thi')
        if not known:
            return None, ("fields_text", 'Thiếu "Lĩnh vực" mà giám khảo chấm')
        kinds = set.intersection(*({f.kind for f in found} for found in known))
        if values.get("edition_name"):
            editions = self.catalog.editions_named(values["edition_name"], unit)
            if not editions:
                name = values["edition_name"]
                return None, ("edition_name", f'Cuộc thi "{name}" chưa được thiết lập trong phoihop: '
                                              + SETUP_HINT)
            editions = [e for e in editions if e.kind in kinds] or editions
        else:
            editions = self.catalog.latest_of_kinds(kinds, unit)
        if not kinds:
            return None, ("fields_text", "Các lĩnh vực thuộc những cuộc thi khác nhau: tách thành một dòng cho mỗi cuộc thi")
        if not editions:
            kind = self.catalog.kinds.get(next(iter(kinds)))
            return None, (None, f'Chưa có cuộc thi "{kind}" nào trong phoihop: ' + SETUP_HINT)
        edition = self.catalog.latest(editions)
        outside = [found[0].name for found in known if not any(self.catalog.field_in(edition, f.name) for f in found)]
        if outside:
            return None, ("fields_text", f'Lĩnh vực "{outside[0]}" không thuộc các lĩnh vực của {edition.name}')
        return edition, None

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        _edition, problem = self.edition_of(values)
        return [problem] if problem else []

    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        return {record.id: {name: record.__data__.get(name)
                            for name in ("name", "fields_text", "workplace_name", "email", "edition_name")}
                for record in records}

    def apply(self, record, values: dict) -> None:
        for name, value in values.items():
            setattr(record, name, value)
        if "fields_text" in values or "edition_name" in values or record.__data__.get("edition") is None:
            data = {"fields_text": record.__data__.get("fields_text"), "edition_name": record.__data__.get("edition_name")}
            edition, _problem = self.edition_of(data, record.unit_id)
            record.edition = edition.id if edition else None

    def after_save_many(self, pairs: list) -> None:
        """The person (titles split off), the workplace, the panels — set-based; a person
        whose workplace or e-mail the registry lacks gets the sheet's."""
        link_judges(pairs)
        seat_judges(self.catalog, [record for record, values in pairs
                                   if {"fields_text", "edition_name", "name"} & set(values)])


# -- contests.scores --------------------------------------------------------------------------------
def score_columns(criteria=()) -> list[Column]:
    return [
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố", "Liên hiệp hội"), kind="unit"),
        Column("entry_key", "Mã giải pháp", ("Mã bài dự thi", "Mã công trình", "Mã sản phẩm", "Mã mô hình")),
        Column("entry_number", "STT giải pháp", ("STT bài dự thi", "STT công trình", "STT sản phẩm", "STT mô hình"),
               kind="int"),
        Column("judge_name", "Giám khảo", ("Họ và tên giám khảo", "Tên giám khảo", "Họ tên giám khảo"), required=True),
        Column("total", "Điểm", ("Tổng điểm", "Điểm chấm", "Điểm tổng"), kind="decimal", minimum=0),
        *criteria,
        Column("comment", "Nhận xét", ("Ý kiến", "Nhận xét của giám khảo")),
        Column("round", "Vòng", ("Vòng chấm", "Vòng thi")),
        Column("correction", "Phiếu sửa", ("Chấm lại", "Phiếu chấm lại", "Điều chỉnh"), kind="bool"),
        Column("edition_name", "Cuộc thi", ("Tên cuộc thi",)),
        Column("status", "Tình trạng phiếu", computed=True),
    ]


class ScoreMapping(ContestsMapping):
    """``contests.scores`` → :class:`Score` (``Mã`` PC-…), one worksheet per panel.

    Criteria are data: the mapping's columns are the fixed ones plus one per criterion,
    re-read when the criteria table changed (:meth:`refresh_criteria`, one query), before
    the engine looks for the header row."""

    def __init__(self):
        self._criteria_stamp = None
        super().__init__(name=SCORES, model=Score, columns=score_columns(), key_prefix="PC", title="Phiếu chấm")
        self.headers = headers_of(self)  # field → header, for messages
        self._run = threading.local()  # what one run has seen so far (a run stays on its thread)

    # -- criteria columns -------------------------------------------------------------------------
    @property
    def required(self):
        """The required columns — the first thing the engine reads of a mapping, so the
        criteria columns are brought up to date here."""
        self.refresh_criteria()
        return super().required

    def refresh_criteria(self) -> None:
        try:
            stamp = Criterion.select(peewee.fn.COUNT(Criterion.id), peewee.fn.MAX(Criterion.updated_at)).scalar(as_tuple=True)
        except (peewee.OperationalError, peewee.ProgrammingError, peewee.InterfaceError, AttributeError):
            return  # no database, or no table yet: the fixed columns
        if stamp == self._criteria_stamp:
            return
        taken = {normalise(s) for c in score_columns() for s in c.spellings}
        criteria = []
        for row in Criterion.select().order_by(Criterion.kind, Criterion.sort_order, Criterion.name):
            spellings = [s for s in [row.name, *split_aliases(row.aliases)] if normalise(s) not in taken]
            if not spellings:
                continue
            taken.update(normalise(s) for s in spellings)
            criteria.append(Column(f"{CRITERION_PREFIX}{row.id}", spellings[0], tuple(spellings[1:]), kind="decimal",
                                   minimum=0))
        columns = score_columns(criteria)
        self._by_field = {c.field: c for c in columns}
        self.columns = columns
        self.headers = headers_of(self)
        self._criteria_stamp = stamp

    # -- a run -------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """The catalogue, the panels and entries, the entries' Mã filled in where a score
        cited the entry's STT, and results brought up to date."""
        self.refresh_criteria()
        super().prepare()
        self._fill_entry_codes()
        recompute_stale()
        self._run.panels = Panels.load(self.catalog)
        self._run.seen = set()

    @property
    def panels(self) -> Panels:
        panels = getattr(self._run, "panels", None)
        if panels is None:
            panels = self._run.panels = Panels.load(self.catalog)
            self._run.seen = set()
        return panels

    def _fill_entry_codes(self):
        """Scores that cited their entry by STT get the entry's Mã (so the next write puts
        it in ``Mã giải pháp``). Without moving ``updated_at``: nothing to recompute."""
        pending = list(Score.select(Score.id, Score.entry)
                       .where(Score.entry_key.is_null(), Score.entry.is_null(False), Score.archived == False)  # noqa: E712
                       .tuples())
        if not pending:
            return
        codes = entry_codes({entry for _, entry in pending})
        updates = [(score_id, codes[entry]) for score_id, entry in pending if codes.get(entry)]
        with database.atomic():
            set_column(Score, "entry_key", updates, keep_stamp=True)

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """The entry and the judge exist, the judge sits on the entry's field panel, the
        score is within the scale, and the judge has no other score for the entry in this
        round — unless this row is marked as the correction (``Phiếu sửa``)."""
        found = self.panels.resolve(values, self.headers)
        if found.problems:
            return found.problems
        key = (found.entry.id, found.judge.id, normalise(values.get("round")), bool(values.get("correction")))
        seen = self._run.seen
        other = None
        if key in seen:
            other = ""
        elif not values.get("status"):  # a row phoihop has not answered yet: a new row
            known = self.panels.live().get(key)
            if known:
                other = f" (Mã {known[0][1]})" if known[0][1] else ""
        if other is not None:
            ref = values.get("entry_key") or f"STT {values.get('entry_number')}"
            return [("judge_name", f'Giám khảo "{values.get("judge_name")}" đã có phiếu chấm giải pháp {ref}{other}; '
                                   'nếu dòng này là phiếu sửa, ghi "Có" ở cột "Phiếu sửa"')]
        seen.add(key)
        return []

    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        found = {}
        criteria = [c.field for c in self.columns if c.field.startswith(CRITERION_PREFIX)]
        for record in records:
            data = record.__data__
            points = criteria_of(data.get("criteria"))
            values = {name: data.get(name) for name in ("entry_key", "entry_number", "judge_name", "comment",
                                                        "round", "correction", "edition_name", "status")}
            values["total"] = data.get("given_total")
            for name in criteria:
                values[name] = points.get(int(name[len(CRITERION_PREFIX):]))
            found[record.id] = values
        return found

    def apply(self, record, values: dict) -> None:
        """The row's inputs, then which entry and judge they mean within the record's
        unit, and the total it counts with: ``Điểm`` when given, else the criteria's sum."""
        points = criteria_of(record.__data__.get("criteria"))
        for name, value in values.items():
            if name.startswith(CRITERION_PREFIX):
                criterion = int(name[len(CRITERION_PREFIX):])
                if value is None:
                    points.pop(criterion, None)
                else:
                    points[criterion] = value
            elif name == "total":
                record.given_total = value
            elif name == "entry_key":
                record.entry_key = value or None
            else:
                setattr(record, name, value)
        if "entry_number" in values and "entry_key" not in values:
            record.entry_key = None  # the Mã phoihop filled in was the old STT's: found again below
        data = record.__data__
        inputs = {"entry_key": data.get("entry_key"), "entry_number": data.get("entry_number"),
                  "judge_name": data.get("judge_name"), "edition_name": data.get("edition_name"),
                  "total": data.get("given_total"),
                  **{f"{CRITERION_PREFIX}{criterion}": value for criterion, value in points.items()}}
        found = self.panels.resolve(inputs, self.headers, unit=record.unit_id)
        record.entry = found.entry.id if found.entry else None
        record.judge = found.judge.id if found.judge else None
        record.edition = found.entry.edition if found.entry else None
        record.field = found.entry.field if found.entry else None
        record.criteria = criteria_json(points)
        record.total = found.total

    def after_save_many(self, pairs: list) -> None:
        """The results of the editions these scores belong to, recomputed (so that the
        new rows' ``Tình trạng phiếu`` is written with them)."""
        editions = {record.__data__.get("edition") for record, _ in pairs} - {None}
        if editions:
            recompute_stale(editions)  # the fields whose scores changed
        live = self.panels.live()
        for record, _ in pairs:
            data = record.__data__
            if data.get("entry") and data.get("judge"):
                key = (data["entry"], data["judge"], normalise(data.get("round")), bool(data.get("correction")))
                known = live.setdefault(key, [])
                if record.id not in {i for i, _ in known}:
                    known.append((record.id, record.source_key))


def bindings() -> list[Mapping]:
    return [EntryMapping(), JudgeMapping(), ScoreMapping()]

