"""Exercise 6: Pima diabetes, 5-fold cross-validation (figs 17-20).

Dense 10 linear → Dense 1 relu, MSE, SGD lr 0.001, batch 5; accuracy: output
on the right side of 0.5. Per fold, inputs standardized with the training
fold's mean and std; variant ``zeros``: zeros of Glucose, BloodPressure,
Insulin and BMI replaced by the training fold's mean of the non-zero values;
``raw``: kept. Folds shuffled with default_rng(0) (sklearn KFold sizes).
A variant is ``<zeros|raw>_fold<k>``. Report: 77.2 %. Epochs not stated: 100.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import datasets as ds
from .base import Curve, Data, Exercise, FigureSpec, Published, accuracy, compile_model

FOLDS = 5
ZERO_AS_MISSING = (1, 2, 4, 5)
KINDS = {"zeros": "zeros replaced by the column mean", "raw": "raw data (zeros kept)"}
VARIANTS = {f"{k}_fold{f}": f"{d}, fold {f}" for k, d in KINDS.items() for f in range(FOLDS)}


def build(lib: Any, variant: str = "zeros_fold0") -> Any:
    model = lib.Sequential([lib.Input((8,)), lib.layers.Dense(10, name="hidden_linear"),
                            lib.layers.Dense(1, activation="relu", name="output_relu")])
    return compile_model(lib, model, lib.optimizers.SGD(learning_rate=0.001), lib.losses.MeanSquaredError(),
                         [accuracy(lib, "binary")])


def kfold(n: int, k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, validation) index pairs of a seeded permutation; sklearn KFold sizes."""
    order = np.random.default_rng(seed).permutation(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [(np.concatenate([order[:bounds[i]], order[bounds[i + 1]:]]), order[bounds[i]:bounds[i + 1]])
            for i in range(k)]


def replace_zeros(train: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zeros in the missing-value columns → the training fold's mean of its non-zero values."""
    train, other = train.astype(np.float64), other.astype(np.float64)
    for c in ZERO_AS_MISSING:
        nonzero = train[:, c][train[:, c] != 0]
        fill = nonzero.mean() if nonzero.size else 0.0
        train[train[:, c] == 0, c] = fill
        other[other[:, c] == 0, c] = fill
    return train, other


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    kind, fold = variant.split("_fold")
    x, y = ds.load("pima", data_dir)
    tr, va = kfold(len(x), FOLDS)[int(fold)]
    x_tr, x_va = (replace_zeros(x[tr], x[va]) if kind == "zeros" else (x[tr], x[va]))
    x_tr, x_va = ds.standardize(x_tr, x_va)
    info = {**ds.describe("pima", data_dir), "n_train": len(tr), "n_val": len(va), "fold": int(fold),
            "preprocessing": KINDS[kind] + "; standardized per fold"}
    col = lambda v: np.asarray(v, np.float64).reshape(-1, 1)  # noqa: E731
    return Data(x_tr, col(y[tr]), x_va, col(y[va]), ds.label(info, quick) + " · 5-fold CV", info)


def _folds(kind: str) -> tuple[str, ...]:
    return tuple(f"{kind}_fold{f}" for f in range(FOLDS))


def _band(kind: str, key: str) -> tuple[Curve, ...]:
    return (Curve("train (mean ± std over folds)", _folds(kind), key),
            Curve("validation (mean ± std over folds)", _folds(kind), f"val_{key}", "--"))


EXERCISE = Exercise(
    name="ej06", title="Exercise 6: Pima diabetes, 5-fold cross-validation", report="exercise 6",
    figures=(17, 18, 19, 20), variants=VARIANTS, build=build, data=data,
    epochs=100, quick_epochs=2, batch_size=5,
    published=(Published(_folds("zeros"), "val_accuracy", 0.772, "77.2 % (mean over folds)"),),
    curve_figures=(
        FigureSpec(17, "pima_accuracy_zeros", "Fig. 17 — Pima: accuracy, zeros replaced", "accuracy",
                   _band("zeros", "accuracy")),
        FigureSpec(18, "pima_loss_zeros", "Fig. 18 — Pima: MSE, zeros replaced", "MSE", _band("zeros", "loss")),
        FigureSpec(19, "pima_accuracy_raw", "Fig. 19 — Pima: accuracy, raw data", "accuracy",
                   _band("raw", "accuracy")),
        FigureSpec(20, "pima_loss_raw", "Fig. 20 — Pima: MSE, raw data", "MSE", _band("raw", "loss")),
    ))
