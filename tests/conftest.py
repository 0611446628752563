"""Fixtures shared by the whole test suite."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
# prepare.py's dataset names, keyed also by the minidl loader names.
_PREPARE_NAMES = {"mnist": "mnist", "cifar10": "cifar10", "boston_housing": "boston_housing",
                  "pima": "pima_indians_diabetes", "pima_indians_diabetes": "pima_indians_diabetes",
                  "imdb": "imdb_raw", "imdb_raw": "imdb_raw"}


def _prepared_dir() -> Path:
    env = os.environ.get("MINIDL_TEST_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "minidl" / "prepared"


@pytest.fixture(scope="session")
def real_data_dir() -> Callable[..., Path]:
    """Factory: ``real_data_dir("mnist", "imdb")`` -> a data dir holding those real datasets.

    Runs ``<repo>/../shared/data/prepare.py`` into ``$MINIDL_TEST_DATA_DIR``
    (default ``~/.cache/minidl/prepared``) for the datasets not prepared yet,
    so each is assembled once per machine. Skips the test when ``../shared/data``
    is absent; fails it when prepare.py fails, since the data should then be there.
    """

    def get(*names: str) -> Path:
        prepare = SHARED_DATA / "prepare.py"
        if not SHARED_DATA.is_dir() or not prepare.is_file():
            pytest.skip(f"real datasets absent: {prepare} not found (needs the shared/ folder beside the repo)")
        unknown = [n for n in names if n not in _PREPARE_NAMES]
        if unknown:
            raise ValueError(f"real_data_dir: unknown dataset(s) {unknown}; choose from {sorted(_PREPARE_NAMES)}")
        out = _prepared_dir()
        wanted = {_PREPARE_NAMES[n] for n in names}
        if wanted - {p.stem for p in out.glob("*.npz")}:
            out.mkdir(parents=True, exist_ok=True)
            # Several test sessions may share the folder, and prepare.py's temp file names are
            # fixed: a lock keeps two of them from writing the same dataset at once.
            with open(out / ".prepare.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                todo = sorted(wanted - {p.stem for p in out.glob("*.npz")})
                if todo:
                    result = subprocess.run([sys.executable, str(prepare), str(out), *todo],
                                            capture_output=True, text=True, timeout=300)
                    if result.returncode != 0:
                        pytest.fail(f"{prepare} {out} {' '.join(todo)} failed ({result.returncode}):\n"
                                    f"{result.stderr}")
        return out

    return get
