"""Configuration: defaults, then an optional Python file, then the environment.

Every setting can be given as an environment variable ``PHOIHOP_<NAME>``; a config file
named by ``PHOIHOP_CONFIG`` (plain Python, Flask's ``from_pyfile``) is read first, so the
environment wins. ``create_app(config)`` wins over both (tests pass a dict).
"""
import datetime as dt
import os
import secrets

DEFAULTS = {
    # peewee database URL: sqlite:///path or postgresql://user:pass@host:port/name
    "DATABASE_URL": "sqlite:///phoihop.sqlite3",
    # extra plugin modules to load, besides the built-ins and the entry points
    "PLUGINS": [],
    # built-in (or entry-point) plugin names to leave out
    "DISABLED_PLUGINS": [],
    # log every hook call (datasette's DATASETTE_TRACE_PLUGINS)
    "TRACE_PLUGINS": False,
    "BABEL_DEFAULT_LOCALE": "vi",
    "LANGUAGES": ["vi", "en"],
    "ADMIN_NAME": "phoihop",
    # web hardening (core/security.py): reverse proxies in front (0: none), the session
    # cookie's Secure flag (auto: when the request is https), and the login throttle
    "PROXY_FIX": 0,
    "SESSION_COOKIE_SECURE": "auto",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_LOCK_SECONDS": 60,
    "LOGIN_LOCK_MAX_SECONDS": 3600,
    "LOGIN_ADDRESS_LIMIT": "10 per minute; 50 per hour",
    "LOGIN_LIMIT_STORAGE": "memory://",
    # how the admin shows times (stored in UTC)
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    # where `phoihop demo` and relative workbook paths live
    "WORKBOOK_DIR": ".",
    # a sync archives nothing when more than this share of the rows synced last time
    # vanished at once (and at least SYNC_MASS_ARCHIVE_MIN rows): a person confirms
    # with `phoihop sync --allow-mass-archive`
    "SYNC_MASS_ARCHIVE_SHARE": 0.2,
    "SYNC_MASS_ARCHIVE_MIN": 5,
    # requests per minute a Google service account may spend, over every binding and
    # process (sheets/quota.py): a sync waits for a token rather than provoking a 429; 0: no limit
    "SHEETS_READS_PER_MINUTE": 60,
    "SHEETS_WRITES_PER_MINUTE": 60,
    # how long the dashboard may show a review kept while the audit trail and today stay
    # the same (core/report_cache.py); 0: computed on every visit
    "DASHBOARD_CACHE_SECONDS": 60,
    "TODAY": None,  # an ISO date (PHOIHOP_TODAY) that rules depending on today read instead of today
    # scheduled syncs (sheets/schedule.py): office days (ISO weekdays, 1 = Monday) and
    # hours in TIMEZONE; a new link's interval in minutes; `phoihop serve` runs the due
    # syncs in one background thread unless SYNC_WORKER is off, looking every
    # SYNC_WORKER_SECONDS
    "SYNC_OFFICE_DAYS": "1-5",
    "SYNC_OFFICE_HOURS": "07:30-17:00",
    "SYNC_DEFAULT_MINUTES": 15,
    "SYNC_WORKER": True,
    "SYNC_WORKER_SECONDS": 60,
    # workbooks uploaded in the admin: where they are kept (default: the instance
    # folder's workbooks/) and the largest accepted, in MB
    "UPLOAD_DIR": None,
    "UPLOAD_MAX_MB": 20,
}

LIST_SETTINGS = {"PLUGINS", "DISABLED_PLUGINS", "LANGUAGES"}
BOOL_SETTINGS = {"TRACE_PLUGINS", "SYNC_WORKER"}
ENV_SETTINGS = set(DEFAULTS) | {"SECRET_KEY"}


def today(config=None):
    """Today, or the ``TODAY`` setting (an ISO date, ``PHOIHOP_TODAY``) when it is set: what
    every rule and page that depends on today reads, so that past years can be reviewed.
    ``config`` defaults to the current app's, else the environment; a malformed setting is
    a :class:`~core.errors.ConfigError` naming it."""
    from core.errors import ConfigError

    if config is None:
        from flask import current_app, has_app_context

        config = current_app.config if has_app_context() else {}
    value = config.get("TODAY")
    if value is None or (isinstance(value, str) and not value.strip()):
        value = os.environ.get("PHOIHOP_TODAY")
    if value is None or (isinstance(value, str) and not value.strip()):
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f'PHOIHOP_TODAY "{value}" không phải ngày dạng YYYY-MM-DD') from None


def split_list(value):
    """``"a, b;c"`` → ``["a", "b", "c"]``; lists pass through."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


def from_environment(environ=None):
    """The settings given as ``PHOIHOP_*`` environment variables."""
    environ = os.environ if environ is None else environ
    found = {}
    for name in ENV_SETTINGS:
        raw = environ.get(f"PHOIHOP_{name}")
        if raw is None or raw == "":
            continue
        if name in LIST_SETTINGS:
            found[name] = split_list(raw)
        elif name in BOOL_SETTINGS:
            found[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            found[name] = raw
    return found


def load(app, config=None, environ=None):
    """Fill ``app.config`` in order: defaults, config file, environment, ``config``."""
    environ = os.environ if environ is None else environ
    app.config.from_mapping(DEFAULTS)
    config_file = (config or {}).get("CONFIG_FILE") or environ.get("PHOIHOP_CONFIG")
    if config_file:
        app.config.from_pyfile(os.path.abspath(config_file))
    app.config.from_mapping(from_environment(environ))
    if config:
        app.config.from_mapping(config)
    for name in LIST_SETTINGS:
        app.config[name] = split_list(app.config[name])
    if not app.config.get("SECRET_KEY"):
        # Sessions then last as long as the process: fine for tests, warned for serve.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.config["SECRET_KEY_GENERATED"] = True


def plugin_settings(environ=None):
    """PLUGINS, DISABLED_PLUGINS and TRACE_PLUGINS from the config file and environment.

    The CLI needs them before any app exists, to build the plugin manager.
    """
    from flask import Config

    environ = os.environ if environ is None else environ
    found = Config(os.getcwd())
    found.from_mapping(DEFAULTS)
    if environ.get("PHOIHOP_CONFIG"):
        found.from_pyfile(os.path.abspath(environ["PHOIHOP_CONFIG"]))
    found.from_mapping(from_environment(environ))
    return {
        "PLUGINS": split_list(found["PLUGINS"]),
        "DISABLED_PLUGINS": split_list(found["DISABLED_PLUGINS"]),
        "TRACE_PLUGINS": bool(found["TRACE_PLUGINS"]),
    }
