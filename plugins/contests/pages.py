"""The pages an edition and a certificate have beside their lists (mixed into the admin's
model views, so that login, roles and unit scoping stay the core's):

- ``/admin/contests_edition/ranking/?id=…&field=…``: the ranking page (list permission);
- ``/admin/contests_edition/override/`` (POST): the council's decision on an entry's prize
  — a tier, "no prize", or back to the proposal — with a note; audited with who and when
  (``override`` permission);
- ``/admin/contests_edition/annex/?id=…``: the prize list as the decision annex (xlsx) and
  ``/admin/contests_edition/followup/?id=…&list=…&format=xlsx|csv``: the follow-up lists of
  rule 7 (export permission);
- ``/admin/contests_certificate/print/?id=…``: the print-ready certificate (list).
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from werkzeug.utils import secure_filename

from core.models import AuditLog, now, snapshot
from core.security import parse_key
from plugins.contests import certificates, exports, rules
from plugins.contests.models import Certificate, Entry, PrizeTier
from plugins.contests.ranking import ranking
from plugins.contests.results import recompute_stale

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_PRIZE = "khong-giai"
PROPOSAL = ""


def attachment(data, filename, mimetype):
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={secure_filename(filename)}"})


class EditionPages:
    """The ranking page, the council's override and the exports of an edition."""

    def _edition(self):
        return self.get_one(request.values.get("id"))

    @expose("/ranking/")
    def ranking_view(self):
        edition = self._edition()
        field_id = parse_key(Entry.field, request.args.get("field")) if request.args.get("field") else None
        found = ranking(edition, field_id)
        return self.render("contests/ranking.html", edition=edition, ranking=found, field_id=field_id,
                           can_override=self.allowed("override"), can_export=self.allowed("export"),
                           no_prize=NO_PRIZE, lists=exports.LISTS, formulas=rules.FORMULAS)

    @expose("/override/", methods=["POST"])
    def override_view(self):
        if not self.allowed("override"):
            abort(403)
        key = parse_key(Entry.id, request.form.get("entry"))
        entry = Entry.get_or_none(Entry.id == key) if key is not None else None
        if entry is None or entry.edition_id is None:
            abort(404)
        edition = self.get_one(str(entry.edition_id))  # scoped: another unit's entry is a 404
        choice = request.form.get("tier", PROPOSAL)
        tier = None
        if choice not in (PROPOSAL, NO_PRIZE):
            tier_key = parse_key(PrizeTier.id, choice)
            tier = PrizeTier.get_or_none(PrizeTier.id == tier_key, PrizeTier.kind == edition.kind_id) if tier_key else None
            if tier is None:
                abort(400)
        before = snapshot(entry)
        note = (request.form.get("note") or "").strip()[:2000] or None
        if choice == PROPOSAL:
            entry.overridden, entry.override_tier, entry.override_note = False, None, note
        else:
            entry.overridden, entry.override_tier, entry.override_note = True, tier, note
        entry.overridden_by, entry.overridden_at = current_user.email, now()
        entry.save()
        recompute_stale([edition.id])
        entry = Entry.get_by_id(entry.id)
        AuditLog.record(actor=current_user.email, channel="admin", action="override", instance=entry,
                        before=before, after=snapshot(entry))
        what = "theo đề xuất" if choice == PROPOSAL else (tier.name if tier else "không có giải")
        flash(f'Đã ghi quyết định của Hội đồng cho "{entry.title}": {what}.', "success")
        return redirect(url_for(".ranking_view", id=edition.id, field=request.form.get("field") or None))

    @expose("/annex/")
    def annex_view(self):
        if not self.allowed("export"):
            abort(403)
        edition = self._edition()
        headers, rows = exports.annex_rows(edition)
        data = exports.xlsx_bytes(exports.title_lines(edition, "Danh sách giải pháp đạt giải"), headers, rows,
                                  "Danh sách đạt giải")
        return attachment(data, f"danh-sach-dat-giai-{edition.id}.xlsx", XLSX)

    @expose("/followup/")
    def followup_view(self):
        if not self.allowed("export"):
            abort(403)
        edition = self._edition()
        name = request.args.get("list")
        if name not in exports.BUILDERS:
            abort(404)
        headers, rows = exports.BUILDERS[name](edition)
        if request.args.get("format") == "csv":
            return attachment(exports.csv_text(headers, rows).encode("utf-8"), f"{name}-{edition.id}.csv",
                              "text/csv; charset=utf-8")
        data = exports.xlsx_bytes(exports.title_lines(edition, exports.LISTS[name]), headers, rows)
        return attachment(data, f"{name}-{edition.id}.xlsx", XLSX)


class CertificatePages:
    """The print-ready certificate."""

    @expose("/print/")
    def print_view(self):
        certificate = self.get_one(request.args.get("id"))
        return certificates.printable(certificate if isinstance(certificate, Certificate) else None)
