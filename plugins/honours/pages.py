"""The pages a round and a nomination have beside their lists (mixed into the admin's
model views, so that login, roles and unit scoping stay the core's):

- ``/admin/honours_round/council/?id=…``: the council's votes for a whole round on one
  screen (list permission to see; ``council`` to record: admins and editors, admins only
  once the round is closed — every change audited with who and when);
- ``/admin/honours_round/annex/?id=…``: the honoured list as the decision's annex, xlsx
  (export permission);
- ``/admin/honours_nomination/person/?id=<person>``: a person's history across rounds and
  areas (list permission; the person must be one the user may see).
"""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from werkzeug.utils import secure_filename

from core.admin import scope
from core.bulk import chunks, set_values
from core.models import AuditLog, Person, dump, now
from core.security import parse_key
from plugins.honours import rules
from plugins.honours.exports import annex_xlsx, nominators_of
from plugins.honours.history import person_facts, person_history
from plugins.honours.models import Category, Nomination, Round
from plugins.honours.results import refresh
from plugins.honours.rounds import ceremony_of, limit_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_VOTES = 10_000


def may_change(item: Round, view) -> bool:
    """Whether the current user may record the round's votes: ``council`` permission,
    and an admin once the round is closed."""
    return view.allowed("council") and not rules.locked(item.closed, current_user.role)


class RoundPages:
    """The council page and the honoured list of a round."""

    @expose("/council/", methods=["GET"])
    def council_view(self):
        item = self.get_one(request.args.get("id"))
        nominations = council_rows(item)
        names = nominators_of([n.id for n in nominations])
        return self.render("honours/council.html", round=item, nominations=nominations, nominators=names,
                           ceremony=ceremony_of(item), threshold=rules.describe_threshold(
                               item.members, item.members_present, item.threshold_share),
                           can_change=may_change(item, self), can_export=self.allowed("export"),
                           selected=rules.SELECTED)

    @expose("/council/", methods=["POST"])
    def council_save(self):
        item = self.get_one(request.form.get("id"))
        if not may_change(item, self):
            abort(403)
        nominations = council_rows(item)
        present, problems = read_number(request.form.get("present"), "Số thành viên có mặt"), []
        if isinstance(present, str):
            problems.append(present)
            present = item.members_present
        members = rules.members_voting(item.members, present)
        votes = {}
        for n in nominations:
            cast = []
            for side, label in (("for", "phiếu đồng ý"), ("against", "phiếu không đồng ý")):
                value = read_number(request.form.get(f"{side}-{n.id}"), f"{n.full_name}: {label}")
                if isinstance(value, str):
                    problems.append(value)
                    value = None
                cast.append(value)
            problem = rules.check_votes(*cast, item.members, present)
            if problem:
                problems.append(f"{n.full_name}: {problem}")
            votes[n.id] = tuple(cast)
        if problems:
            for problem in problems:
                flash(problem, "error")
            return redirect(url_for(".council_view", id=item.id))
        changed = record_votes(item, nominations, votes, present, current_user.email)
        flash(f"Đã ghi phiếu của Hội đồng: {changed} hồ sơ thay đổi"
              + (f" ({members} thành viên bỏ phiếu)." if members else "."), "success")
        return redirect(url_for(".council_view", id=item.id))

    @expose("/annex/")
    def annex_view(self):
        if not self.allowed("export"):
            abort(403)
        item = self.get_one(request.args.get("id"))
        return Response(annex_xlsx(item), mimetype=XLSX, headers={
            "Content-Disposition": f"attachment; filename={secure_filename(f'danh-sach-ton-vinh-{item.year}.xlsx')}"})


def council_rows(item: Round) -> list[Nomination]:
    """The round's nominations the council votes on: one per person and category."""
    return list(Nomination.select(Nomination, Category).join(Category, on=(Nomination.category == Category.id))
                .where(Nomination.round == item, Nomination.merged_into.is_null(), Nomination.archived == False)  # noqa: E712
                .order_by(Category.sort_order, Category.name, Nomination.name_key, Nomination.id))


def read_number(text, label):
    """A count typed in the form: an int (``None`` when blank), or the message why not."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_VOTES:
        return f'{label} "{text[:20]}" không phải số hợp lệ'
    return int(text)


def record_votes(item: Round, nominations, votes: dict, present, actor: str) -> int:
    """Save the votes (one UPDATE per 500 nominations changed), the result they give, the
    members present, one audit line per change; then the outcomes that follow. A
    decision imported from a past round's sheet without votes stays as it is."""
    if present != item.members_present:
        before = item.members_present
        item.members_present = present
        item.save()
        AuditLog.record(actor=actor, channel="admin", action="council_locked" if item.closed else "council",
                        instance=item, before={"members_present": before}, after={"members_present": present})
    limit = limit_of(item)
    changes, audit = {}, []
    for n in nominations:
        votes_for, votes_against = votes[n.id]
        if votes_for is None and n.result_source == "sheet":
            result, source = n.result, n.result_source
        else:
            result = rules.decide(votes_for, limit, bool(n.eligible))
            source = "council" if result is not None else None
        new = {"votes_for": votes_for, "votes_against": votes_against, "result": result, "result_source": source}
        old = {name: getattr(n, name) for name in new}
        if new != old:
            changes[n.id] = new
            audit.append({"actor": actor, "channel": "admin", "action": "council_locked" if item.closed else "council",
                          "model": Nomination._meta.table_name, "record_id": str(n.id), "unit": n.unit_id,
                          "at": now(), "before": dump(old), "after": dump(new)})
    if changes:
        set_values(Nomination, changes, ["votes_for", "votes_against", "result", "result_source"])
        for part in chunks(audit, 1000):
            AuditLog.insert_many(list(part)).execute()
    refresh(round_ids=[item.id])
    return len(changes)


class NominationPages:
    """A person's history across rounds and areas."""

    @expose("/person/")
    def person_view(self):
        key = parse_key(Person.id, request.args.get("id"))
        person = scope(Person.select(), Person).where(Person.id == key).first() if key is not None else None
        if person is None:
            abort(404)
        areas = person_history(person, current_app.extensions["phoihop_models"], current_app.extensions["phoihop_bindings"])
        return self.render("honours/history.html", person=person, facts=person_facts(person), areas=areas)
