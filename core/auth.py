"""Login, logout and the login session (flask-login; passwords hashed by werkzeug).

What each role may do in each admin view is declared on the view (``permissions`` in
``core.admin``). A user with a unit sees only that unit's records.

A session ends at logout, and when the user's password, role, unit or active flag
changes: each session keeps the user's ``session_version``, which those events raise.
Failed logins are throttled per address (Flask-Limiter) and per account (a lock kept in
the database), see ``core.security``.
"""
import functools
import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from core import security
from core.models import User

login_manager = LoginManager()
bp = Blueprint("auth", __name__)
SESSION_VERSION = "_session_version"


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


@login_manager.user_loader
def load_user(user_id):
    """The session's user, if the session is still current (see ``session_version``)."""
    if not str(user_id).isdigit() or len(str(user_id)) > 18:
        return None
    user = User.get_or_none(User.id == int(user_id), User.active == True)  # noqa: E712
    if user is None or session.get(SESSION_VERSION) != user.session_version:
        return None
    return user


def start_session(user):
    login_user(user)
    session[SESSION_VERSION] = user.session_version


def end_sessions(user_id):
    """End every login session of the user (each one checks the version it started with)."""
    User.update(session_version=User.session_version + 1).where(User.id == user_id).execute()


@functools.cache
def dummy_hash():
    """A hash made the way real ones are: checking a password against it costs the same,
    so an unknown e-mail answers as slowly as a wrong password."""
    return generate_password_hash("phoihop: no such user")


def verify_password(user, password):
    """Whether ``password`` is ``user``'s; the hash check runs even when there is no such
    (active) user, against :func:`dummy_hash`."""
    real = user is not None and user.active
    matches = check_password_hash(user.password_hash if real else dummy_hash(), password)
    return real and matches


@bp.route("/login", methods=["GET", "POST"])
@security.limiter.limit(security.address_limit, methods=["POST"], deduct_when=security.login_refused)
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("phoihop/login.html", form=form), 200
    email = form.email.data.strip().lower()
    locked = security.login_lock_seconds(email)
    if locked:
        return locked_out(form, locked)
    user = User.get_or_none(User.email == email)
    if verify_password(user, form.password.data):
        security.clear_login_failures(email)
        start_session(user)
        return redirect(security.safe_next(request.args.get("next")))
    security.record_login_failure(email)
    flash(_("Wrong email or password."), "error")
    return render_template("phoihop/login.html", form=form), 401


def locked_out(form, seconds):
    message = _("Too many failed logins for this account. Try again in %(minutes)s minutes.",
                minutes=security.minutes(seconds))
    answer = render_template("phoihop/login.html", form=form, errors=[message])
    return answer, 429, {"Retry-After": str(int(seconds))}


def too_many_from_address(exc):
    """Flask-Limiter's refusal, as the login page in the user's language."""
    message = _("Too many failed logins from this address. Try again later.")
    answer = render_template("phoihop/login.html", form=LoginForm(), errors=[message])
    limit = security.limiter.current_limit
    headers = {"Retry-After": str(max(1, int(limit.reset_at - time.time())))} if limit else {}
    return answer, 429, headers


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_sessions(current_user.id)
    logout_user()
    session.pop(SESSION_VERSION, None)
    return redirect(url_for("auth.login"))


def init_app(app):
    from flask_limiter.errors import RateLimitExceeded

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    app.register_blueprint(bp)
    app.register_error_handler(RateLimitExceeded, too_many_from_address)
