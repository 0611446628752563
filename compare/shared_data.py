"""The course's own copies of the datasets (``<repo>/../shared/data``), assembled once per machine.

That folder holds real copies of the datasets the exercises use and a
``prepare.py OUT_DIR NAME...`` that writes one ``.npz`` per dataset in
``keras.datasets``' layout. When it is there, ``prepared_dir`` runs it into
``$MINIDL_TEST_DATA_DIR`` (default ``~/.cache/minidl/prepared``) for the
datasets not assembled yet and returns that folder; both ``compare`` and the
test suite read the data from there. Without it, None: the loaders then look
in ``$MINIDL_DATA_DIR`` and the Keras cache, as ``keras.datasets`` does.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

#: prepare.py's dataset names, keyed also by the minidl loader names
PREPARE_NAMES = {"mnist": "mnist", "cifar10": "cifar10", "boston_housing": "boston_housing",
                 "pima": "pima_indians_diabetes", "pima_indians_diabetes": "pima_indians_diabetes",
                 "imdb": "imdb_raw", "imdb_raw": "imdb_raw"}


def prepared_root() -> Path:
    env = os.environ.get("MINIDL_TEST_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "minidl" / "prepared"


def available() -> bool:
    return (SHARED_DATA / "prepare.py").is_file()


def prepared_dir(*names: str) -> Path | None:
    """The folder holding ``names`` assembled from the shared copy, or None without it.

    Raises RuntimeError naming the command when prepare.py fails (the data
    should then be there)."""
    if not available():
        return None
    unknown = [n for n in names if n not in PREPARE_NAMES]
    if unknown:
        raise ValueError(f"unknown dataset(s) {unknown}; the shared copy has {sorted(PREPARE_NAMES)}")
    out = prepared_root()
    wanted = {PREPARE_NAMES[n] for n in names}
    if wanted - {p.stem for p in out.glob("*.npz")}:
        out.mkdir(parents=True, exist_ok=True)
        # several processes may share the folder, and prepare.py's temporary names are fixed
        with open(out / ".prepare.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            todo = sorted(wanted - {p.stem for p in out.glob("*.npz")})
            if todo:
                prepare = SHARED_DATA / "prepare.py"
                result = subprocess.run([sys.executable, str(prepare), str(out), *todo],
                                        capture_output=True, text=True, timeout=600)
                if result.returncode != 0:
                    raise RuntimeError(f"{prepare} {out} {' '.join(todo)} failed ({result.returncode}):\n"
                                       f"{result.stderr}")
    return out
