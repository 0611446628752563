"""Exercise 2 of the report: P-3, P-4 (and L2 0.05) and P-6 in Keras, against the hand-written code.

Here the two sides are minidl and Keras; the definitions are those of
:mod:`p3`, :mod:`p4` and :mod:`p6` (the report's Keras XOR used {0, 1}).
"""
from __future__ import annotations

from . import p3, p4, p6
from .base import Curve, Exercise, FigureSpec, curves_train_val

PARTS = {"p3": (p3.EXERCISE, "mse"), "p4": (p4.EXERCISE, "cce"), "p4_l2_0.05": (p4.EXERCISE, "cce_l2_0.05"),
         "xor_221_01": (p6.EXERCISE, "221_01"), "xor_211_01": (p6.EXERCISE, "211_01")}


def _part(variant):
    return PARTS[variant]


EXERCISE = Exercise(
    name="ej02", title="Exercise 2: the previous practice in Keras (2-3, 2-4, 2-6)", report="exercise 2",
    figures=(4, 5, 6, 7, 8, 9), variants={k: f"{ex.name} {v}" for k, (ex, v) in PARTS.items()},
    build=lambda lib, variant: _part(variant)[0].build(lib, _part(variant)[1]),
    data=lambda variant, quick, data_dir: _part(variant)[0].data(_part(variant)[1], quick, data_dir),
    epochs={k: ex.epochs for k, (ex, _) in PARTS.items()},
    quick_epochs={k: ex.quick_epochs for k, (ex, _) in PARTS.items()},
    batch_size=lambda variant, data: _part(variant)[0].batch_for(_part(variant)[1], data),
    published=p3.EXERCISE.published and tuple(
        type(p)(("p3",), p.key, p.value, p.text) for p in p3.EXERCISE.published),
    curve_figures=(
        FigureSpec(4, "p3_accuracy", "Fig. 4 — 2-3 (P-3, MSE): accuracy", "categorical accuracy",
                   curves_train_val(["p3"], "accuracy")),
        FigureSpec(5, "p3_loss", "Fig. 5 — 2-3 (P-3, MSE): loss normalized to its maximum", "MSE + L2",
                   curves_train_val(["p3"], "loss"), normalize=True),
        FigureSpec(6, "p4_accuracy", "Fig. 6 — 2-4 (P-4, cross-entropy): accuracy", "categorical accuracy",
                   curves_train_val(["p4", "p4_l2_0.05"], "accuracy", {"p4": "L2 1e-4", "p4_l2_0.05": "L2 0.05"})),
        FigureSpec(7, "p4_loss", "Fig. 7 — 2-4 (P-4, cross-entropy): loss normalized to its maximum", "CCE + L2",
                   curves_train_val(["p4", "p4_l2_0.05"], "loss", {"p4": "L2 1e-4", "p4_l2_0.05": "L2 0.05"}),
                   normalize=True),
        FigureSpec(8, "xor_accuracy", "Fig. 8 — 2-6 XOR on {0,1}: training accuracy", "binary accuracy",
                   (Curve("2-2-1", ("xor_221_01",), "accuracy"), Curve("2-1(+inputs)-1", ("xor_211_01",), "accuracy"))),
        FigureSpec(9, "xor_loss", "Fig. 9 — 2-6 XOR on {0,1}: training loss (MSE)", "MSE",
                   (Curve("2-2-1", ("xor_221_01",), "loss"), Curve("2-1(+inputs)-1", ("xor_211_01",), "loss")),
                   logy=True),
    ),
    notes=("Figures 4-9 are drawn by p3, p4 and p6 (same definitions); ej02 runs their report setups together.",))
