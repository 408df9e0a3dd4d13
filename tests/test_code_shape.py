"""The shape of the code, checked as issue 18 asked: small functions, no import
cycle, imports that follow the architecture's direction, and no `_`-private
name used outside its own module (tests, benchmarks and examples included).

Static checks (ast only): nothing is imported or run.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gan_infer"
MAX_FUNCTION_LINES = 80
# A module holds at most this many lines in all, docstrings and comments
# included (issue 29: a file past 500 lines holds more than one concern).
MAX_MODULE_CODE_LINES = 500
MAX_MODULE_LINES = 500


def python_files(*folders):
    for folder in folders:
        if not (ROOT / folder).is_dir():
            continue
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ".venv" not in path.parts:
                yield path


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse(path):
    return ast.parse(path.read_text(), filename=str(path))


def code_lines(node, source_lines):
    """Lines of a function that are code: no blank, comment or docstring lines."""
    docstring = ast.get_docstring(node, clean=False)
    skip = set()
    if docstring is not None:
        first = node.body[0]
        skip = set(range(first.lineno, first.end_lineno + 1))
    return sum(
        1
        for number in range(node.lineno, node.end_lineno + 1)
        if number not in skip
        and source_lines[number - 1].strip()
        and not source_lines[number - 1].strip().startswith("#")
    )


def imported_modules(path):
    """(module, names) of every import in a file, at any depth; relative
    imports are resolved against the file's package."""
    package = (
        module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    )
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield base, [alias.name for alias in node.names]


def test_no_function_in_the_package_is_longer_than_the_limit():
    too_long = []
    for path in python_files("gan_infer"):
        lines = path.read_text().splitlines()
        for node in ast.walk(parse(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                count = code_lines(node, lines)
                if count >= MAX_FUNCTION_LINES:
                    too_long.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} "
                        f"({count} lines of code)"
                    )
    assert not too_long, too_long


def module_code_lines(path):
    """Lines of a module that are code: no blank, comment or docstring lines."""
    tree, lines = parse(path), path.read_text().splitlines()
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    return sum(
        1
        for number, line in enumerate(lines, 1)
        if number not in docstrings and line.strip() and not line.strip().startswith("#")
    )


def test_no_module_in_the_package_is_longer_than_the_limit():
    sizes = [
        (path, module_code_lines(path), len(path.read_text().splitlines()))
        for path in python_files("gan_infer")
    ]
    too_long = [
        f"{path.relative_to(ROOT)} ({code} lines of code, {total} in all)"
        for path, code, total in sizes
        if code > MAX_MODULE_CODE_LINES or total > MAX_MODULE_LINES
    ]
    assert not too_long, too_long


def package_import_graph():
    graph = {}
    for path in python_files("gan_infer"):
        name = module_name(path)
        targets = set()
        for module, names in imported_modules(path):
            if not module.startswith("gan_infer"):
                continue
            targets.add(module)
            # `from gan_infer.inferences import losses` imports a module too.
            targets.update(
                f"{module}.{n}"
                for n in names
                if (PACKAGE.parent / f"{module}.{n}".replace(".", "/")).exists()
                or (PACKAGE.parent / (f"{module}.{n}".replace(".", "/") + ".py")).exists()
            )
        graph[name] = {t for t in targets if t != name}
    return graph


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            # A package's __init__ importing its own submodules is not a cycle
            # with them: they import siblings, not the package's namespace.
            if node.startswith(target + ".") or target.startswith(node + "."):
                continue
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_package_has_no_import_cycle():
    assert find_cycle(package_import_graph()) is None


@pytest.mark.parametrize(
    "module_prefix, forbidden",
    [
        ("gan_infer.criticism", "gan_infer.inferences"),  # judges samples, not training code
        ("gan_infer.models", "gan_infer.inferences"),
        ("gan_infer.models", "gan_infer.criticism"),
        ("gan_infer.datasets", "tensorflow"),  # loading data never pays for TF
        ("gan_infer.inferences.losses", "gan_infer"),  # pure functions of tensors
    ],
)
def test_imports_follow_the_architecture(module_prefix, forbidden):
    offenders = [
        f"{name} imports {module}"
        for name, path in ((module_name(p), p) for p in python_files("gan_infer"))
        if name.startswith(module_prefix)
        for module, _ in imported_modules(path)
        if module.startswith(forbidden)
    ]
    assert not offenders, offenders


def test_the_package_uses_no_private_tensorflow_module():
    offenders = [
        f"{module_name(path)} imports {module}"
        for path in python_files("gan_infer")
        for module, _ in imported_modules(path)
        if module.startswith("tensorflow.python")
    ]
    assert not offenders, offenders


def test_nothing_in_the_package_imports_the_command_line():
    offenders = [
        module_name(path)
        for path in python_files("gan_infer")
        if not module_name(path).startswith("gan_infer.cli")
        for module, names in imported_modules(path)
        if module.startswith("gan_infer.cli") or (module == "gan_infer" and "cli" in names)
    ]
    assert not offenders, offenders


LOCAL_ROOTS = {"gan_infer", "tests", "benchmarks", "examples", "experiments"}


def private_uses(path):
    """`from m import _x`, `import m._x` and `m._x` (m an imported project
    module) in one file; dunder names are public."""
    tree, where = parse(path), path.name
    aliases, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] in LOCAL_ROOTS
        ):
            found += [
                f"{where}:{node.lineno} imports {a.name}" for a in node.names if is_private(a.name)
            ]
            aliases.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LOCAL_ROOTS:
                    if any(is_private(part) for part in alias.name.split(".")):
                        found.append(f"{where}:{node.lineno} imports {alias.name}")
                    aliases.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found.append(f"{where}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_used_outside_its_module():
    offenders = [
        use
        for path in python_files(*sorted(LOCAL_ROOTS))
        if (ROOT / path).exists()
        for use in private_uses(path)
    ]
    assert not offenders, offenders


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_checks_find_what_they_look_for(tmp_path):
    """The detectors themselves: a cycle and a long function are found."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    source = "def f():\n    '''doc\n    string'''\n    # comment\n\n" + "    x = 1\n" * 3
    node = ast.parse(source).body[0]
    assert code_lines(node, source.splitlines()) == 4  # the def line and three statements
    module = tmp_path / "module.py"
    module.write_text('"""doc"""\n\n# comment\nx = 1\n' + source)
    assert module_code_lines(module) == 5
    assert is_private("_x") and not is_private("__all__")
    module = tmp_path / "user.py"
    module.write_text(
        "from gan_infer.sweep import _trial\nimport gan_infer.util.progbar as pb\n"
        "pb._format(1)\nfrom gan_infer.models import __all__\n"
    )
    assert private_uses(module) == ["user.py:1 imports _trial", "user.py:3 uses pb._format"]
