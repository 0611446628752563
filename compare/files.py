"""Atomic writes: every result file appears whole or not at all (temp file + ``os.replace``)."""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Callable


def _atomic(path: str | os.PathLike, write: Callable[[str], None], suffix: str) -> str:
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
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


def write_text(path: str | os.PathLike, text: str) -> str:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    return _atomic(path, write, ".txt")


def write_json(path: str | os.PathLike, obj: Any) -> str:
    """Write ``obj`` as indented JSON atomically (NaN/inf are written as null)."""
    return write_text(path, json.dumps(_finite(obj), indent=2, ensure_ascii=False) + "\n")


def save_figure(fig: Any, path: str | os.PathLike, **kwargs: Any) -> str:
    """``fig.savefig`` to a temp file beside ``path``, then rename."""
    ext = os.path.splitext(os.fspath(path))[1] or ".png"
    return _atomic(path, lambda tmp: fig.savefig(tmp, format=ext.lstrip("."), **kwargs), ext)


def _finite(obj: Any) -> Any:
    """NaN and inf become None so that the JSON stays standard."""
    if isinstance(obj, float):
        return obj if obj == obj and abs(obj) != float("inf") else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj
