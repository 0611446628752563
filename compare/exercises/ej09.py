"""Exercise 9: MNIST with one fixed permutation of the 784 pixels (figs 26-27).

The permutation is default_rng(9).permutation(784), applied to training and
test images; exercise 8's networks on original and permuted pixels.
Report: conv on permuted pixels 93.8 %.
"""
from __future__ import annotations

import numpy as np

from . import ej08
from .base import Curve, Data, Exercise, FigureSpec, Published

VARIANTS = {f"{net}_{kind}": f"{net}, {kind} pixels" for net in ej08.NETS for kind in ("original", "permuted")}


def permutation() -> np.ndarray:
    return np.random.default_rng(9).permutation(784)


def permute(x: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """One fixed permutation of the 784 pixels of every (n, 28, 28, 1) image."""
    return x.reshape(len(x), 784)[:, perm].reshape(x.shape)


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    d = ej08.data(variant, quick, data_dir)
    if variant.endswith("permuted"):
        perm = permutation()
        d = Data(permute(d.x_train, perm), d.y_train, permute(d.x_val, perm), d.y_val,
                 d.label + " · pixels permuted", {**d.info, "permutation": "default_rng(9).permutation(784)"})
    return d


def _curves(key: str) -> tuple[Curve, ...]:
    return tuple(Curve(f"{d} (validation)", (v,), key, "--" if v.endswith("permuted") else "-")
                 for v, d in VARIANTS.items())


EXERCISE = Exercise(
    name="ej09", title="Exercise 9: MNIST, original vs permuted pixels", report="exercise 9", figures=(26, 27),
    variants=VARIANTS, build=lambda lib, variant: ej08.build_net(lib, variant.split("_")[0]), data=data,
    epochs=100, quick_epochs=2, batch_size=100, dropout=frozenset({"conv_original", "conv_permuted"}),
    published=(Published(("conv_permuted",), "val_accuracy", 0.938, "conv, permuted 93.8 %"),),
    quick_variants=("dense_permuted", "conv_permuted"),
    curve_figures=(
        FigureSpec(26, "permuted_mnist_accuracy", "Fig. 26 — MNIST original vs permuted: validation accuracy",
                   "accuracy", _curves("val_accuracy")),
        FigureSpec(27, "permuted_mnist_loss", "Fig. 27 — MNIST original vs permuted: validation loss / max",
                   "categorical cross-entropy", _curves("val_loss"), normalize=True),
    ))
