"""Exercise 4: IMDB with Embedding + Conv1D (figs 14-15).

Reviews padded/truncated to 400 ids ('pre'); Embedding(10000, 50) → Dropout 0.5
→ Conv1D 16×4 same relu → MaxPool1D 2 → Dropout 0.5 → Flatten → Dense 30 relu
L2(0.01) → Dense 1 sigmoid L2(0.01) (599,277 params); binary cross-entropy,
batch 50. ``sgd`` is the report's SGD lr 0.002 (300 epochs, as the report);
``adam_0.001`` is NOT the report's setup: a separately named variant showing
what leaves the plateau that SGD 0.002 sits on. Report: 89.1 %.
"""
from __future__ import annotations

from typing import Any

from . import datasets as ds
from .base import Curve, Data, Exercise, FigureSpec, Published, accuracy, compile_model, lib_name

MAXLEN = 400
VARIANTS = {"sgd": "SGD lr 0.002 (report)", "adam_0.001": "Adam lr 0.001 (variant, not the report's setup)"}


def int_input(lib: Any, length: int) -> Any:
    """Input of word ids. Workaround: minidl.Input has no ``dtype`` argument (its Embedding takes
    integer arrays as they come), so the int32 dtype is given to Keras only."""
    return lib.Input((length,), dtype="int32") if lib_name(lib) == "keras" else lib.Input((length,))


def build(lib: Any, variant: str = "sgd") -> Any:
    L, R = lib.layers, lib.regularizers
    model = lib.Sequential([
        int_input(lib, MAXLEN), L.Embedding(10_000, 50), L.Dropout(0.5),
        L.Conv1D(16, 4, padding="same", activation="relu"), L.MaxPooling1D(2), L.Dropout(0.5), L.Flatten(),
        L.Dense(30, activation="relu", kernel_regularizer=R.L2(0.01)),
        L.Dense(1, activation="sigmoid", kernel_regularizer=R.L2(0.01))])
    opt = (lib.optimizers.Adam(learning_rate=0.001) if variant == "adam_0.001"
           else lib.optimizers.SGD(learning_rate=0.002))
    return compile_model(lib, model, opt, lib.losses.BinaryCrossentropy(), [accuracy(lib, "binary")])


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    return ds.imdb_data(data_dir, quick, "padded to 400 ('pre')", lambda x: ds.pad_sequences(x, MAXLEN))


EXERCISE = Exercise(
    name="ej04", title="Exercise 4: IMDB Embedding + Conv1D", report="exercise 4",
    figures=(14, 15), variants=VARIANTS, build=build, data=data,
    epochs={"sgd": 300, "adam_0.001": 20}, quick_epochs=2, batch_size=50, dropout=frozenset(VARIANTS),
    published=(Published(("sgd",), "val_accuracy", 0.891, "89.1 %"),), quick_variants=("sgd",),
    curve_figures=(
        FigureSpec(14, "imdb_conv1d_accuracy", "Fig. 14 — IMDB Conv1D: accuracy", "binary accuracy",
                   tuple(Curve(f"{d}, {part}", (v,), key, st) for v, d in VARIANTS.items()
                         for part, key, st in (("train", "accuracy", "-"), ("validation", "val_accuracy", "--")))),
        FigureSpec(15, "imdb_conv1d_loss", "Fig. 15 — IMDB Conv1D: loss normalized to its maximum", "BCE + L2",
                   tuple(Curve(f"{d}, {part}", (v,), key, st) for v, d in VARIANTS.items()
                         for part, key, st in (("train", "loss", "-"), ("validation", "val_loss", "--"))),
                   normalize=True),
    ))
