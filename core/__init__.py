"""phoihop core: the application factory, the database, the plugin manager.

A plugin marks its hook implementations with :data:`hookimpl`::

    from core import hookimpl

    @hookimpl
    def phoihop_models():
        return [MyModel]
"""
import pluggy

hookimpl = pluggy.HookimplMarker("phoihop")


def create_app(config=None, plugin_manager=None):
    """Build the Flask application (see :func:`core.app.create_app`)."""
    from core.app import create_app as _create_app

    return _create_app(config, plugin_manager=plugin_manager)


__all__ = ["hookimpl", "create_app"]
