"""The package's size limits: every module, class and function small enough to read.

No module over 400 lines of code, no class over 300, no function over 60, and the
estimators' base class about 250, counting lines that hold code: docstrings (and the
numpydoc templates they are built from), comments and blank lines aside.
"""

import ast
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklstm"
MODULES = sorted(PACKAGE.rglob("*.py"))
LIMITS = {"module": 400, "class": 300, "function": 60}
BASE_CLASS_LIMIT = 260


def code_lines(source):
    """Line numbers that hold code: not blank, not comments, not docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_text(node.value):  # numpydoc templates
            docstrings.update(range(node.lineno, node.end_lineno + 1))
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _is_text(body[0].value):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                          tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
                          tokenize.ENDMARKER):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings


def _is_text(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def sizes(path):
    """(kind, name, lines of code) for the module and each class and function in it."""
    source = path.read_text()
    lines = code_lines(source)
    yield "module", path.relative_to(PACKAGE.parent).as_posix(), len(lines)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            span = set(range(node.lineno, node.end_lineno + 1))
            yield kind, f"{path.name}:{node.name}", len(lines & span)


def test_code_lines_skip_docstrings_comments_and_blanks():
    source = ('DOC = """a\nb"""\n'
              'def f(x):\n    """Doc.\n\n    More."""\n    # note\n\n    return x\n')
    assert code_lines(source) == {3, 9}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_classes_and_functions_stay_small(path):
    too_big = [f"{kind} {name}: {n} lines of code (limit {LIMITS[kind]})"
               for kind, name, n in sizes(path) if n > LIMITS[kind]]
    assert not too_big, "\n".join(too_big)


def test_the_estimators_base_class_holds_the_interface_only():
    (n,) = [n for path in MODULES for kind, name, n in sizes(path)
            if name.endswith(":BaseRecurrent")]
    assert n <= BASE_CLASS_LIMIT


def documented_order():
    """The modules of docs/architecture.md's first listing, in its order."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    block = text.split("\n\n    sklstm/", 1)[1].split("\n\n", 1)[0]
    names = ["sklstm/" + block.split()[0]]
    names += [line.split()[0] for line in block.splitlines()[1:]
              if line.startswith("    sklstm/")]
    return names


def unit_of(path):
    """The documented unit a module belongs to: its file, or its subpackage."""
    relative = path.relative_to(PACKAGE.parent).as_posix()
    parts = relative.split("/")
    return relative if len(parts) == 2 else "/".join(parts[:2]) + "/"


def imported_units(path):
    """Units of the package that the module at ``path`` imports (relative imports)."""
    units = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            target = base.joinpath(*(node.module or "").split(".")) if node.module else base
            for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                if candidate.exists() and candidate != PACKAGE / "__init__.py":
                    units.add(unit_of(candidate))
    return units


def test_each_module_imports_only_modules_above_it_in_the_architecture_doc():
    order = documented_order()
    assert len(order) == len(set(order)) and "sklstm/_base.py" in order
    index = {name: i for i, name in enumerate(order)}
    flow = [p for p in MODULES if unit_of(p) in index]
    assert {unit_of(p) for p in flow} == set(order), "a documented module is missing"
    wrong = [f"{unit_of(p)} imports {unit}" for p in flow for unit in imported_units(p)
             if unit != unit_of(p) and index.get(unit, len(order)) > index[unit_of(p)]]
    assert not wrong, "\n".join(wrong)


def test_every_module_is_in_the_architecture_doc():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    units = {unit_of(p) for p in MODULES} - {"sklstm/__init__.py"}
    missing = sorted(u for u in units if f"    {u}" not in text)
    assert not missing
