"""The pages the list of links has beside it (mixed into ``BindingView``, so that login,
roles and unit scoping stay the core's):

- ``/admin/binding/link/`` (GET, POST): choose the binding and the unit, upload an
  ``.xlsx`` or paste a Google Sheets address (``link`` permission);
- ``/admin/binding/link/preview/?worksheet=…``: choose the worksheet among the file's,
  see the header row found, the columns matched and those missing, then
  ``/admin/binding/link/confirm/`` (POST) links it, as ``phoihop sheets link`` does;
- ``/admin/binding/sync/`` (POST): "Đồng bộ ngay" of one link (``sync`` permission);
- ``/admin/binding/errors/?id=…``: the rows in error of the link's last run, each with
  its cell (list permission);
- ``/admin/binding/download/?id=…``: the synced workbook of an ``.xlsx`` link (export).

The link being made lives in the signed session between the steps, so its source (a
path on the server) never comes from the browser.
"""
from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, request, send_file, session, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import ConfigError
from core.formats import format_datetime
from core.models import Unit
from core.security import parse_key
from sheets.backend import BackendError
from sheets.linking import LinkError, cell_reference, link_binding, preview, worksheet_names
from sheets.outcomes import last_log
from sheets.schedule import default_minutes
from sheets.sources import normalise_source, open_backend
from sheets.uploads import UploadError, is_upload, store_upload, upload_folder

DRAFT = "phoihop_sheets_link"
MAX_MINUTES = 24 * 60
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LinkPages:
    """Link a sheet from the browser, sync one link, its errors, its workbook."""

    errors_shown = 1000  # a page lists at most this many row errors; the sheet's status column has them all

    def _mappings(self):
        return current_app.extensions["phoihop_bindings"]

    def _require(self, permission):
        if not self.allowed(permission):
            abort(403)

    def _units(self):
        """The units the user may link a sheet for: their own, or all when unscoped."""
        if current_user.unit_id is not None:
            return list(Unit.select().where(Unit.id == current_user.unit_id))
        return list(Unit.select().order_by(Unit.name))

    # -- step 1: binding, unit and source ------------------------------------------------
    @expose("/link/", methods=["GET", "POST"])
    def link_view(self):
        self._require("link")
        mappings, units = self._mappings(), self._units()
        chosen = {"binding": request.form.get("binding", ""), "unit": request.form.get("unit", ""),
                  "address": request.form.get("address", "")}
        if request.method == "POST":
            try:
                draft = self._draft_from_form(mappings, units)
            except (UploadError, LinkError, ConfigError) as exc:
                flash(str(exc), "error")
            else:
                self._forget_draft()
                session[DRAFT] = draft
                return redirect(url_for(".link_preview_view"))
        return self.render("sheets/link.html", mappings=sorted(mappings.items()), units=units, chosen=chosen,
                           max_mb=current_app.config.get("UPLOAD_MAX_MB", 20))

    def _draft_from_form(self, mappings, units):
        name = request.form.get("binding", "")
        if name not in mappings:
            raise LinkError(_("Choose what the sheet holds."))
        unit_id = parse_key(Unit.id, request.form.get("unit")) if request.form.get("unit") else None
        if current_user.unit_id is not None:
            unit_id = current_user.unit_id
        elif unit_id is not None and unit_id not in {u.id for u in units}:
            abort(400)
        upload = request.files.get("workbook")
        address = request.form.get("address", "").strip()
        if upload is not None and upload.filename:
            path = store_upload(upload, upload_folder(current_app), current_app.config.get("UPLOAD_MAX_MB", 20))
            return {"binding": name, "unit": unit_id, "source": str(path), "label": upload.filename}
        if not address:
            raise LinkError(_("Upload an .xlsx workbook or paste a Google Sheets address."))
        if not address.startswith(("gsheet:", "http://", "https://")):
            raise LinkError(_("Paste the address of a Google spreadsheet (https://docs.google.com/spreadsheets/d/…); "
                              "a workbook on this computer is uploaded instead."))
        return {"binding": name, "unit": unit_id, "source": normalise_source(address), "label": address}

    def _draft(self):
        draft = session.get(DRAFT)
        if not draft or draft.get("binding") not in self._mappings():
            flash(_("Start by choosing a workbook to link."), "error")
            return None
        return draft

    def _forget_draft(self, keep_file=False):
        """Drop the link being made, and its uploaded file unless it was linked."""
        draft = session.pop(DRAFT, None)
        if keep_file or not draft:
            return
        from sheets.models import Binding

        source = draft.get("source", "")
        if is_upload(source, upload_folder(current_app)) and not Binding.select().where(Binding.source == source).exists():
            try:
                os.unlink(source)
            except OSError:
                pass

    # -- step 2: worksheet and preview -----------------------------------------------
    @expose("/link/preview/")
    def link_preview_view(self):
        self._require("link")
        draft = self._draft()
        if draft is None:
            return redirect(url_for(".link_view"))
        mapping = self._mappings()[draft["binding"]]
        try:
            backend = open_backend(draft["source"])
            worksheets = worksheet_names(backend)
            worksheet = request.args.get("worksheet") or worksheets[0]
            if worksheet not in worksheets:
                abort(404)
            found = preview(backend, worksheet, mapping)
        except (LinkError, BackendError) as exc:
            flash(str(exc), "error")
            return redirect(url_for(".link_view"))
        unit = Unit.get_or_none(Unit.id == draft["unit"]) if draft.get("unit") else None
        return self.render("sheets/preview.html", draft=draft, mapping=mapping, unit=unit, worksheets=worksheets,
                           preview=found, minutes=default_minutes(draft["source"], current_app.config))

    # -- step 3: link -------------------------------------------------------------------
    @expose("/link/confirm/", methods=["POST"])
    def link_confirm_view(self):
        self._require("link")
        draft = self._draft()
        if draft is None:
            return redirect(url_for(".link_view"))
        worksheet = request.form.get("worksheet", "")
        try:
            minutes = int(request.form.get("minutes") or 0)
        except ValueError:
            minutes = -1
        if not 0 <= minutes <= MAX_MINUTES:
            flash(_("The schedule is a number of minutes from 0 (off) to %(most)s.", most=MAX_MINUTES), "error")
            return redirect(url_for(".link_preview_view", worksheet=worksheet))
        unit = Unit.get_or_none(Unit.id == draft["unit"]) if draft.get("unit") else None
        try:
            binding, _table = link_binding(draft["binding"], draft["source"], worksheet, unit,
                                           self._mappings()[draft["binding"]], schedule_minutes=minutes)
        except LinkError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".link_preview_view", worksheet=worksheet))
        self._forget_draft(keep_file=True)
        flash(_("Linked %(binding)s ← %(label)s [%(worksheet)s]. Sync it now with its button.",
                binding=binding.name, label=draft["label"], worksheet=worksheet), "success")
        return redirect(url_for(".index_view"))

    # -- one link -----------------------------------------------------------------------
    @expose("/sync/", methods=["POST"])
    def sync_one_view(self):
        self._require("sync")
        binding = self.get_one(request.form.get("id"))
        self.sync_bindings([binding])
        return redirect(url_for(".index_view"))

    @expose("/errors/")
    def errors_view(self):
        binding = self.get_one(request.args.get("id"))
        log = last_log(binding)
        summary = (log.summary or {}) if log is not None else {}
        columns = summary.get("columns") or {}
        errors, found = [], summary.get("errors", [])
        for error in found[:self.errors_shown]:
            text, url = cell_reference(binding, error.get("row"), error.get("column"), columns)
            errors.append({**error, "cell": text, "url": url})
        when = format_datetime(self, log.started_at, "started_at") if log is not None else None
        return self.render("sheets/errors.html", binding=binding, log=log, errors=errors, when=when,
                           more=len(found) - len(errors),
                           conflicts=summary.get("conflicts", []), can_sync=self.allowed("sync"),
                           can_download=self.allowed("export") and is_workbook(binding))

    @expose("/download/")
    def download_view(self):
        self._require("export")
        binding = self.get_one(request.args.get("id"))  # scoped: another unit's link is a 404
        if not is_workbook(binding) or not os.path.isfile(binding.source):
            abort(404)
        name = f"{binding.name}-{os.path.basename(binding.source)}"
        return send_file(binding.source, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)


def is_workbook(binding):
    return binding.source.lower().endswith(".xlsx") and not binding.source.startswith("gsheet:")
