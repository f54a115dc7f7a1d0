"""Import boundaries between the layers (docs/architecture.md, "Boundaries"), checked by parsing each module's
imports with ast: nothing is imported, so a module that would fail to import is still checked.

- dnn/ (the network, training, data and model files) imports NumPy, h5py, Pillow and the standard library only;
- store/ (the run store) never imports Streamlit, ui/ or views/;
- ui/'s Streamlit-free helpers never reach Streamlit, not even through another module of this project;
- ui/ never imports a page script (views/); views/ reach the store through its package API only.
"""
from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = frozenset(sys.stdlib_module_names)
PACKAGES = ("dnn", "ui", "store", "views")

DNN_ALLOWED = STDLIB | {"numpy", "h5py", "PIL", "dnn"}
UI_FRAMEWORKS = {"streamlit", "plotly", "pandas", "altair", "pyarrow"}
# ui/ modules testable without Streamlit: the figures and their theme, the settings table, pacing, text, the
# BLAS helper and the server log.
# Every ui/plots_*.py is one of them too, whatever its name; a helper that is renamed or removed must be
# taken off this list (the test says so), and a new Streamlit-free module should be put on it.
STREAMLIT_FREE = ("ui/settings.py", "ui/pacing.py", "ui/text.py", "ui/blas.py", "ui/theme.py", "ui/logs.py")
# The store's modules a page may import besides the package itself: its errors and the record limits it shows.
STORE_API = {"store", "store.errors", "store.records"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def path_of(module: str) -> Path | None:
    """The project file that defines ``module``, or None when it is not part of this project."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside ``if TYPE_CHECKING:``: never executed, so not a dependency at run time."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


@cache
def imports(path: Path) -> frozenset[str]:
    """Every module ``path`` imports (at module level or inside functions), as absolute dotted names.

    ``from pkg import name`` yields ``pkg`` and, when ``pkg.name`` is a module of this project, that too.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = package[: len(package) - node.level + 1] if node.level else []
        module = ".".join(base + ([node.module] if node.module else []))
        found.add(module)
        found.update(f"{module}.{a.name}" for a in node.names if path_of(f"{module}.{a.name}") is not None)
    return frozenset(found)


def top(module: str) -> str:
    return module.split(".")[0]


def files(pattern: str) -> list[Path]:
    return sorted(ROOT.glob(pattern))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def closure(path: Path) -> dict[str, str]:
    """Every module reachable from ``path`` through this project's modules: {module: the file importing it}.

    Importing ``a.b`` runs ``a/__init__.py`` first, so parent packages are followed as well.
    """
    seen: dict[str, str] = {}
    todo = [path]
    visited: set[Path] = set()
    while todo:
        current = todo.pop()
        if current in visited:
            continue
        visited.add(current)
        for module in imports(current):
            seen.setdefault(module, rel(current))
            parts = module.split(".")
            for i in range(1, len(parts) + 1):
                target = path_of(".".join(parts[:i]))
                if target is not None:
                    todo.append(target)
    return seen


def test_the_boundaries_see_every_layer():
    """The checks below run over real files: an empty glob would make them pass without checking anything."""
    for package in PACKAGES:
        assert len(files(f"{package}/*.py")) >= 3, package
    assert len(files("ui/plots_*.py")) >= 3
    assert "streamlit" in imports(ROOT / "app.py")
    assert "numpy" in imports(ROOT / "dnn/core.py")
    assert {"ui.settings", "ui.session"} <= imports(ROOT / "app.py") | closure(ROOT / "app.py").keys()


@pytest.mark.parametrize("path", files("dnn/**/*.py"), ids=rel)
def test_dnn_imports_only_numpy_h5py_pillow_and_the_standard_library(path):
    outside = sorted(m for m in imports(path) if top(m) not in DNN_ALLOWED)
    assert not outside, f"{rel(path)} imports {outside}: dnn/ may use NumPy, h5py, Pillow and the standard library only"


@pytest.mark.parametrize("path", files("store/**/*.py"), ids=rel)
def test_store_never_imports_the_user_interface(path):
    wrong = sorted(m for m in imports(path) if top(m) in {"streamlit", "ui", "views", "plotly", "pandas", "altair"})
    assert not wrong, f"{rel(path)} imports {wrong}: the store is app-level and runs without Streamlit"


def streamlit_free_helpers() -> list[Path]:
    return sorted({ROOT / p for p in STREAMLIT_FREE} | set(files("ui/plots_*.py")))


@pytest.mark.parametrize("path", streamlit_free_helpers(), ids=rel)
def test_streamlit_free_helpers_never_reach_streamlit(path):
    assert path.is_file(), f"{rel(path)} is listed in STREAMLIT_FREE but does not exist: update the list"
    reached = closure(path)
    wrong = sorted(f"{m} (imported by {by})" for m, by in reached.items() if top(m) == "streamlit")
    assert not wrong, f"{rel(path)} must be testable without Streamlit, but reaches {wrong}"


@pytest.mark.parametrize("path", files("ui/*.py"), ids=rel)
def test_ui_never_imports_a_page(path):
    pages = sorted(m for m in imports(path) if top(m) == "views")
    assert not pages, f"{rel(path)} imports the page scripts {pages}: pages use ui/, never the other way round"


@pytest.mark.parametrize("path", [*files("views/*.py"), ROOT / "app.py"], ids=rel)
def test_pages_use_the_store_through_its_api(path):
    internal = sorted(m for m in imports(path)
                      if (top(m) == "store" and m not in STORE_API) or top(m) in {"sqlalchemy", "alembic", "psycopg"})
    assert not internal, f"{rel(path)} imports {internal}: pages reach the store through ``store`` (or ui/store_hooks)"


def test_the_checker_catches_what_it_should(tmp_path, monkeypatch):
    """Modules that break each rule are caught: relative, aliased, lazy and indirect imports are followed."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    sources = {
        "ui/__init__.py": "",
        "ui/helper.py": "from . import glue\n",
        "ui/glue.py": "def f():\n    import streamlit.components.v1 as c\n    return c\n",
        "ui/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import streamlit\n",
        "ui/pager.py": "from views import home\n",
        "dnn/__init__.py": "from .core import f\n",
        "dnn/core.py": "import numpy as np\nfrom PIL import Image\nimport plotly.express as px\n",
        "store/__init__.py": "import sqlalchemy\nfrom ui.settings import SETTINGS\n",
        "views/home.py": "from store.database import transaction\nfrom store import StoreError\n",
    }
    for name, text in sources.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    imports.cache_clear()
    try:
        assert "ui.glue" in imports(tmp_path / "ui/helper.py")
        assert "streamlit" not in imports(tmp_path / "ui/typed.py")
        broken = [
            (test_streamlit_free_helpers_never_reach_streamlit, "ui/helper.py", "streamlit.components.v1"),
            (test_ui_never_imports_a_page, "ui/pager.py", "views"),
            (test_dnn_imports_only_numpy_h5py_pillow_and_the_standard_library, "dnn/core.py", "plotly.express"),
            (test_store_never_imports_the_user_interface, "store/__init__.py", "ui.settings"),
            (test_pages_use_the_store_through_its_api, "views/home.py", "store.database"),
        ]
        for check, name, culprit in broken:
            with pytest.raises(AssertionError, match=culprit.replace(".", r"\.")):
                check(tmp_path / name)
        test_streamlit_free_helpers_never_reach_streamlit(tmp_path / "ui/typed.py")  # TYPE_CHECKING only: fine
    finally:
        imports.cache_clear()
