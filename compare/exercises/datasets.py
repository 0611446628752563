"""Data pipelines in NumPy, shared by every exercise, and the one dataset-label function.

Real data come from :mod:`minidl.datasets` (``data_dir``, else
``$MINIDL_DATA_DIR``, else the course's shared copy when it is beside the
repository (``compare.shared_data``), else the Keras cache); nothing here is synthetic unless
its name says so. Loads are cached per process (several variants share one).
"""
from __future__ import annotations

import functools
import os
from typing import Any, Callable, Sequence

import numpy as np

from .. import shared_data
from .base import Data

PRETTY = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "mnist": "MNIST", "imdb": "IMDB",
          "boston_housing": "Boston housing", "pima": "Pima diabetes"}


def resolve_dir(data_dir: str | os.PathLike | None, name: str | None = None) -> str | None:
    """``data_dir`` if given, else ``$MINIDL_DATA_DIR``, else the prepared shared copy
    of dataset ``name`` when there is one, else None (the loader's default: the Keras cache)."""
    if data_dir is not None:
        return os.fspath(data_dir)
    env = os.environ.get("MINIDL_DATA_DIR")
    if env:
        return env
    if name is not None and name in shared_data.PREPARE_NAMES:
        prepared = shared_data.prepared_dir(name)
        return None if prepared is None else os.fspath(prepared)
    return None


def describe(name: str, data_dir: str | None) -> dict[str, Any]:
    """``minidl.datasets.describe`` as plain JSON values."""
    from minidl import datasets
    return {k: (str(v) if k == "path" and v is not None else v)
            for k, v in datasets.describe(name, resolve_dir(data_dir, name)).items()}


def label(info: dict[str, Any], quick: bool = False) -> str:
    """What figure titles call the data: "lossy CIFAR-10", "SYNTHETIC stand-in for ...", ..."""
    pretty = PRETTY.get(str(info.get("name")), str(info.get("name")))
    if info.get("source") == "generated":
        text = f"generated samples ({pretty})"
    elif info.get("synthetic") or info.get("source") == "synthetic":
        text = f"SYNTHETIC stand-in for {pretty}"
    elif info.get("lossy"):
        text = f"lossy {pretty}"
    else:
        text = pretty
    return text + (" · quick run (slice, few epochs)" if quick else "")


@functools.lru_cache(maxsize=4)
def _load(name: str, data_dir: str | None, kwargs: tuple = ()) -> Any:
    from minidl import datasets
    return getattr(datasets, name).load_data(data_dir=data_dir, **dict(kwargs))


def load(name: str, data_dir: str | None, **kwargs: Any) -> Any:
    """``minidl.datasets.<name>.load_data(data_dir=..., **kwargs)``, cached."""
    return _load(name, resolve_dir(data_dir, name), tuple(sorted(kwargs.items())))


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """labels (n,) or (n, 1) ints -> (n, n_classes) float64 one-hot."""
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def standardize(train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Flatten to (n, features); standardize with the training mean/std (zero std: only centred)."""
    t = train.reshape(len(train), -1).astype(np.float64)
    mean, std = t.mean(axis=0), t.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return ((t - mean) / std, *((o.reshape(len(o), -1).astype(np.float64) - mean) / std for o in others))


def take(n: int | None, *arrays: Any) -> tuple[Any, ...]:
    """The first ``n`` rows of each (all when None)."""
    return tuple(arrays) if n is None else tuple(a[:n] for a in arrays)


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int | None = None, dtype: str = "int32",
                  padding: str = "pre", truncating: str = "pre", value: int | float = 0) -> np.ndarray:
    """``keras.utils.pad_sequences`` in NumPy: (n, maxlen), truncating/padding at the start by default."""
    if padding not in ("pre", "post"):
        raise ValueError(f"padding must be 'pre' or 'post', got {padding!r}")
    if truncating not in ("pre", "post"):
        raise ValueError(f"truncating must be 'pre' or 'post', got {truncating!r}")
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    if maxlen < 0:
        raise ValueError(f"maxlen must be >= 0, got {maxlen}")
    out = np.full((len(sequences), maxlen), value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, seq in enumerate(sequences):
        if len(seq) == 0:
            continue
        seq = np.asarray(seq)
        trunc = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if padding == "pre":
            out[i, maxlen - len(trunc):] = trunc
        else:
            out[i, :len(trunc)] = trunc
    return out


def count_vectors(sequences: Sequence[Sequence[int]], num_words: int, dtype: str = "float32") -> np.ndarray:
    """(n, num_words) word counts per review; indices outside [0, num_words) are an error."""
    out = np.zeros((len(sequences), num_words), dtype=dtype)
    for i, seq in enumerate(sequences):
        if len(seq) == 0:
            continue
        idx = np.asarray(seq, dtype=np.int64)
        if idx.min() < 0 or idx.max() >= num_words:
            raise ValueError(f"review {i} has word index outside [0, {num_words})")
        out[i] = np.bincount(idx, minlength=num_words)
    return out


def imdb(data_dir: str | None, quick: bool, n_quick: tuple[int, int] = (2000, 1000), seed: int = 0):
    """IMDB, 10,000 words: (train ids, y), (test ids, y) and the source; quick: seeded random slices."""
    (x_tr, y_tr), (x_va, y_va) = load("imdb", data_dir, num_words=10_000)
    info = describe("imdb", data_dir)
    if quick:
        r1 = np.random.default_rng(seed).permutation(len(y_tr))[:n_quick[0]]
        r2 = np.random.default_rng(seed + 1).permutation(len(y_va))[:n_quick[1]]
        x_tr, y_tr, x_va, y_va = [x_tr[i] for i in r1], y_tr[r1], [x_va[i] for i in r2], y_va[r2]
    col = lambda y: np.asarray(y, np.float64).reshape(-1, 1)  # noqa: E731
    return (list(x_tr), col(y_tr)), (list(x_va), col(y_va)), info


def imdb_data(data_dir: str | None, quick: bool, preprocessing: str,
              encode: Callable[[list], np.ndarray]) -> Data:
    """:func:`imdb` as a :class:`Data`, both splits' reviews through ``encode``; ``preprocessing``
    says what ``encode`` does (for the results' info)."""
    (x_tr, y_tr), (x_va, y_va), info = imdb(data_dir, quick)
    info = {**info, "n_train": len(y_tr), "n_val": len(y_va), "preprocessing": preprocessing}
    return Data(encode(x_tr), y_tr, encode(x_va), y_va, label(info, quick), info)


def mnist(data_dir: str | None, quick: bool, n_quick: tuple[int, int] = (2000, 500)):
    """MNIST /255 as (n, 28, 28, 1) float64, one-hot labels; quick: the first images."""
    (x_tr, y_tr), (x_va, y_va) = load("mnist", data_dir)
    if quick:
        x_tr, y_tr = take(n_quick[0], x_tr, y_tr)
        x_va, y_va = take(n_quick[1], x_va, y_va)
    prep = lambda x: (np.asarray(x, np.float64) / 255.0).reshape(-1, 28, 28, 1)  # noqa: E731
    return (prep(x_tr), one_hot(y_tr, 10)), (prep(x_va), one_hot(y_va, 10)), describe("mnist", data_dir)


def cifar(name: str, data_dir: str | None, n: tuple[int | None, int | None]):
    """CIFAR images (n, 32, 32, 3) uint8 and integer labels; the first n of each split."""
    (x_tr, y_tr), (x_va, y_va) = load(name, data_dir)
    x_tr, y_tr = take(n[0], x_tr, y_tr)
    x_va, y_va = take(n[1], x_va, y_va)
    return (x_tr, np.ravel(y_tr)), (x_va, np.ravel(y_va)), describe(name, data_dir)
