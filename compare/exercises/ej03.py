"""Exercise 3: IMDB with a dense network on 10,000-long count vectors (figs 10-13).

Dense 100 relu L2(0.01) → Dropout 0.5 → BatchNorm → Dense 30 relu L2(0.01)
→ Dropout 0.5 → Dense 1 sigmoid L2(0.01) (1,003,561 params, 200 non-trainable);
SGD lr 0.001, binary cross-entropy, batch 50; the 25,000 test reviews validate.
Ablations: ``plain`` (no L2, dropout or BatchNorm), ``no_dropout``, ``no_bn``.
Report: 84.8 %. Epochs not stated: 50 here.
"""
from __future__ import annotations

from typing import Any

from . import datasets as ds
from .base import Curve, Data, Exercise, FigureSpec, Published, accuracy, compile_model, curves_train_val

NUM_WORDS = 10_000
VARIANTS = {"final": "final network (L2 + dropout + BatchNorm)", "plain": "plain dense",
            "no_dropout": "without dropout", "no_bn": "without BatchNorm"}


def build(lib: Any, variant: str = "final") -> Any:
    reg = (lambda: None) if variant == "plain" else (lambda: lib.regularizers.L2(0.01))
    dropout, bn = variant in ("final", "no_bn"), variant in ("final", "no_dropout")
    L = lib.layers
    layers = [lib.Input((NUM_WORDS,)), L.Dense(100, activation="relu", kernel_regularizer=reg())]
    layers += [L.Dropout(0.5)] if dropout else []
    layers += [L.BatchNormalization()] if bn else []
    layers += [L.Dense(30, activation="relu", kernel_regularizer=reg())]
    layers += [L.Dropout(0.5)] if dropout else []
    layers += [L.Dense(1, activation="sigmoid", kernel_regularizer=reg())]
    return compile_model(lib, lib.Sequential(layers), lib.optimizers.SGD(learning_rate=0.001),
                         lib.losses.BinaryCrossentropy(), [accuracy(lib, "binary")])


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    return ds.imdb_data(data_dir, quick, "count vector per review", lambda x: ds.count_vectors(x, NUM_WORDS))


EXERCISE = Exercise(
    name="ej03", title="Exercise 3: IMDB dense network on count vectors", report="exercise 3",
    figures=(10, 11, 12, 13), variants=VARIANTS, build=build, data=data,
    epochs=50, quick_epochs=2, batch_size=50, dropout=frozenset({"final", "no_bn"}),
    published=(Published(("final",), "val_accuracy", 0.848, "84.8 %"),),
    quick_variants=("final", "plain"),
    curve_figures=(
        FigureSpec(10, "imdb_dense_accuracy", "Fig. 10 — IMDB dense: accuracy", "binary accuracy",
                   curves_train_val(["final"], "accuracy")),
        FigureSpec(11, "imdb_dense_loss", "Fig. 11 — IMDB dense: loss normalized to its maximum",
                   "BCE + L2", curves_train_val(["final"], "loss"), normalize=True),
        FigureSpec(12, "imdb_dense_ablation_accuracy", "Fig. 12 — IMDB dense ablations: validation accuracy",
                   "binary accuracy", tuple(Curve(d, (v,), "val_accuracy") for v, d in VARIANTS.items())),
        FigureSpec(13, "imdb_dense_ablation_loss", "Fig. 13 — IMDB dense ablations: validation loss / max",
                   "BCE (+ L2 where used)", tuple(Curve(d, (v,), "val_loss") for v, d in VARIANTS.items()),
                   normalize=True),
    ))
