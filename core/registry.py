"""Collect what plugins contribute, and refuse duplicates at start-up."""
from core.errors import ConfigError
from core.models import CORE_MODELS


def collect_models(pm):
    """Core models first, then every plugin's, each table name once."""
    models = list(CORE_MODELS)
    owners = {m._meta.table_name: "core" for m in models}
    for plugin, result in hook_results(pm, "phoihop_models"):
        for model in result or []:
            table = model._meta.table_name
            if table in owners:
                if owners[table] == plugin and model in models:
                    continue
                raise ConfigError(f"Bảng {table!r} được khai báo bởi cả {owners[table]} và {plugin}")
            owners[table] = plugin
            models.append(model)
    return models


def collect_bindings(pm):
    """``{binding name: mapping}`` from every plugin, each name once.

    Each mapping gets a ``plugin`` attribute naming the plugin that declared it.
    """
    bindings, owners = {}, {}
    for plugin, result in hook_results(pm, "phoihop_sheet_bindings"):
        for mapping in result or []:
            if mapping.name in bindings:
                raise ConfigError(f"Liên kết {mapping.name!r} được khai báo bởi cả {owners[mapping.name]} và {plugin}")
            bindings[mapping.name] = mapping
            owners[mapping.name] = plugin
            mapping.plugin = plugin
    return bindings


def hook_callers(pm, hook_name):
    """Yield ``(plugin name, caller)`` in call order: ``caller(**kwargs)`` calls the hook of
    that plugin alone and returns its results (a list)."""
    impls = getattr(pm.hook, hook_name).get_hookimpls()
    plugins = {impl.plugin_name: impl.plugin for impl in reversed(impls)}  # call order, each once
    for name in plugins:
        others = [plugin for other, plugin in plugins.items() if other != name]
        yield name, pm.subset_hook_caller(hook_name, remove_plugins=others)


def hook_results(pm, hook_name, **kwargs):
    """Call a hook plugin by plugin, yielding ``(plugin name, result)``.

    Used where the core must say which plugin contributed what (duplicates, the home page).
    """
    for name, caller in hook_callers(pm, hook_name):
        for result in caller(**kwargs):
            yield name, result
