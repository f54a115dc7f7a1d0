"""The app's BLAS thread limit, through threadpoolctl's public API."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_one_blas_thread_once_per_process():
    # A fresh interpreter: the limit lasts for the rest of the process, so it must not leak into this one.
    script = textwrap.dedent("""
        import numpy as np
        from threadpoolctl import threadpool_info
        from ui.blas import one_blas_thread
        first = one_blas_thread()
        assert one_blas_thread() is first, "set once per process"
        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        assert blas, "NumPy has a BLAS"
        print(sorted({p["num_threads"] for p in blas}))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[1]"


def test_the_app_has_no_private_streamlit_or_ctypes():
    sources = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "views").glob("*.py"),
               *(ROOT / "tests").glob("*.py"), *(ROOT / "tests" / "e2e").glob("*.py")]
    me = Path(__file__).resolve()
    for path in sources:
        if path.resolve() == me:
            continue
        text = path.read_text()
        for banned in ("streamlit.runtime", "PagesManager", "import ctypes", "require_shell"):
            assert banned not in text, (path.name, banned)
