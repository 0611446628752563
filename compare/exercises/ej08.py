"""Exercise 8: MNIST, dense (79,510 params) vs conv (6,000 params) (figs 24-25).

dense: Flatten → Dense 100 relu → Dense 10 softmax; conv: Conv2D 30 5×5 relu
→ MaxPool → Conv2D 10 3×3 relu → MaxPool → Dropout 0.2 → Flatten → Dense 10
softmax; SGD lr 0.001, CCE, batch 100, pixels /255. Report: conv 97.9 %,
dense 93.67 %. Epochs not stated: 100 (both still rise there).
"""
from __future__ import annotations

from typing import Any

from . import datasets as ds
from .base import Curve, Data, Exercise, FigureSpec, Published, accuracy, compile_model

NETS = {"dense": "dense (79,510 params)", "conv": "conv (6,000 params)"}


def build_net(lib: Any, net: str) -> Any:
    L = lib.layers
    if net == "dense":
        layers = [L.Flatten(), L.Dense(100, activation="relu"), L.Dense(10, activation="softmax")]
    elif net == "conv":
        layers = [L.Conv2D(30, 5, activation="relu"), L.MaxPooling2D(2), L.Conv2D(10, 3, activation="relu"),
                  L.MaxPooling2D(2), L.Dropout(0.2), L.Flatten(), L.Dense(10, activation="softmax")]
    else:
        raise ValueError(f"net {net!r} must be 'dense' or 'conv'")
    model = lib.Sequential([lib.Input((28, 28, 1)), *layers])
    return compile_model(lib, model, lib.optimizers.SGD(learning_rate=0.001),
                         lib.losses.CategoricalCrossentropy(), [accuracy(lib, "categorical")])


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    (x_tr, y_tr), (x_va, y_va), info = ds.mnist(data_dir, quick)
    info = {**info, "n_train": len(x_tr), "n_val": len(x_va), "preprocessing": "pixels / 255"}
    return Data(x_tr, y_tr, x_va, y_va, ds.label(info, quick), info)


def curves(keys: dict[str, str], metric: str) -> tuple[Curve, ...]:
    return tuple(Curve(f"{d}, {part}", (v,), key, st) for v, d in keys.items()
                 for part, key, st in (("train", metric, "--"), ("validation", f"val_{metric}", "-")))


EXERCISE = Exercise(
    name="ej08", title="Exercise 8: MNIST dense vs conv", report="exercise 8", figures=(24, 25),
    variants=NETS, build=build_net, data=data, epochs=100, quick_epochs=2, batch_size=100,
    dropout=frozenset({"conv"}),
    published=(Published(("conv",), "val_accuracy", 0.979, "conv 97.9 %"),
               Published(("dense",), "val_accuracy", 0.9367, "dense 93.67 %")),
    curve_figures=(
        FigureSpec(24, "mnist_accuracy", "Fig. 24 — MNIST dense vs conv: accuracy", "accuracy",
                   curves(NETS, "accuracy")),
        FigureSpec(25, "mnist_loss", "Fig. 25 — MNIST dense vs conv: loss normalized to its maximum",
                   "categorical cross-entropy", curves(NETS, "loss"), normalize=True),
    ))
