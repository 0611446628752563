"""P-8: P-3 with a second hidden layer of 100 units (3072 → 100 → 100 → 10), MSE, L2 1e-4, 400 epochs."""
from __future__ import annotations

from . import cifar_flat
from .base import Exercise, FigureSpec, curves_train_val

EXERCISE = Exercise(
    name="p8", title="P-8: CIFAR-10, two hidden layers, MSE", report="previous practice P-8",
    figures=(), variants={"two_hidden": "Dense 100 sigmoid → Dense 100 sigmoid → Dense 10 linear"},
    build=lambda lib, variant: cifar_flat.build(lib, "mse", 1e-4, hidden=(100, 100)),
    data=lambda variant, quick, data_dir: cifar_flat.data(quick, data_dir),
    epochs=400, quick_epochs=5, batch_size=cifar_flat.BATCH,
    curve_figures=(
        FigureSpec(0, "p8_accuracy", "P-8 (two hidden layers): accuracy", "categorical accuracy",
                   curves_train_val(["two_hidden"], "accuracy")),
        FigureSpec(0, "p8_loss", "P-8 (two hidden layers): loss normalized to its maximum", "MSE + L2",
                   curves_train_val(["two_hidden"], "loss"), normalize=True),
    ))
