"""Synthetic stand-ins with the shapes, dtypes and value ranges of the real loaders.

SYNTHETIC, NOT REAL DATA: for quick smoke runs and tests where a dataset is not
available, and only when asked for by name. No loader ever falls back to these.
Each has a simple learnable signal (class prototypes, a linear price, a
logistic outcome, sentiment words) so that a short training run can show
learning; numbers obtained on them say nothing about the real datasets.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# Defaults small enough for a smoke run on two cores.
DEFAULT_SIZES = {
    "mnist": (2000, 500), "cifar10": (2000, 500), "cifar100": (2000, 500),
    "imdb": (2000, 500), "boston_housing": (404, 102), "pima": (768, None),
}

# Rough (min, max) of each real column, so the synthetic values live in the same ranges.
_BOSTON_RANGES = [(0.006, 89.0), (0.0, 100.0), (0.46, 27.7), (0.0, 1.0), (0.385, 0.871), (3.56, 8.78),
                  (2.9, 100.0), (1.13, 12.1), (1.0, 24.0), (187.0, 711.0), (12.6, 22.0), (0.32, 396.9),
                  (1.73, 37.97)]
_PIMA_RANGES = [(0, 17), (44, 199), (24, 122), (7, 99), (14, 846), (18.2, 67.1), (0.078, 2.42), (21, 81)]


def _prototype_images(rng: np.random.Generator, n_classes: int, side: int, channels: int) -> np.ndarray:
    """One smooth image per class, float in [0, 255]: a coarse random grid, upsampled."""
    coarse = rng.uniform(0, 255, size=(n_classes, 4, 4, channels))
    return np.repeat(np.repeat(coarse, side // 4, axis=1), side // 4, axis=2)


def _mnist(rng: np.random.Generator, n: int, protos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, 10, size=n).astype(np.uint8)
    scale = rng.uniform(0.7, 1.1, size=(n, 1, 1))
    x = protos[y] * scale + rng.normal(0, 25, size=(n, 28, 28)) * (protos[y] > 0)
    return np.clip(x, 0, 255).astype(np.uint8), y


def _mnist_prototypes(rng: np.random.Generator) -> np.ndarray:
    # Dark background with a few bright Gaussian strokes inside the central 20x20, like digits.
    yy, xx = np.mgrid[0:28, 0:28]
    protos = np.zeros((10, 28, 28))
    for c in range(10):
        for cy, cx in rng.uniform(6, 22, size=(4, 2)):
            protos[c] += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 8.0)
    protos = 255 * protos / protos.max(axis=(1, 2), keepdims=True)
    return np.where(protos > 40, protos, 0.0)


def _images(rng: np.random.Generator, n: int, protos: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = protos[y] + rng.normal(0, 40, size=(n,) + protos.shape[1:])
    return np.clip(x, 0, 255).astype(np.uint8)


def _boston(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.array(_BOSTON_RANGES).T
    x = rng.uniform(lo, hi, size=(n, 13))
    x[:, 3] = rng.random(n) < 0.07  # CHAS is a 0/1 flag
    x[:, 8] = np.round(x[:, 8])  # RAD is an index
    rm, lstat = (x[:, 5] - 6.3) / 0.7, (x[:, 12] - 12.7) / 7.1
    y = 22.5 + 4.0 * rm - 5.0 * lstat + rng.normal(0, 2.0, size=n)
    return x, np.clip(y, 5.0, 50.0)


def _pima(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.array(_PIMA_RANGES, dtype=float).T
    x = rng.uniform(lo, hi, size=(n, 8))
    for col in (0, 1, 2, 3, 4, 7):  # integer-valued columns in the real table
        x[:, col] = np.round(x[:, col])
    x[:, 5] = np.round(x[:, 5], 1)
    x[:, 6] = np.round(x[:, 6], 3)
    logit = (x[:, 1] - 120) / 20 + (x[:, 5] - 32) / 8 - 0.8
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return x, y


def _imdb(rng: np.random.Generator, n: int, sentiment: np.ndarray, *, num_words: int, start_char: int,
          oov_char: int, index_from: int, min_len: int, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.arange(index_from, num_words)
    p = 1.0 / (ids - index_from + 10.0)  # Zipf-like: small ranks are common
    p /= p.sum()
    y = rng.integers(0, 2, size=n).astype(np.int64)
    x = np.empty(n, dtype=object)
    for i in range(n):
        length = int(rng.integers(min_len, max_len + 1))
        words = rng.choice(ids, size=length, p=p)
        # About 10 % sentiment words, 80 % of them matching the label: the learnable signal.
        hits = rng.random(length) < 0.10
        agree = rng.random(length) < 0.8
        side = np.where(agree, y[i], 1 - y[i])
        words[hits] = sentiment[side[hits], rng.integers(0, sentiment.shape[1], size=int(hits.sum()))]
        words[rng.random(length) < 0.02] = oov_char  # words beyond num_words, as Keras marks them
        x[i] = [start_char] + words.tolist()
    return x, y


def synthetic(name: str, n_train: int | None = None, n_test: int | None = None, seed: int = 0,
              **kwargs: Any) -> Any:
    """SYNTHETIC data shaped like ``minidl.datasets.<name>.load_data()``; never real data.

    ``name``: ``"mnist"``, ``"cifar10"``, ``"cifar100"`` (kwarg ``label_mode``),
    ``"imdb"`` (kwargs ``num_words=1000``, ``start_char=1``, ``oov_char=2``,
    ``index_from=3``, ``min_len=20``, ``max_len=200``), ``"boston_housing"`` or
    ``"pima"`` (returns ``(x, y)`` with ``n_train`` rows; ``n_test`` must be None).
    Sizes default to :data:`DEFAULT_SIZES`. The same ``seed`` gives the same arrays.
    Returns ``(x_train, y_train), (x_test, y_test)`` with the real loader's dtypes.
    """
    if name not in DEFAULT_SIZES:
        raise ValueError(f"synthetic: unknown name={name!r}; choose from {sorted(DEFAULT_SIZES)}")
    if name == "pima" and n_test is not None:
        raise ValueError(f"synthetic('pima') returns one (x, y) set; got n_test={n_test!r}, use n_train")
    n_train = DEFAULT_SIZES[name][0] if n_train is None else n_train
    n_test = DEFAULT_SIZES[name][1] if n_test is None else n_test
    for arg, value in (("n_train", n_train), ("n_test", n_test)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"synthetic: {arg}={value!r} must be a positive int")
    allowed = {"cifar100": {"label_mode"},
               "imdb": {"num_words", "start_char", "oov_char", "index_from", "min_len", "max_len"}}.get(name, set())
    if set(kwargs) - allowed:
        raise TypeError(f"synthetic({name!r}) got unexpected kwargs {sorted(set(kwargs) - allowed)}; "
                        f"accepted: {sorted(allowed)}")
    rng = np.random.default_rng(seed)

    if name == "mnist":
        protos = _mnist_prototypes(rng)
        return _mnist(rng, n_train, protos), _mnist(rng, n_test, protos)
    if name in ("cifar10", "cifar100"):
        label_mode = kwargs.get("label_mode", "fine")
        if label_mode not in ("fine", "coarse"):
            raise ValueError(f"label_mode={label_mode!r} must be 'fine' or 'coarse'")
        n_classes = 10 if name == "cifar10" else (100 if label_mode == "fine" else 20)
        dtype = np.uint8 if name == "cifar10" else np.int64  # as the real loaders
        protos = _prototype_images(rng, n_classes, 32, 3)
        out = []
        for n in (n_train, n_test):
            y = rng.integers(0, n_classes, size=n)
            out.append((_images(rng, n, protos, y), y.astype(dtype).reshape(-1, 1)))
        return tuple(out)
    if name == "boston_housing":
        return _boston(rng, n_train), _boston(rng, n_test)
    if name == "pima":
        return _pima(rng, n_train)

    opts = dict(num_words=1000, start_char=1, oov_char=2, index_from=3, min_len=20, max_len=200)
    opts.update(kwargs)
    if opts["num_words"] < opts["index_from"] + 50:
        raise ValueError(f"synthetic('imdb'): num_words={opts['num_words']} must be at least "
                         f"index_from + 50 = {opts['index_from'] + 50}")
    if not 1 <= opts["min_len"] <= opts["max_len"]:
        raise ValueError(f"synthetic('imdb'): need 1 <= min_len <= max_len, got {opts['min_len']}, {opts['max_len']}")
    # 20 positive and 20 negative words among the mid-frequency ids.
    pool = rng.permutation(np.arange(opts["index_from"] + 20, opts["num_words"]))[:40]
    sentiment = pool.reshape(2, 20)  # row 0: negative (label 0), row 1: positive (label 1)
    return _imdb(rng, n_train, sentiment, **opts), _imdb(rng, n_test, sentiment, **opts)
