"""The previous practice's CIFAR-10 networks (P-3, P-4, P-8) and their data.

Inputs flattened to 3072 and standardized with the training split's
per-feature mean and std; one-hot targets; SGD lr 0.003, batch 50; L2 on
every kernel. The report's figures compare its hand-written code with
Keras (figs 4-7); here minidl plays the hand-written code.
"""
from __future__ import annotations

from typing import Any

from . import datasets as ds
from .base import Data, accuracy, compile_model

LR, BATCH = 0.003, 50
QUICK = (5000, 2000)


def build(lib: Any, loss: str, l2: float, hidden: tuple[int, ...] = (100,)) -> Any:
    """3072 → Dense h sigmoid (…) → Dense 10 linear, L2 ``l2`` on each kernel; ``loss`` mse or cce."""
    reg = lambda: lib.regularizers.L2(l2)  # noqa: E731
    layers = [lib.Input((3072,))]
    layers += [lib.layers.Dense(h, activation="sigmoid", kernel_regularizer=reg()) for h in hidden]
    layers.append(lib.layers.Dense(10, kernel_regularizer=reg()))
    model = lib.Sequential(layers)
    loss_obj = (lib.losses.MeanSquaredError() if loss == "mse"
                else lib.losses.CategoricalCrossentropy(from_logits=True))
    return compile_model(lib, model, lib.optimizers.SGD(learning_rate=LR), loss_obj,
                         [accuracy(lib, "categorical")])


def data(quick: bool, data_dir: str | None) -> Data:
    """CIFAR-10 flattened and standardized; quick: the first 5,000 / 2,000 images."""
    (x_tr, y_tr), (x_va, y_va), info = ds.cifar("cifar10", data_dir, QUICK if quick else (None, None))
    xs_tr, xs_va = ds.standardize(x_tr, x_va)
    info = {**info, "n_train": len(xs_tr), "n_val": len(xs_va),
            "preprocessing": "flattened, standardized with the training split's per-feature mean and std"}
    return Data(xs_tr, ds.one_hot(y_tr, 10), xs_va, ds.one_hot(y_va, 10), ds.label(info, quick), info)
