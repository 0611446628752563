"""P-4: P-3 with categorical cross-entropy (softmax + log-likelihood, from the logits), 500 epochs.

Also the report's L2 0.05 run, which avoids overfitting in the first 500 epochs (report 2-4).
"""
from __future__ import annotations

from . import cifar_flat
from .base import Exercise, FigureSpec, curves_train_val

VARIANTS = {"cce": "L2 1e-4", "cce_l2_0.05": "L2 0.05"}

EXERCISE = Exercise(
    name="p4", title="P-4: CIFAR-10, one hidden layer, cross-entropy", report="previous practice P-4 (report 2-4)",
    figures=(6, 7), variants=VARIANTS,
    build=lambda lib, variant: cifar_flat.build(lib, "cce", 0.05 if variant == "cce_l2_0.05" else 1e-4),
    data=lambda variant, quick, data_dir: cifar_flat.data(quick, data_dir),
    epochs=500, quick_epochs=5, batch_size=cifar_flat.BATCH,
    curve_figures=(
        FigureSpec(6, "p4_accuracy", "Fig. 6 — P-4 (cross-entropy): accuracy", "categorical accuracy",
                   curves_train_val(list(VARIANTS), "accuracy", VARIANTS)),
        FigureSpec(7, "p4_loss", "Fig. 7 — P-4 (cross-entropy): loss normalized to its maximum",
                   "CCE + L2", curves_train_val(list(VARIANTS), "loss", VARIANTS), normalize=True),
    ))
