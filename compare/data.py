"""The arrays a spec trains on, preprocessed identically for both frameworks.

CIFAR-10 comes from :mod:`minidl.datasets` (a data directory, the Keras cache
or a download); synthetic CIFAR-10-shaped data only when asked for
(``synthetic=True``), and then ``label`` says so. XOR is its four examples.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .specs import Spec

XOR_PM1 = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])


@dataclass
class Data:
    """Training and validation arrays in the run's float dtype, plus where they came from.

    Shapes: x_train (n, *spec.input_shape), y_train (n, units); x_val/y_val
    alike, or None (XOR has no held-out set). ``info`` is JSON-ready:
    dataset, source, path, lossy, synthetic, n_train, n_val and ``label``,
    the phrase figure titles use ("lossy CIFAR-10", "synthetic data", ...).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    info: dict[str, Any] = field(default_factory=dict)


def xor_arrays(preprocessing: str) -> tuple[np.ndarray, np.ndarray]:
    """The four XOR examples: x (4, 2), y (4, 1) with y = x1·x2 on ±1.

    ``"pm1"``: inputs and targets in {-1, +1}; ``"01"``: both mapped by
    v → (v + 1) / 2 (target 1 when the inputs are equal), the report's Keras variant.
    """
    x = XOR_PM1.copy()
    y = (x[:, 0] * x[:, 1])[:, None]
    if preprocessing == "01":
        return (x + 1) / 2, (y + 1) / 2
    if preprocessing != "pm1":
        raise ValueError(f"xor preprocessing={preprocessing!r} must be 'pm1' or '01'")
    return x, y


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """labels (n,) or (n, 1) integers -> (n, n_classes) float64 one-hot."""
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def standardize(x_train: np.ndarray, x_other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten to (n, features) and standardize both with the training mean and std per feature.

    A feature with zero training std is only centred.
    """
    xt = x_train.reshape(len(x_train), -1).astype(np.float64)
    xo = x_other.reshape(len(x_other), -1).astype(np.float64)
    mean = xt.mean(axis=0)
    std = xt.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (xt - mean) / std, (xo - mean) / std


def _subset(n: int | None, total: int, what: str) -> int:
    if n is None:
        return total
    if n > total:
        raise ValueError(f"{what}={n} is larger than the {total} samples available")
    return n


@functools.lru_cache(maxsize=1)
def _cached_cifar10(path: str, mtime_ns: int, data_dir: str | None):
    from minidl import datasets
    return datasets.cifar10.load_data(data_dir)


def _load_cifar10(path: str, data_dir: str | os.PathLike | None):
    """``cifar10.load_data``, remembered for the last file (several setups share one process)."""
    stamp = os.stat(path).st_mtime_ns if path and os.path.exists(path) else 0
    return _cached_cifar10(str(path), stamp, None if data_dir is None else os.fspath(data_dir))


def load(spec: Spec, dtype: str, *, data_dir: str | os.PathLike | None = None, synthetic: bool = False,
         train_size: int | None = None, test_size: int | None = None) -> Data:
    """Arrays for ``spec`` in ``dtype``; train/test subsets are the first samples of each split.

    Raises what :mod:`minidl.datasets` raises when CIFAR-10 cannot be found
    (``DatasetNotFoundError``, a ``FileNotFoundError`` whose message says how
    to supply the data).
    """
    if spec.dataset == "xor":
        x, y = xor_arrays(spec.preprocessing)
        info = {"dataset": "xor", "source": "exact", "path": None, "lossy": False, "synthetic": False,
                "n_train": 4, "n_val": 0,
                "label": "XOR, 4 examples" + (" on {0,1}" if spec.preprocessing == "01" else " on ±1")}
        return Data(x.astype(dtype), y.astype(dtype), None, None, info)

    from minidl import datasets
    if synthetic:
        n_train = train_size or 2000
        n_test = test_size or 500
        (x_tr, y_tr), (x_te, y_te) = datasets.synthetic("cifar10", n_train=n_train, n_test=n_test,
                                                          seed=spec.seed)
        desc = datasets.describe("cifar10", synthetic=True)
        label = "synthetic data (CIFAR-10-shaped)"
    else:
        desc = datasets.describe("cifar10", data_dir)
        (x_tr, y_tr), (x_te, y_te) = _load_cifar10(desc["path"], data_dir)
        label = "lossy CIFAR-10" if desc.get("lossy") else "CIFAR-10"
    n_train = _subset(train_size, len(x_tr), "train_size")
    n_test = _subset(test_size, len(x_te), "test_size")
    x_tr, y_tr, x_te, y_te = x_tr[:n_train], y_tr[:n_train], x_te[:n_test], y_te[:n_test]
    x_train, x_val = standardize(x_tr, x_te)
    info = {"dataset": "cifar10", "source": desc.get("source"), "path": desc.get("path"),
            "lossy": bool(desc.get("lossy")), "synthetic": bool(synthetic), "notes": desc.get("notes", []),
            "n_train": int(n_train), "n_val": int(n_test), "label": label,
            "standardization": "per-feature mean and std of the training subset"}
    return Data(x_train.astype(dtype), one_hot(y_tr, 10).astype(dtype),
                x_val.astype(dtype), one_hot(y_te, 10).astype(dtype), info)
