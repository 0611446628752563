"""P-3: CIFAR-10, 3072 → Dense 100 sigmoid → Dense 10 linear, MSE on one-hot, L2 1e-4 (report 2-3).

SGD lr 0.003, batch 50, 400 epochs; the hand-written code reached about 40.7 %.
"""
from __future__ import annotations

from . import cifar_flat
from .base import Exercise, FigureSpec, Published, curves_train_val

EXERCISE = Exercise(
    name="p3", title="P-3: CIFAR-10, one hidden layer, MSE", report="previous practice P-3 (report 2-3)",
    figures=(4, 5), variants={"mse": "Dense 100 sigmoid → Dense 10 linear, MSE, L2 1e-4"},
    build=lambda lib, variant: cifar_flat.build(lib, "mse", 1e-4),
    data=lambda variant, quick, data_dir: cifar_flat.data(quick, data_dir),
    epochs=400, quick_epochs=5, batch_size=cifar_flat.BATCH,
    published=(Published(("mse",), "val_accuracy", 0.407, "~40.7 % (hand-written code)"),),
    curve_figures=(
        FigureSpec(4, "p3_accuracy", "Fig. 4 — P-3 (MSE): accuracy", "categorical accuracy",
                   curves_train_val(["mse"], "accuracy")),
        FigureSpec(5, "p3_loss", "Fig. 5 — P-3 (MSE): loss normalized to its maximum", "MSE + L2",
                   curves_train_val(["mse"], "loss"), normalize=True),
    ))
