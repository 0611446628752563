"""Exercise 1: Boston housing linear regression (figs 1-3).

Dense(1) linear on the 13 standardized features (training mean and std),
MSE, SGD lr 0.001, batch 16, 25 % held out. The report states no epochs:
200 is this package's choice.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import datasets as ds
from .base import Data, Exercise, FigureSpec, compile_model, curves_train_val

LSTAT = 12  # "% lower status of the population"


def build(lib: Any, variant: str = "linear") -> Any:
    model = lib.Sequential([lib.Input((13,)), lib.layers.Dense(1, name="linear")])
    return compile_model(lib, model, lib.optimizers.SGD(learning_rate=0.001), lib.losses.MeanSquaredError())


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    (x_tr, y_tr), (x_va, y_va) = ds.load("boston_housing", data_dir, test_split=0.25)
    xs_tr, xs_va = ds.standardize(x_tr, x_va)
    info = {**ds.describe("boston_housing", data_dir), "n_train": len(x_tr), "n_val": len(x_va),
            "preprocessing": "standardized with the training mean and std; 25 % held out (seed 113)"}
    col = lambda y: np.asarray(y, np.float64).reshape(-1, 1)  # noqa: E731
    return Data(xs_tr, col(y_tr), xs_va, col(y_va), ds.label(info, quick), info,
                extra={"lstat_val": np.asarray(x_va)[:, LSTAT]})


def extra_figures(models: dict[str, Any], data: Data, folder: str, subtitle: str) -> list[str]:
    """Figs 2 (predicted vs real) and 3 (price vs LSTAT), each library's predictions."""
    from ..figures import new_figure, save
    preds = {lib: m.predict(data.x_val, verbose=0).ravel() for lib, m in models.items()}
    real = data.y_val.ravel()
    paths = []
    fig, ax = new_figure("Fig. 2 — Boston housing: predicted vs real price (validation)", subtitle)
    lo, hi = float(real.min()), float(real.max())
    ax.plot([lo, hi], [lo, hi], "k:", lw=1, label="identity")
    for lib, p in preds.items():
        ax.scatter(real, p, s=14 if lib == "minidl" else 6, alpha=0.6, label=lib)
    ax.set_xlabel("real price (k$)"), ax.set_ylabel("predicted price (k$)"), ax.legend()
    paths.append(save(fig, os.path.join(folder, "fig02_boston_pred_vs_real.png")))
    fig, ax = new_figure("Fig. 3 — Boston housing: price vs LSTAT (validation)", subtitle)
    ax.scatter(data.extra["lstat_val"], real, s=10, c="k", label="real")
    for lib, p in preds.items():
        ax.scatter(data.extra["lstat_val"], p, s=14 if lib == "minidl" else 6, alpha=0.6, label=f"predicted, {lib}")
    ax.set_xlabel("LSTAT (% lower status)"), ax.set_ylabel("price (k$)"), ax.legend()
    paths.append(save(fig, os.path.join(folder, "fig03_boston_price_vs_lstat.png")))
    return paths


EXERCISE = Exercise(
    name="ej01", title="Exercise 1: Boston housing linear regression", report="exercise 1",
    figures=(1, 2, 3), variants={"linear": "Dense(1) linear + bias"}, build=build, data=data,
    epochs=200, quick_epochs=5, batch_size=16,
    curve_figures=(FigureSpec(1, "boston_loss", "Fig. 1 — Boston housing: MSE per epoch", "MSE (k$²)",
                              curves_train_val(["linear"], "loss"), logy=True),),
    extra_figures=extra_figures)
