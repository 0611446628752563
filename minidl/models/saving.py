"""Weight files: ``save_weights`` / ``load_weights`` (``.npz``, written atomically,
or Keras's ``.weights.h5`` through ``keras_format``).

Weights are named by position and layer type (``0.Dense/kernel``), not by
the layers' globally numbered names, so an identical architecture built
later loads them, as Keras's structural weight files do. Loading checks
every name and shape before it writes any weight.
"""
from __future__ import annotations

import os
import zipfile
from typing import Sequence

import numpy as np

from ..io import atomic_write


def assign_weights(model: str, layers: Sequence, weights: Sequence[np.ndarray]) -> None:
    """Give each layer its slice of ``weights``, after checking all of them."""
    counts = [len(layer.weights) for layer in layers]
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"Model {model!r}: set_weights takes a list of arrays, got {type(weights).__name__}")
    if len(weights) != sum(counts):
        raise ValueError(f"Model {model!r} has {sum(counts)} weight arrays, got {len(weights)}")
    arrays = [np.asarray(w) for w in weights]
    i = 0
    for layer, k in zip(layers, counts):  # check everything first: a refused call changes nothing
        for (key, current), new in zip([*layer.params.items(), *layer.state.items()], arrays[i:i + k]):
            if new.shape != current.shape:
                raise ValueError(f"Model {model!r}: layer {layer.name!r} weight {key!r} has shape "
                                 f"{current.shape}, got an array of shape {new.shape} (weights[{i}])")
            if new.dtype.kind not in "biuf":
                raise TypeError(f"Model {model!r}: weights[{i}] must be numeric, got dtype {new.dtype}")
            i += 1
    i = 0
    for layer, k in zip(layers, counts):
        layer.set_weights(arrays[i:i + k])
        i += k


def weight_items(model) -> list[tuple[str, np.ndarray]]:
    return [(f"{i}.{type(layer).__name__}/{key}", w) for i, layer in enumerate(model._leaf_layers())
            for key, w in (*layer.params.items(), *layer.state.items())]


def save_weights(model, path: str | os.PathLike) -> None:
    """Write every weight to an ``.npz`` file, atomically (temp file + rename)."""
    path = _path("save_weights", path)
    if path.endswith(".weights.h5"):
        from .keras_format import write_weights_h5
        atomic_write(path, lambda tmp: write_weights_h5(model, tmp, with_optimizer=False))
        return
    if not path.endswith(".npz"):
        raise ValueError(f"save_weights writes .npz or Keras's .weights.h5 files, got {path!r}")
    arrays = {f"{i:04d}:{name}": w for i, (name, w) in enumerate(weight_items(model))}
    atomic_write(path, lambda tmp: np.savez(tmp, **arrays))


EXPECTED = "an .npz archive written by save_weights (or a Keras .weights.h5 file)"


def describe_file(path: str) -> str:
    """What ``path`` holds, in words, from its first bytes: for messages about the wrong file."""
    if os.path.isdir(path):
        return "a folder"
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as exc:
        return f"nothing readable ({exc.strerror or exc})"
    if not head:
        return "nothing (an empty file)"
    if head.startswith(b"PK"):
        return "a damaged zip archive" if zipfile.is_zipfile(path) else "a truncated zip archive"
    if head.startswith(b"\x93NUMPY"):
        return "a single NumPy array (.npy, written by np.save)"
    if head.startswith(b"\x89HDF"):
        return "an HDF5 file"
    if head[:1] == b"\x80":
        return "a Python pickle"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return f"binary data starting with {head[:8]!r}"
    return f"a text file starting {text[:20]!r}"


def _not_weights(path: str) -> ValueError:
    return ValueError(f"load_weights: {path!r} is not a weights file: expected {EXPECTED}, "
                      f"but it holds {describe_file(path)}")


def load_weights(model, path: str | os.PathLike) -> None:
    """Read weights written by ``save_weights`` (or Keras's ``.weights.h5``); names and shapes must match."""
    path = _path("load_weights", path)
    if not os.path.exists(path):
        parent = os.path.dirname(os.path.abspath(path))
        while parent and not os.path.exists(parent):
            parent = os.path.dirname(parent)
        if parent and not os.path.isdir(parent):
            raise ValueError(f"load_weights: {path!r} is not a weights file: expected {EXPECTED}, but "
                             f"{parent!r} is a file, not a folder")
        raise FileNotFoundError(f"load_weights: no file {path!r}")
    if path.endswith(".h5"):
        from .keras_format import read_weights_h5
        if not _starts_with(path, b"\x89HDF"):
            raise _not_weights(path)
        read_weights_h5(model, path, path)
        return
    if not _starts_with(path, b"PK"):  # an .npz is a zip archive: refuse anything else by name
        raise _not_weights(path)
    try:
        loaded = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _not_weights(path) from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise _not_weights(path)
    with loaded:
        stored = sorted(loaded.files)
        try:
            arrays = [loaded[k] for k in stored]
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise ValueError(f"load_weights: {path!r} is a damaged weights archive: expected {EXPECTED}; "
                             f"reading it failed: {exc}") from None
    items = weight_items(model)
    names = [k.split(":", 1)[-1] for k in stored]
    if names != [name for name, _ in items]:
        raise ValueError(f"load_weights: {path!r} holds weights {names}, model {model.name!r} "
                         f"expects {[name for name, _ in items]}")
    model.set_weights(arrays)


def _path(what: str, path) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what}: the path must be a str or os.PathLike ending in .npz or .weights.h5, "
                        f"got {type(path).__name__} {path!r}")
    return os.fspath(path)


def _starts_with(path: str, magic: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:  # a folder, no permission: describe_file says which
        return False
