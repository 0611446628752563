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
    directory = _writable_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(path)[1], dir=directory)
    os.close(fd)
    try:
        write(tmp)
        _fsync(tmp)  # the data reaches the disk before the rename makes it the target
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it 0600; give it the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync(directory, directory=True)  # and the rename itself survives a crash
    return path


def _writable_folder(path: str) -> str:
    """``path``'s folder, created if missing; an OSError naming ``path`` when it cannot be."""
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path!r}: it is a folder")
    directory = os.path.dirname(os.path.abspath(path))
    parent = directory
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise NotADirectoryError(f"cannot write {path!r}: {parent!r} is a file, not a folder")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot write {path!r}: cannot create its folder {directory!r} "
                                   f"({exc.strerror})") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {path!r}: the folder {directory!r} is not writable")
    return directory


def _fsync(path: str, directory: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    except OSError:
        if directory:
            return  # some systems cannot open a folder; the file itself was synced
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


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
