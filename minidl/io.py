"""Atomic file writes: a result file appears whole or not at all.

Every writer here writes to a temporary file in the target's folder (so the
final step is a rename, never a copy) and moves it over the target with
``os.replace``; on any failure the temporary file is removed and the target
is left as it was. Used for weights, datasets, results, tables and figures.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from typing import Any, Callable


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> str:
    """Call ``write(tmp_path)``, then rename the temporary file onto ``path``.

    The temporary name keeps ``path``'s extension, for writers that add or
    check one (``np.savez``, ``savefig``). Returns ``path`` as a string.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(path)[1], dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; give it the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike, data: bytes) -> str:
    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return atomic_write(path, write)


def write_text(path: str | os.PathLike, text: str) -> str:
    """Write ``text`` as UTF-8, atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Write ``obj`` as indented JSON, atomically; NaN and inf become null so the JSON stays standard."""
    return write_text(path, json.dumps(finite(obj), indent=2, ensure_ascii=False, default=default) + "\n")


def save_figure(fig: Any, path: str | os.PathLike, **kwargs: Any) -> str:
    """``fig.savefig`` (matplotlib) to a temporary file beside ``path``, then rename."""
    ext = os.path.splitext(os.fspath(path))[1] or ".png"
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format=ext.lstrip("."), **kwargs))


def finite(obj: Any) -> Any:
    """A copy of ``obj`` with every non-finite float replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj
