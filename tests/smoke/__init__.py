"""Smoke tests: real generated projects, run as their users run them."""

import os
import tempfile
from pathlib import Path

# Every generated project imports the same libraries (FastAPI, SQLAlchemy, pydantic, ...): one mypy cache per
# test worker lets each project's `mypy` check only its own modules, about 1.5 s instead of 12 s. Incremental
# checking is mypy's own: a module whose source differs from the cached one is checked again.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault("MYPY_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"dbgen-smoke-mypy-{_worker}"))
