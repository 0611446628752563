"""Exercise 6: Pima diabetes, 5-fold cross-validation (figures 17-20).

768 patients, 8 features (:mod:`minidl.datasets.pima`).  Per fold the inputs
are standardized with the training fold's mean and std.  Network, as the
report describes it: Dense 10 linear (with bias) → Dense 1 ReLU; SGD lr
0.001, MSE, batch 5; accuracy = output on the right side of 0.5.  Two
variants: zeros of Glucose, BloodPressure, Insulin and BMI (missing values)
replaced by the mean of the non-zero values of the training fold, and the
raw data.  Folds: 5, shuffled with the run's seed (sklearn ``KFold`` sizes:
154, 154, 154, 153, 153).  Report: 77.2 % mean accuracy.  The report does
not state the epochs: 100 is this module's default.
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, describe_source, exercise_dir, load_real,
                     param_counts, pick_epochs, resolve_data_dir, seed_everything, subtitle,
                     write_results)
from .training import fit

EXERCISE = "ej06_pima"
EPOCHS, QUICK_EPOCHS, BATCH, FOLDS = 100, 2, 5, 5
LR = 0.001
ZERO_AS_MISSING = (1, 2, 4, 5)  # Glucose, BloodPressure, Insulin, BMI
VARIANTS = {"zeros_replaced": "zeros replaced by the column mean",
            "raw": "raw data (zeros kept)"}


def build_model(n_features: int = 8, lr: float = LR) -> keras.Model:
    """Dense 10 linear → Dense 1 ReLU, MSE, SGD; binary accuracy at 0.5."""
    model = keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(10, name="hidden_linear"),
                              keras.layers.Dense(1, "relu", name="output_relu")], name="pima")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.5)])
    return model


def kfold(n: int, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, validation) index pairs; validation folds as sklearn's KFold sizes."""
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= k <= n, got k={k}, n={n}")
    order = np.random.default_rng(seed).permutation(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    folds = []
    for i in range(k):
        val = order[bounds[i]:bounds[i + 1]]
        folds.append((np.setdiff1d(order, val, assume_unique=True), val))
    return folds


def replace_zeros(train: np.ndarray, other: np.ndarray, cols: tuple[int, ...] = ZERO_AS_MISSING
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Replace zeros in ``cols`` by the mean of the training fold's non-zero values."""
    train, other = train.copy(), other.copy()
    for c in cols:
        nonzero = train[:, c][train[:, c] != 0]
        fill = nonzero.mean() if nonzero.size else 0.0
        train[train[:, c] == 0, c] = fill
        other[other[:, c] == 0, c] = fill
    return train, other


def standardize(train: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardize both with the training fold's mean/std."""
    mean, std = train.mean(0), train.std(0)
    std = np.where(std > 0, std, 1.0)
    return ((train - mean) / std).astype("float32"), ((other - mean) / std).astype("float32")


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0) -> dict:
    """5-fold CV for both variants; figures 17-20 and the results JSON."""
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        x, y = load_real("pima", data_dir)
        source = describe_source("pima", data_dir)
        folds = kfold(len(x), FOLDS, seed)
        record = RunRecord(
            exercise=EXERCISE, title="Pima diabetes, 5-fold cross-validation", seed=seed, quick=quick,
            setup={"model": "Dense 10 linear → Dense 1 relu", "optimizer": "SGD", "lr": LR,
                   "loss": "mse", "batch_size": BATCH, "folds": FOLDS, "fold_sizes":
                   [len(v) for _, v in folds], "zero_columns": ["Glucose", "BloodPressure",
                                                                "Insulin", "BMI"],
                   "variants": VARIANTS, "n": len(x)},
            data=source)
        curves: dict[str, dict[str, list[list[float]]]] = {}
        for variant in VARIANTS:
            curves[variant] = {}
            for f, (tr, va) in enumerate(folds):
                x_tr, x_va = x[tr], x[va]
                if variant == "zeros_replaced":
                    x_tr, x_va = replace_zeros(x_tr, x_va)
                x_tr, x_va = standardize(x_tr, x_va)
                seed_everything(seed * 100 + f)
                model = build_model(x.shape[1])
                record.params.setdefault("pima", param_counts(model))
                hist = fit(model, x_tr, y[tr].astype("float32"), record=record,
                           key=f"{variant}_fold{f}", epochs=n_epochs, batch_size=BATCH,
                           validation_data=(x_va, y[va].astype("float32")), out=out, verbose=verbose)
                for metric, values in hist.items():
                    curves[variant].setdefault(metric, []).append(values)
                keras.backend.clear_session()
            summarize(record, variant, curves[variant])
        record.figures = [str(p) for p in make_figures(curves, record, exercise_dir(out, EXERCISE))]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()


def summarize(record: RunRecord, variant: str, curves: dict[str, list[list[float]]]) -> None:
    """Mean and std over folds of the last-epoch metrics, stored as ``<variant>_mean``."""
    n = min(len(v) for v in curves.get("val_accuracy", [[]]))
    if n == 0:
        return
    stats = {}
    for metric, runs in curves.items():
        last = np.array([r[n - 1] for r in runs])
        stats[metric] = float(last.mean())
        stats[f"{metric}_std"] = float(last.std())
    record.final[f"{variant}_mean"] = stats
    record.epochs_reached[f"{variant}_mean"] = n
    record.epochs_requested[f"{variant}_mean"] = record.epochs_requested.get(f"{variant}_fold0", n)


def make_figures(curves: dict[str, dict[str, list[list[float]]]], record: RunRecord,
                 folder: Path) -> list[Path]:
    """Figures 17-18 (zeros replaced) and 19-20 (raw): mean ± std over folds."""
    sub = subtitle(record.data, seed=record.seed, quick=record.quick, extra="5-fold CV")
    paths = []
    for variant, (n_acc, n_loss) in (("zeros_replaced", (17, 18)), ("raw", (19, 20))):
        runs = curves[variant]
        n = min(len(r) for r in runs.get("val_accuracy", [[]]))
        cut = lambda key: np.array([r[:n] for r in runs.get(key, [])])  # noqa: E731
        what = VARIANTS[variant]
        paths.append(figures.band(folder, n_acc, f"pima_accuracy_{variant}",
                                  f"Fig. {n_acc} — Pima 5-fold: mean accuracy ±1 std ({what})",
                                  {"train": cut("accuracy"), "validation": cut("val_accuracy")},
                                  "accuracy (output > 0.5)", subtitle=sub))
        paths.append(figures.band(folder, n_loss, f"pima_loss_{variant}",
                                  f"Fig. {n_loss} — Pima 5-fold: mean MSE loss ±1 std ({what})",
                                  {"train": cut("loss"), "validation": cut("val_loss")},
                                  "MSE", subtitle=sub))
    return paths
