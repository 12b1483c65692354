"""Web hardening, in one place: safe redirects, security headers and the Content Security
Policy (flask-talisman), session cookies, the reverse proxy (werkzeug's ProxyFix), the
per-address login rate (Flask-Limiter), the per-account login lock (in the database, so
that it holds across processes), and refusing input the database cannot take.

Settings (``PHOIHOP_<NAME>``, see the README's configuration table): ``PROXY_FIX``,
``SESSION_COOKIE_SECURE``, ``LOGIN_MAX_FAILURES``, ``LOGIN_WINDOW_MINUTES``,
``LOGIN_LOCK_SECONDS``, ``LOGIN_LOCK_MAX_SECONDS``, ``LOGIN_ADDRESS_LIMIT`` and
``LOGIN_LIMIT_STORAGE``.
"""
import datetime
import logging
from urllib.parse import unquote, urlsplit

import peewee
from flask import abort, current_app, has_request_context, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.signals import message_flashed
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

# The admin's own pages load scripts and styles from this site only; the few inline
# scripts (Flask-Admin's and ours) carry the request's nonce. Nothing frames the admin.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
NONCE_IN = ["script-src", "style-src"]
REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()"}

# Per-address rate of failed logins: Flask-Limiter, counting only refused logins.
limiter = Limiter(get_remote_address, headers_enabled=False)

# Integer ranges the databases take: ids beyond them are not found, not errors.
INT32 = 2**31 - 1
INT64 = 2**63 - 1
BIG_FIELDS = (peewee.BigIntegerField, peewee.BigAutoField)


# -- redirects ------------------------------------------------------------------------
def is_safe_path(target):
    """Whether ``target`` is a path on this site, safe to redirect to.

    Refused: a scheme or a host (``https://x``, ``//x``), a backslash (browsers read it
    as a slash), control or invisible characters (browsers drop tabs and newlines, so
    ``/\t/x`` becomes ``//x``), before or after percent-decoding, and anything that is
    not an absolute path.
    """
    if not isinstance(target, str) or not target:
        return False
    for text in (target, unquote(target)):
        if not text.isprintable() or "\\" in text:
            return False
        if not text.startswith("/") or text.startswith("//"):
            return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def safe_next(target, fallback=None):
    """``target`` when :func:`is_safe_path` accepts it, else ``fallback`` (the admin's home).
    The one check behind ``/login?next=``, ``/lang/<code>?next=`` and Flask-Admin's
    ``url=`` return addresses."""
    if is_safe_path(target):
        return target
    return fallback if fallback is not None else url_for("admin.index")


def flask_admin_redirect_target(param_name="url"):
    """Flask-Admin's ``get_redirect_target``, held to :func:`is_safe_path` (its own check
    lets a newline through to the Location header, a 500)."""
    target = request.values.get(param_name)
    return target if is_safe_path(target) else None


def patch_flask_admin_redirects():
    import flask_admin.actions
    import flask_admin.model.base

    for module in (flask_admin.actions, flask_admin.model.base):
        module.get_redirect_target = flask_admin_redirect_target


# -- ids and paging ---------------------------------------------------------------------
def parse_key(field, raw):
    """A primary-key value from a request, or ``None`` when it cannot name a row.

    Integers outside the column's range, non-numbers for integer keys, and text with NUL
    (PostgreSQL refuses it) name nothing: the caller answers 404.
    """
    if raw is None:
        return None
    if isinstance(field, peewee.ForeignKeyField):
        field = field.rel_field
    if isinstance(field, (peewee.IntegerField, peewee.AutoField)):
        text = str(raw).strip()
        if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 20:
            return None
        value = int(text)
        limit = INT64 if isinstance(field, BIG_FIELDS) else INT32
        return value if -limit <= value <= limit else None
    text = str(raw)
    if "\x00" in text or len(text) > 1000:
        return None
    return text


def clamp(value, low, high, default):
    """An integer request parameter kept inside ``[low, high]``; ``default`` when absent."""
    if value is None:
        return default
    return max(low, min(high, value))


# -- cookies ----------------------------------------------------------------------------
class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; ``SESSION_COOKIE_SECURE = "auto"`` (the default)
    marks the cookie Secure exactly when the request came over HTTPS (behind a proxy,
    as ProxyFix reports it)."""

    def get_cookie_secure(self, app):
        setting = app.config.get("SESSION_COOKIE_SECURE", "auto")
        if isinstance(setting, str):
            lowered = setting.strip().lower()
            if lowered == "auto":
                return has_request_context() and request.is_secure
            return lowered in {"1", "true", "yes", "on"}
        return bool(setting)


# -- settings ---------------------------------------------------------------------------
def setting_int(app, name):
    """An integer setting (the environment gives text)."""
    try:
        return int(app.config[name])
    except (TypeError, ValueError):
        from core.errors import ConfigError

        raise ConfigError(f"Thiết lập PHOIHOP_{name} phải là một số nguyên: {app.config[name]!r}") from None


def proxy_count(app):
    """How many reverse proxies stand in front: PROXY_FIX (0 off; 1, true, yes = one)."""
    raw = app.config.get("PROXY_FIX", 0)
    if isinstance(raw, str) and raw.strip().lower() in {"true", "yes", "on"}:
        return 1
    if isinstance(raw, str) and raw.strip().lower() in {"", "false", "no", "off"}:
        return 0
    return setting_int(app, "PROXY_FIX")


# -- input the database cannot take -------------------------------------------------------
def refuse_nul_bytes():
    """A NUL byte in a parameter is never meant (PostgreSQL cannot even store one): 400."""
    if "\x00" in request.path:
        abort(400)
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)


def bad_parameter(exc):
    """Last line of defence: a request value the database refused (out of range…)."""
    log.warning("request %s refused by the database: %s", request.full_path, exc)
    return _("The request has a value out of range."), 400


# -- flashes --------------------------------------------------------------------------------
def plain_flashes(sender, message, category, **extra):
    """Store a flashed lazy string as plain text.

    Flask keeps flashes in the session, whose serializer stores anything with
    ``__html__`` as Markup; flask-babel's lazy strings have one that returns the text
    unescaped, so a lazy message with sheet data in it would come back as trusted HTML.
    As plain text it is escaped when shown.
    """
    if not isinstance(message, LazyString):
        return
    flashes = session.get("_flashes") or []
    if flashes and flashes[-1][1] is message:
        flashes[-1] = (category, str(message))
        session["_flashes"] = flashes


# -- the login lock (per account, in the database) --------------------------------------------
def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def login_lock_seconds(email):
    """Seconds the account ``email`` stays locked (0: not locked). Unknown e-mails lock the
    same way, so a lock says nothing about whether an account exists."""
    from core.models import LoginFailure

    row = LoginFailure.get_or_none(LoginFailure.email == email)
    if row is None or row.locked_until is None:
        return 0
    left = (row.locked_until - now()).total_seconds()
    return max(0, int(left + 0.999))


def record_login_failure(email):
    """Count a failed login for ``email``; past LOGIN_MAX_FAILURES within
    LOGIN_WINDOW_MINUTES the account locks for LOGIN_LOCK_SECONDS, doubled at each
    further lock up to LOGIN_LOCK_MAX_SECONDS. Returns the lock's seconds (0: none)."""
    from core.db import database
    from core.models import LoginFailure

    app = current_app
    moment = now()
    window = datetime.timedelta(minutes=setting_int(app, "LOGIN_WINDOW_MINUTES"))
    with database.atomic():
        LoginFailure.insert(email=email, window_started=moment).on_conflict_ignore().execute()
        (LoginFailure.update(failures=0, window_started=moment)
         .where(LoginFailure.email == email, LoginFailure.window_started < moment - window).execute())
        (LoginFailure.update(failures=LoginFailure.failures + 1, last_failure_at=moment)
         .where(LoginFailure.email == email).execute())
        row = LoginFailure.get(LoginFailure.email == email)
        if row.failures < setting_int(app, "LOGIN_MAX_FAILURES"):
            return 0
        lockouts = row.lockouts + 1
        seconds = min(setting_int(app, "LOGIN_LOCK_SECONDS") * 2 ** min(lockouts - 1, 30),
                      setting_int(app, "LOGIN_LOCK_MAX_SECONDS"))
        (LoginFailure.update(failures=0, window_started=moment, lockouts=lockouts,
                             locked_until=moment + datetime.timedelta(seconds=seconds))
         .where(LoginFailure.email == email).execute())
        return seconds


def clear_login_failures(email):
    from core.models import LoginFailure

    LoginFailure.delete().where(LoginFailure.email == email).execute()


def address_limit():
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def login_refused(response):
    """Flask-Limiter counts a login attempt against the address only when it failed."""
    return response.status_code == 401


def minutes(seconds):
    return max(1, -(-int(seconds) // 60))


# -- wiring ---------------------------------------------------------------------------------
def init_app(app):
    """Install the headers, cookies, proxy handling, rate limit and input checks."""
    for name in ("LOGIN_MAX_FAILURES", "LOGIN_WINDOW_MINUTES", "LOGIN_LOCK_SECONDS", "LOGIN_LOCK_MAX_SECONDS"):
        app.config[name] = setting_int(app, name)
    app.session_interface = SessionInterface()
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    count = proxy_count(app)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count, x_prefix=count)
    app.extensions["phoihop_talisman"] = Talisman(
        app,
        force_https=False,
        session_cookie_secure=False,  # SessionInterface decides per request
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=NONCE_IN,
        referrer_policy=REFERRER_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        feature_policy={},
        document_policy={},
        strict_transport_security=True,
        strict_transport_security_include_subdomains=False,
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["LOGIN_LIMIT_STORAGE"])
    limiter.init_app(app)
    patch_flask_admin_redirects()
    app.before_request(refuse_nul_bytes)
    app.register_error_handler(OverflowError, bad_parameter)
    app.register_error_handler(peewee.DataError, bad_parameter)
    message_flashed.connect(plain_flashes, app)


def csp_nonce():
    """The request's CSP nonce, for Flask-Admin's ``csp_nonce_generator``."""
    return getattr(request, "csp_nonce", "")
