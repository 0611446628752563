"""Exercise 1: linear regression of Boston housing prices (figures 1-3).

Dense(1) linear with bias on the 13 standardized features, MSE, SGD lr 0.001,
about 25 % of the 506 rows held out for validation (``test_split=0.25``).
The report states neither the epochs nor the batch size: 200 epochs of
batch 16 are this module's choice.
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, describe_source, exercise_dir,
                     load_real, param_counts, pick_epochs, resolve_data_dir, seed_everything,
                     subtitle, write_results)
from .training import fit

EXERCISE = "ej01_boston"
EPOCHS, QUICK_EPOCHS, BATCH = 200, 5, 16
LR = 0.001
TEST_SPLIT = 0.25
LSTAT = 12  # column of "% lower status of the population"


def build_model(n_features: int = 13, lr: float = LR) -> keras.Model:
    """Linear regression: one Dense unit, linear activation, with bias; MSE + SGD."""
    model = keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(1, name="linear")],
                             name="boston_linear")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["mae"])
    return model


def standardize(train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Subtract the training mean and divide by the training std (per column)."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple(((a - mean) / std).astype("float32") for a in (train, *others))


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0) -> dict:
    """Train the linear model, write figures 1-3 and the results JSON; return the record."""
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        (x_tr, y_tr), (x_va, y_va) = load_real("boston_housing", data_dir, test_split=TEST_SPLIT)
        source = describe_source("boston_housing", data_dir)
        seed_everything(seed)
        xs_tr, xs_va = standardize(x_tr, x_va)
        model = build_model(x_tr.shape[1])
        record = RunRecord(
            exercise=EXERCISE, title="Boston housing, linear regression", seed=seed, quick=quick,
            setup={"model": "Dense(1) linear + bias", "optimizer": "SGD", "lr": LR, "loss": "mse",
                   "batch_size": BATCH, "test_split": TEST_SPLIT, "n_train": len(x_tr),
                   "n_val": len(x_va), "inputs": "standardized with training mean/std"},
            data=source, params={"linear": param_counts(model)})
        folder = exercise_dir(out, EXERCISE)
        hist = fit(model, xs_tr, y_tr.astype("float32"), record=record, key="linear",
                   epochs=n_epochs, batch_size=BATCH, validation_data=(xs_va, y_va.astype("float32")),
                   out=out, verbose=verbose)
        pred = model.predict(xs_va, verbose=0).ravel()
        record.final["linear"]["val_rmse"] = float(np.sqrt(np.mean((pred - y_va) ** 2)))
        sub = subtitle(source, seed=seed, quick=quick,
                       extra=f"{len(x_tr)} train / {len(x_va)} validation")
        record.figures = [str(p) for p in (
            figures.curves(folder, 1, "boston_loss", "Fig. 1 — Boston housing linear regression: MSE loss per epoch",
                           {"train": hist.get("loss", []), "validation": hist.get("val_loss", [])},
                           "MSE (k$²)", subtitle=sub, logy=True),
            figures.identity_scatter(folder, 2, "boston_pred_vs_real",
                                     "Fig. 2 — Boston housing: predicted vs real price (validation)",
                                     y_va, pred, unit="price (k$)", subtitle=sub),
            figures.feature_scatter(folder, 3, "boston_price_vs_lstat",
                                    "Fig. 3 — Boston housing: real and predicted price vs LSTAT (validation)",
                                    x_va[:, LSTAT], y_va, pred, xlabel="LSTAT (% lower status of the population)",
                                    ylabel="price (k$)", subtitle=sub),
        )]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()
