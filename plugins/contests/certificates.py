"""Giấy chứng nhận: a printable certificate per awarded entry, with a verification code
and a public page where anyone can check it without logging in.

A certificate keeps the facts it was issued with (edition, title, authors, field,
nominating unit, prize, decision), so that later edits never change what was printed.
Its code is 80 random bits from :mod:`secrets` (``ABCD-EFGH-IJKL-MNOP``): not guessable,
and the public page (:data:`blueprint`, ``/xac-minh/<code>``) shows only that
certificate's own facts — or that it was revoked, when and why. An unknown code says
only that it is unknown.
"""
from __future__ import annotations

import base64
import re
import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for

from core.models import now
from plugins.contests.models import Certificate, ContestField, Edition, Entry, PrizeTier

blueprint = Blueprint("contests_public", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/contests-static")
CODE = re.compile(r"^[A-Z2-7]{16}$")


def new_code() -> str:
    """80 random bits as 16 base-32 letters in groups of four: ``ABCD-EFGH-IJKL-MNOP``."""
    text = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def clean_code(text) -> str | None:
    """A code as typed (any case, with or without dashes or spaces) in its stored form,
    or ``None`` when it cannot be one."""
    letters = re.sub(r"[\s-]", "", str(text or "")).upper()
    if not CODE.match(letters):
        return None
    return "-".join(letters[i:i + 4] for i in range(0, 16, 4))


def issue(entries, actor: str) -> list[Certificate]:
    """A certificate for each entry that has a prize as it stands and no certificate in
    force; return the new ones. A few queries, whatever the number of entries."""
    ids = [e.id for e in entries]
    if not ids:
        return []
    held = {c for (c,) in Certificate.select(Certificate.entry)
            .where(Certificate.entry.in_(ids), Certificate.revoked_at.is_null()).tuples()}
    query = (Entry.select(Entry, Edition, PrizeTier, ContestField)
             .join(Edition, on=(Entry.edition == Edition.id))
             .join_from(Entry, PrizeTier, on=(Entry.final_tier == PrizeTier.id))
             .join_from(Entry, ContestField, on=(Entry.field == ContestField.id))
             .where(Entry.id.in_(ids), Entry.archived == False))  # noqa: E712
    made = []
    for entry in query:
        if entry.id in held:
            continue
        made.append(Certificate.create(
            unit=entry.unit_id, entry=entry, code=new_code(), edition_name=entry.edition.name, title=entry.title,
            authors=entry.authors, field_name=entry.field.name, nominating_name=entry.nominating_name,
            tier_name=entry.final_tier.name, decision_number=entry.edition.decision_number,
            decision_date=entry.edition.decision_date, issued_by=actor))
    return made


def revoke(certificates, actor: str, reason: str) -> int:
    """Revoke the certificates in force among ``certificates`` (kept, marked)."""
    ids = [c.id for c in certificates if c.revoked_at is None]
    if not ids:
        return 0
    return (Certificate.update(revoked_at=now(), revoked_by=actor, revoke_reason=reason)
            .where(Certificate.id.in_(ids)).execute())


def verify_url(certificate) -> str:
    return url_for("contests_public.verify", code=certificate.code, _external=True)


@blueprint.route("/xac-minh/")
def lookup():
    """A form to type a code; a code given goes to its page."""
    code = request.args.get("code")
    if code:
        found = clean_code(code)
        if found:
            return redirect(url_for("contests_public.verify", code=found))
        return render_template("contests/verify.html", certificate=None, asked=code[:40]), 404
    return render_template("contests/verify.html", certificate=None, asked=None)


@blueprint.route("/xac-minh/<code>")
def verify(code):
    """The certificate's own facts and whether it is in force; nothing else."""
    found = clean_code(code)
    certificate = Certificate.get_or_none(Certificate.code == found) if found else None
    if certificate is None:
        return render_template("contests/verify.html", certificate=None, asked=code[:40]), 404
    return render_template("contests/verify.html", certificate=certificate, asked=None)


def printable(certificate):
    """The print-ready certificate (for the admin's print button)."""
    if certificate is None:
        abort(404)
    return render_template("contests/certificate.html", certificate=certificate, url=verify_url(certificate))
