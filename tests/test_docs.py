"""The documentation keeps up with the code: a short README whose docs/ links resolve, and every environment
variable the code reads documented in docs/operations.md.

The variables are found, not listed: string constants and ``os.environ``/``env.get``/``os.getenv`` reads in
every Python file (app, tests, bench, deploy), ``${NAME:-...}`` in the shell scripts, and the names that each
``from_env()`` caps table asks for. A new variable therefore fails this test until it is documented.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
OPERATIONS = DOCS / "operations.md"
MAX_README_LINES = 150
SKIPPED_DIRS = {".venv", "node_modules", "artifacts", ".git", ".hypothesis", "__pycache__", ".dnn-explorer"}
# A variable's name: upper case, digits and underscores, as the environment has them.
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*[A-Z0-9]")
# Names every program sees but this project does not read as settings of its own.
NOT_SETTINGS = {"PATH", "HOME", "PYTHONPATH"}
DNN_NAME = re.compile(r"DNN_[A-Z0-9_]+")  # the project's prefix: such a string is a variable's name
READERS = ("get", "setdefault", "pop")


def python_files() -> list[Path]:
    """Every Python file of the project, the app's before the tests' (so a variable is reported where it is read)."""
    found = [p for p in ROOT.rglob("*.py") if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted(found, key=lambda p: (p.relative_to(ROOT).parts[0] in ("tests", "bench"), p))


def shell_files() -> list[Path]:
    found = [p for p in ROOT.rglob("*.sh") if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted([*found, ROOT / ".ci" / "run"])


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "TEXT" (also NAME1, NAME2 = "A", "B") assignments."""
    found: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = (zip(target.elts, node.value.elts, strict=False)
                     if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) else [(target, node.value)])
            for name, value in pairs:
                if isinstance(name, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[name.id] = value.value
    return found


def _is_environ(node: ast.AST) -> bool:
    """``os.environ``, ``environ`` or a mapping named ``env``/``environ`` (the code's way of passing it in)."""
    text = ast.unparse(node)
    return text in ("os.environ", "environ", "env", "self.environ") or text.endswith(".environ")


def python_reads(path: Path) -> Iterator[str]:
    """Names ``path`` reads from the environment, and every "DNN_..." string it holds (an env name by convention)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    constants = _constants(tree)

    def name_of(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return None  # an f-string: the from_env tables are asked below

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and DNN_NAME.fullmatch(node.value):
            yield node.value
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in READERS and _is_environ(func.value):
                name = name_of(node.args[0])
            elif ast.unparse(func) in ("os.getenv", "getenv"):
                name = name_of(node.args[0])
            else:
                continue
            if name:
                yield name
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            name = name_of(node.slice)
            if name:
                yield name
        elif isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            if any(_is_environ(c) for c in node.comparators):
                name = name_of(node.left)
                if name:
                    yield name


def shell_reads(path: Path) -> Iterator[str]:
    """``${NAME:-default}``-style reads of a variable the script does not set itself first."""
    text = path.read_text(encoding="utf-8")
    for name in set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)(?::?[-?=+])", text)):
        # NAME="${NAME:-...}" is an override read; any other assignment makes it the script's own variable.
        own = [m for m in re.finditer(rf"(?:^|[\s;]){name}=(\S*)", text, re.M)
               if not m.group(1).startswith((f'"${{{name}', f"${{{name}"))]
        if not own:
            yield name


class Recorder(dict):
    """An empty environment that remembers every name asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return default

    def __getitem__(self, key):
        self.asked.add(key)
        raise KeyError(key)

    def __contains__(self, key):
        self.asked.add(key)
        return False


def from_env_tables() -> Iterator[type]:
    """Every class with a ``from_env`` classmethod in the app's packages (the caps tables)."""
    for path in python_files():
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in ("dnn", "ui", "store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)
                   and any(isinstance(f, ast.FunctionDef) and f.name == "from_env" for f in n.body)]
        if classes:
            module = importlib.import_module(".".join(rel.with_suffix("").parts))
            yield from (getattr(module, name) for name in classes)


def table_reads(cls: type) -> set[str]:
    env = Recorder()
    cls.from_env(env)  # type: ignore[attr-defined]
    return env.asked


def environment_variables() -> dict[str, str]:
    """{name: where it is read}."""
    found: dict[str, str] = {}
    for path in python_files():
        if path == Path(__file__).resolve():
            continue  # this file's examples are not the project's variables
        for name in python_reads(path):
            found.setdefault(name, path.relative_to(ROOT).as_posix())
    for path in shell_files():
        for name in shell_reads(path):
            found.setdefault(name, path.relative_to(ROOT).as_posix())
    for cls in from_env_tables():
        for name in table_reads(cls):
            found.setdefault(name, f"{cls.__module__}.{cls.__name__}.from_env")
    return {k: v for k, v in found.items() if ENV_NAME.fullmatch(k) and k not in NOT_SETTINGS}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def broken_anchors(page: Path) -> list[str]:
    """Links ``file.md#anchor`` or ``#anchor`` from ``page`` whose heading does not exist."""
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", link) or "#" not in link:
            continue
        target, anchor = link.split("#", 1)
        path = (page.parent / target) if target else page
        if path.suffix == ".md" and path.exists() and anchor not in anchors(path):
            broken.append(link)
    return broken


def readme_links() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < MAX_README_LINES, (
        f"README.md has {len(lines)} lines; keep it under {MAX_README_LINES}: details belong in docs/")


def test_readme_maps_the_docs_and_every_link_resolves():
    links = readme_links()
    local = [link.split("#")[0] for link in links if not re.match(r"[a-z]+:", link)]
    docs = [link for link in local if link.startswith("docs/")]
    assert len(docs) >= 4, f"README.md should link each docs/ page; found {docs}"
    missing = sorted({link for link in local if link and not (ROOT / link).exists()})
    assert not missing, f"README.md links to files that do not exist: {missing}"
    assert not broken_anchors(README), f"README.md links to headings that do not exist: {broken_anchors(README)}"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {link.split("#")[0] for link in readme_links()}
    pages = sorted(p.relative_to(ROOT).as_posix() for p in DOCS.glob("*.md"))
    assert pages, "docs/ has no pages"
    assert not [p for p in pages if p not in linked], f"README.md does not link {[p for p in pages if p not in linked]}"


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_links_between_docs_resolve(page):
    text = page.read_text(encoding="utf-8")
    local = [link.split("#")[0] for link in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:", link)]
    missing = sorted({link for link in local if link and not (page.parent / link).exists()})
    assert not missing, f"{page.name} links to files that do not exist: {missing}"
    assert not broken_anchors(page), f"{page.name} links to headings that do not exist: {broken_anchors(page)}"


@pytest.mark.parametrize("package", ["dnn", "ui", "store", "views"])
def test_the_module_map_names_every_module(package):
    """docs/architecture.md's module map names each module (`name.py`, or `name` for a page script)."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    modules = sorted(p for p in (ROOT / package).glob("*.py") if p.name != "__init__.py")
    assert modules, package
    missing = [p.name for p in modules
               if not re.search(rf"`({re.escape(p.name)}|{re.escape(p.stem)})`|`[^`\n]*\b{re.escape(p.name)}\b", text)]
    assert not missing, f"docs/architecture.md's module map does not name {package}/{missing}: add a row for each"


def test_every_environment_variable_is_documented():
    found = environment_variables()
    # The finder must see the variables it was written against, or it checks nothing.
    assert {"DNN_DATA_DIR", "DNN_MEMORY_BUDGET_MB", "DATABASE_URL", "DNN_DATA_HOME", "CI"} <= found.keys(), found
    assert "DNN_STORE_RUN_TTL_DAYS" in found and "DNN_ITERATIONS_PER_TICK" in found, found
    documented = OPERATIONS.read_text(encoding="utf-8")
    missing = sorted(f"{name} (read in {where})" for name, where in found.items()
                     if not re.search(rf"`{name}`", documented))
    assert not missing, f"docs/operations.md does not document these environment variables: {missing}"


def test_the_finder_sees_every_way_of_reading(tmp_path):
    """Each way the code reads a variable is found; assignments and look-alikes are not."""
    source = tmp_path / "m.py"
    source.write_text(
        "import os\n"
        "A_ENV, B_ENV = 'ALPHA_ONE', 'BETA_TWO'\n"
        "x = os.environ.get(A_ENV)\n"
        "y = os.environ['GAMMA']\n"
        "z = os.getenv('DELTA_X', '1')\n"
        "def f(env):\n"
        "    return env.get('EPSILON') or ('ZETA' in os.environ)\n"
        "w = {'NOT_READ': 1}\n"
        "os.environ['SET_ONLY'] = '1'\n"
        "v = 'DNN_CONVENTION'\n")
    assert set(python_reads(source)) == {"ALPHA_ONE", "GAMMA", "DELTA_X", "EPSILON", "ZETA", "DNN_CONVENTION"}
    script = tmp_path / "s.sh"
    script.write_text('PY="${PY:-python3}"\nDIR=""\nDIR="${DIR:-/tmp}"\necho "${HOME_X:-}" $PLAIN\n')
    assert set(shell_reads(script)) == {"PY", "HOME_X"}

    @dataclasses.dataclass(frozen=True)
    class Caps:
        some_cap: int = 1

        @classmethod
        def from_env(cls, environ):
            return cls(**{f.name: int(environ.get(f"DNN_X_{f.name.upper()}", 1)) for f in dataclasses.fields(cls)})

    assert table_reads(Caps) == {"DNN_X_SOME_CAP"}


def test_anchor_check_finds_a_missing_heading(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("# Title\n## The course `.h5` files\n```\n# not a heading\n```\n"
                    "[ok](#the-course-h5-files) [bad](#not-a-heading) [x](a.md#title)\n")
    assert broken_anchors(page) == ["#not-a-heading"]
