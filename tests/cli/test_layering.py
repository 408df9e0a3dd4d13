"""The command line's place in the package: on top, in parts that import each other one way.

- Nothing else in gan_infer imports gan_infer.cli.
- The modules of gan_infer.cli import each other without a cycle, in the
  order that gan_infer/cli/__init__.py lists them.
- No `_`-private name crosses a module boundary (in the package's command
  line and in these tests).
"""

import ast
import pathlib

import gan_infer
from gan_infer import cli

PACKAGE = pathlib.Path(gan_infer.__file__).parent
CLI = pathlib.Path(cli.__file__).parent
TESTS = pathlib.Path(__file__).parent
# The layers, lowest first: a module imports only modules before it.
ORDER = (
    "named_gan_base",
    "dcgan",
    "named_gans",
    "options",
    "run_folder",
    "sampling",
    "training",
    "evaluation",
    "sweep_results",
    "sweep",
    "parser",
    "command",
)


def imported_names(path):
    """Every dotted name `path` imports: modules and `module.name` for from-imports."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def is_from_the_package(name):
    """Whether `name` comes from gan_infer/cli/__init__.py rather than one of its modules."""
    parts = name.split(".")
    return parts[:2] == ["gan_infer", "cli"] and (len(parts) == 2 or parts[2] not in ORDER)


def cli_modules_imported(path):
    """The gan_infer.cli modules (by short name) that `path` imports."""
    found = set()
    for name in imported_names(path):
        parts = name.split(".")
        if parts[:2] == ["gan_infer", "cli"] and len(parts) > 2 and parts[2] in ORDER:
            found.add(parts[2])
    return found


def test_nothing_in_the_package_imports_the_command_line():
    for path in PACKAGE.rglob("*.py"):
        if CLI in path.parents:
            continue
        for name in imported_names(path):
            assert not name.startswith("gan_infer.cli"), f"{path} imports {name}"
    assert not (PACKAGE / "zoo.py").exists() and not (PACKAGE / "sweep.py").exists()


def test_the_command_line_modules_import_each_other_one_way():
    modules = {path.stem for path in CLI.glob("*.py")} - {"__init__", "__main__"}
    assert modules == set(ORDER)
    for position, module in enumerate(ORDER):
        later = cli_modules_imported(CLI / f"{module}.py") - set(ORDER[:position])
        assert not later, f"gan_infer/cli/{module}.py imports {sorted(later)}, above it"
        # Never from the package itself, whose __init__ imports every module.
        from_package = [
            name for name in imported_names(CLI / f"{module}.py") if is_from_the_package(name)
        ]
        assert not from_package, f"gan_infer/cli/{module}.py imports {from_package}"


def private_names_used_across_modules(path):
    """`from X import _y` and `module._y` where `module` was imported, in `path`."""
    tree = ast.parse(path.read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.update(alias.asname or alias.name for alias in node.names)
            yield from (
                f"{node.module}.{alias.name}" for alias in node.names if alias.name.startswith("_")
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            yield f"{node.value.id}.{node.attr}"


def test_no_private_name_crosses_a_module_boundary():
    for path in [*CLI.glob("*.py"), *TESTS.glob("*.py")]:
        assert not list(private_names_used_across_modules(path)), path
