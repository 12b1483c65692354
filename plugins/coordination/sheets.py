"""The coordination area's sheet binding (spec/coordination.md, "Sheet"):
``coordination.agreements`` → :class:`~plugins.coordination.models.Agreement` (``Mã``
VB-…), one row per agreement.

``Đối tác`` is a list (two partners of one programme: "Sở Giáo dục và Đào tạo; Tỉnh
đoàn"), each linked to an organisation of the row's unit; ``Loại văn bản`` and each item
of ``Phương thức`` come from lookup lists (:class:`sheets.mapping.NamedChoices`); ``Lĩnh vực phối hợp``
is a list whose items may hold commas. phoihop writes back ``Cảnh báo``: the row's flags
joined by "; " (:mod:`plugins.coordination.rules`), at the right of the table when the
sheet lacks it.

Row errors name the column and change nothing else: an unknown kind or mode, a date that
does not exist, a valid-until date before the signing, a review cycle of 0 months or less.
``read_many`` answers a chunk in a constant number of queries: the partners (one) and
their joint activities (one per area, :mod:`plugins.coordination.links`).
"""
from __future__ import annotations

from sheets.mapping import Column, Mapping, NamedChoices
from sheets.values import CellError, format_list, parse_list
from plugins.coordination import rules
from plugins.coordination.links import assess, link_partners
from plugins.coordination.models import Agreement, AgreementKind, AgreementMode

BINDING = "coordination.agreements"
PLAIN_FIELDS = ("number", "signed_on", "valid_until", "review_months", "last_review_on")


def agreement_columns(kinds) -> list[Column]:
    """The spec's columns with the aliases offices use."""
    return [
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố", "Liên hiệp hội"), kind="unit"),
        Column("partners", "Đối tác", ("Đơn vị phối hợp", "Cơ quan phối hợp", "Đối tác phối hợp"), kind="list",
               required=True),
        Column("kind", "Loại văn bản", ("Loại", "Hình thức văn bản"), kind="choice", choices=kinds, required=True),
        Column("number", "Số hiệu", ("Số văn bản", "Số, ký hiệu", "Số ký hiệu")),
        Column("signed_on", "Ngày ký", ("Ngày ban hành",), kind="date"),
        Column("valid_until", "Hiệu lực đến", ("Thời hạn", "Hết hiệu lực", "Ngày hết hiệu lực"), kind="date"),
        Column("areas", "Lĩnh vực phối hợp", ("Nội dung phối hợp", "Lĩnh vực"), kind="list"),
        Column("modes", "Phương thức", ("Phương thức phối hợp", "Hình thức phối hợp"), kind="list"),
        Column("review_months", "Chu kỳ sơ kết (tháng)", ("Chu kỳ sơ kết", "Chu kỳ sơ kết, tổng kết (tháng)"), kind="int"),
        Column("last_review_on", "Ngày sơ kết gần nhất", ("Ngày sơ kết", "Sơ kết gần nhất"), kind="date"),
        Column("warnings", "Cảnh báo", computed=True),
    ]


class AgreementMapping(Mapping):
    """``coordination.agreements`` → :class:`Agreement` (``Mã`` VB-…)."""

    def __init__(self):
        self.kinds = NamedChoices(AgreementKind, "loại văn bản phối hợp", "loại")
        self.modes = NamedChoices(AgreementMode, "phương thức phối hợp", "phương thức")
        super().__init__(name=BINDING, model=Agreement, columns=agreement_columns(self.kinds), key_prefix="VB",
                         title="Văn bản phối hợp")

    def prepare(self) -> None:
        """The lookup lists: the kinds (a column's) and the modes (read item by item)."""
        super().prepare()
        self.modes.refresh()

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """The rules across cells (:func:`rules.check_agreement`) and each mode against its
        list."""
        problems = rules.check_agreement(values)
        for mode in values.get("modes") or []:
            try:
                self.modes.parse(mode)
            except CellError as exc:
                problems.append(("modes", f'Phương thức "{mode}" {exc.reason}'))
        return problems

    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        """A chunk as the sheet shows it, with ``Cảnh báo`` (:func:`links.assess`)."""
        flags = assess(records)
        found = {}
        for record in records:
            data = record.__data__
            found[record.id] = {
                **{name: data.get(name) for name in PLAIN_FIELDS},
                "partners": parse_list(data.get("partners_text")),
                "kind": self.kinds.name_of(data.get("kind")),
                "areas": parse_list(data.get("areas")),
                "modes": parse_list(data.get("modes")),
                "warnings": rules.flag_text(flags[record.id]) or None,
            }
        return found

    def apply(self, record, values: dict) -> None:
        """Put a row's values on the record: the kind by id, the modes by their canonical
        names, the partners as written (linked in :meth:`after_save_many`)."""
        for name, value in values.items():
            if name == "kind":
                record.kind = self.kinds.id_of(value) if value else None
            elif name == "partners":
                record.partners_text = format_list(value) or None
            elif name == "modes":
                record.modes = format_list([self.modes.parse(mode) for mode in value or []]) or None
            elif name == "areas":
                record.areas = format_list(value) or None
            else:
                setattr(record, name, value)

    def after_save_many(self, pairs: list) -> None:
        """The partners of a chunk, linked to the unit's organisations (set-based)."""
        chosen = [(record, parse_list(record.partners_text)) for record, values in pairs if "partners" in values]
        if chosen:
            link_partners(chosen)

