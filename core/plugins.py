"""The plugin manager: built by a function, never at import time.

Plugins are found three ways, in this order: the built-ins (``DEFAULT_PLUGINS``), the
``phoihop.plugins`` entry-point group, and module names in the ``PLUGINS`` setting. A
plugin is known by its name: the module name for built-ins and ``PLUGINS``, the
entry-point name for entry points. ``DISABLED_PLUGINS`` leaves names out. A plugin that
fails to import is recorded in ``pm.failed`` and skipped; the app starts without it.
"""
import importlib
import logging
import sys
from dataclasses import dataclass
from importlib import metadata

import pluggy

from core import hookspecs
from core.errors import ConfigError

log = logging.getLogger("phoihop.plugins")

ENTRY_POINT_GROUP = "phoihop.plugins"

# The activity areas are ordinary plugins, loaded like a province's own.
DEFAULT_PLUGINS = ("sheets.plugin", "plugins.training", "plugins.contests", "plugins.honours", "plugins.critique",
                   "plugins.coordination")


@dataclass
class FailedPlugin:
    name: str
    source: str
    error: str


def get_plugin_manager(plugins=(), disabled=(), trace=False, builtins=DEFAULT_PLUGINS, entry_points=True):
    """Build a plugin manager with every plugin that loads.

    ``entry_points``: ``True`` loads every installed ``phoihop.plugins`` entry point,
    ``False`` none, a collection of names only those (tests load what they name, not
    whatever happens to be installed)."""
    pm = pluggy.PluginManager("phoihop")
    pm.add_hookspecs(hookspecs)
    pm.failed = []
    pm.sources = {}
    disabled = set(disabled)

    def register(name, source, load):
        if name in disabled or pm.has_plugin(name):
            return
        try:
            module = load()
            pm.register(module, name=name)
        except Exception as exc:  # noqa: BLE001 — a broken plugin must not take the app down
            message = f"{type(exc).__name__}: {exc}"
            log.error("plugin %s (%s) failed to load: %s", name, source, message)
            pm.failed.append(FailedPlugin(name, source, message))
            return
        pm.sources[name] = source

    for name in builtins:
        register(name, "built-in", lambda name=name: importlib.import_module(name))
    if entry_points:
        wanted = None if entry_points is True else set(entry_points)
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if wanted is None or ep.name in wanted:
                register(ep.name, "entry point", ep.load)
    for name in plugins:
        register(name, "setting", lambda name=name: importlib.import_module(name))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise ConfigError(f"Plugin {pm.get_name(exc.plugin)}: {exc}") from exc
    if trace:
        pm.add_hookcall_monitoring(trace_before, trace_after)
    return pm


def trace_before(hook_name, hook_impls, kwargs):
    names = ", ".join(impl.plugin_name for impl in hook_impls)
    print(f"[phoihop] {hook_name}({', '.join(sorted(kwargs))}) -> {names or 'no plugin'}", file=sys.stderr)


def trace_after(outcome, hook_name, hook_impls, kwargs):
    if outcome.exception is not None:
        print(f"[phoihop] {hook_name} raised {outcome.exception!r}", file=sys.stderr)
    else:
        print(f"[phoihop] {hook_name} returned {outcome.get_result()!r:.300}", file=sys.stderr)


def describe(pm):
    """What ``phoihop plugins`` shows: each plugin with its hooks, version and source."""
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        rows.append(
            {
                "name": name,
                "source": pm.sources.get(name, "?"),
                "version": plugin_version(plugin),
                "hooks": hooks,
                "status": "loaded",
            }
        )
    for failed in pm.failed:
        rows.append(
            {"name": failed.name, "source": failed.source, "version": None, "hooks": [], "status": "failed", "error": failed.error}
        )
    return rows


def plugin_version(plugin):
    version = getattr(plugin, "__version__", None)
    if version:
        return str(version)
    top = getattr(plugin, "__name__", "").split(".")[0]
    for dist in metadata.packages_distributions().get(top, []):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None
