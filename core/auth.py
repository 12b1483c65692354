"""Login, logout and roles (flask-login; passwords hashed by werkzeug).

Roles: ``admin`` may do everything; ``editor`` creates and edits the records of their
unit; ``viewer`` only reads them. A user with a unit sees only that unit's records.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l, gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from core.models import User

login_manager = LoginManager()
bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


@login_manager.user_loader
def load_user(user_id):
    return User.get_or_none(User.id == int(user_id), User.active == True)  # noqa: E712


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = User.get_or_none(User.email == form.email.data.strip().lower())
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        flash(_("Wrong email or password."), "error")
        status = 401
    return render_template("phoihop/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


def safe_next(target):
    """Only same-site paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("admin.index")


def can(action, user=None):
    """Whether the user may ``read``, ``create``, ``edit``, ``delete`` or ``manage``."""
    user = user or current_user
    if not user.is_authenticated:
        return False
    if user.role == "admin":
        return True
    if user.role == "editor":
        return action in {"read", "create", "edit"}
    return action == "read"


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    app.register_blueprint(bp)
