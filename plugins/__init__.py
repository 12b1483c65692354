"""The activity areas (honours, contests, training, critique, coordination).

Each is an ordinary phoihop plugin, listed in ``core.plugins.DEFAULT_PLUGINS`` and loaded
exactly like a province's own; none imports another.
"""
