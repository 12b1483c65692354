"""The application factory."""
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from core import admin, auth, config, db, i18n, security
from core.plugins import get_plugin_manager
from core.registry import collect_bindings, collect_models

csrf = CSRFProtect()


def create_app(test_config=None, plugin_manager=None):
    """Build the phoihop Flask app.

    ``test_config`` (a dict) overrides the config file and the environment;
    ``plugin_manager`` replaces the one built from the settings (tests pass their own).
    """
    app = Flask("core", instance_relative_config=False)
    config.load(app, test_config)
    pm = plugin_manager or get_plugin_manager(
        plugins=app.config["PLUGINS"],
        disabled=app.config["DISABLED_PLUGINS"],
        trace=app.config["TRACE_PLUGINS"],
    )
    app.extensions["phoihop_pm"] = pm
    app.extensions["phoihop_models"] = collect_models(pm)
    bindings = collect_bindings(pm)
    app.extensions["phoihop_bindings"] = bindings

    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    admin.init_app(app, pm, bindings, i18n.TRANSLATIONS)
    return app
