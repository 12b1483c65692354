"""Dependencies point down only: plugins → sheets → core (DESIGN.md, "Layout").

Every module under core/, sheets/, plugins/ and phoihop_testing/ is read as source (never imported), and
every import in it — at the top, inside a function, relative, or a literal
``importlib.import_module("…")`` — is checked: core imports neither sheets nor plugins,
sheets imports no plugin, a plugin imports no other plugin, and the test kit that plugin
authors use (phoihop_testing) imports no plugin.
"""
import ast
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("core", "sheets", "plugins", "phoihop_testing")


def module_name(path):
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree, module, is_package=False):
    """``[(line, imported module)]`` of every import in ``tree``, anywhere in it. For
    ``from a import b`` both ``a`` and ``a.b`` are listed (``b`` may be a module)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")):
            found.append((node.lineno, node.args[0].value))
    return found


def offence(module, target):
    """Why ``module`` may not import ``target``, or ``None``."""
    mine, theirs = module.split("."), target.split(".")
    if mine[0] == "core" and theirs[0] in ("sheets", "plugins"):
        return "core imports nothing of sheets/ or plugins/"
    if mine[0] == "sheets" and theirs[0] == "plugins":
        return "sheets imports no plugin"
    if mine[0] == "phoihop_testing" and theirs[0] == "plugins":
        return "the test kit for plugins imports no plugin"
    if mine[0] == "plugins" and theirs[0] == "plugins" and len(mine) > 1 and len(theirs) > 1 and mine[1] != theirs[1]:
        return "a plugin imports no other plugin; what plugins share lives in core"
    return None


def offences(path, source, module):
    """One line per offending import statement, naming the file, line and module."""
    tree = ast.parse(source, filename=str(path))
    found = {}
    for line, target in imported(tree, module, path.name == "__init__.py"):
        if line not in found and (why := offence(module, target)):
            found[line] = f"{path}:{line}: {module} imports {target} — {why}"
    return list(found.values())


def test_dependencies_point_down_only():
    files = [path for layer in LAYERS for path in sorted((REPO / layer).rglob("*.py"))]
    assert len(files) > 20, "the layers were not found"
    found = []
    for path in files:
        found += offences(path.relative_to(REPO), path.read_text(encoding="utf-8"), module_name(path))
    assert not found, "\n".join(found)


# -- the check itself sees every way of importing ------------------------------------------
@pytest.mark.parametrize("module, source, offender", [
    ("core.demo", "from sheets.demo import link_and_sync", "sheets.demo"),
    ("core.formats", "def f():\n    from sheets.values import format_int", "sheets.values"),
    ("core.x", "import plugins.training.models as m", "plugins.training.models"),
    ("core.x", "class A:\n    def f(self):\n        import sheets", "sheets"),
    ("core.x", "import importlib\nimportlib.import_module('plugins.training')", "plugins.training"),
    ("sheets.run", "from plugins.training import reports", "plugins.training"),
    ("plugins.contests.rules", "from plugins.training.rules import split_title", "plugins.training.rules"),
    ("plugins.contests.rules", "from plugins import training", "plugins.training"),
    ("plugins.contests.rules", "from ...plugins.training import models", "plugins.training"),
    ("plugins.contests.rules", "from ..training import models", "plugins.training"),
    ("phoihop_testing.plugin", "def f():\n    from plugins.training.models import Activity", "plugins.training.models"),
])
def test_the_check_names_the_offender(module, source, offender):
    found = offences(Path(module.replace(".", "/") + ".py"), textwrap.dedent(source), module)
    assert found and offender in found[0] and module in found[0]


@pytest.mark.parametrize("module, source", [
    ("sheets.values", "from core.vietnamese import format_int"),
    ("plugins.training.reports", "from core.reports import Section\nfrom sheets.values import parse_list"),
    ("plugins.training.reports", "from plugins.training.models import Activity"),
    ("plugins.training.views", "from .models import Activity"),
    ("core.plugins", "DEFAULT_PLUGINS = ('sheets.plugin', 'plugins.training')"),
])
def test_the_check_lets_downward_imports_pass(module, source):
    assert offences(Path(module.replace(".", "/") + ".py"), source, module) == []
