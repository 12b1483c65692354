"""Languages: Vietnamese by default, English on request (flask-babel).

Our own strings live in ``translations/<lang>/LC_MESSAGES/messages.po``; Flask-Admin's
strings in ``admin.po`` beside them (its bundled Vietnamese is poor).
"""
import os

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import Babel, get_locale

TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")

bp = Blueprint("phoihop", __name__)


def select_locale():
    from flask import current_app, has_request_context

    wanted = session.get("lang") if has_request_context() else None
    if wanted in current_app.config["LANGUAGES"]:
        return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.route("/lang/<code>")
def language(code):
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    from core.security import safe_next

    return redirect(safe_next(request.args.get("next")))


@bp.route("/")
def root():
    return redirect(url_for("admin.index"))


def put_our_catalog_last():
    """Make our ``admin`` catalog win over Flask-Admin's bundled one.

    Flask-Admin searches ``[translations_path, its own folder]`` and Flask-Babel lets a
    later folder override an earlier one, so its poor Vietnamese would win for every
    string. It also adds our folder only while an admin view runs. We list ours last,
    always. Idempotent: the class is patched once per process.
    """
    import flask_admin.babel as admin_babel

    domain_class = admin_babel.CustomDomain
    if getattr(domain_class, "_phoihop_patched", False):
        return
    bundled = domain_class.translation_directories.fget

    def translation_directories(self):
        return [d for d in bundled(self) if d != TRANSLATIONS] + [TRANSLATIONS]

    domain_class.translation_directories = property(translation_directories)
    domain_class._phoihop_patched = True


def init_app(app):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS)
    put_our_catalog_last()
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.register_blueprint(bp)
