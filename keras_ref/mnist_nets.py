"""MNIST networks and data shared by exercises 8 and 9.

* dense: 784 → Dense 100 relu → Dense 10 softmax (79,510 parameters);
* conv: Conv2D 30 5×5 relu → MaxPool 2 → Conv2D 10 3×3 relu → MaxPool 2
  → Dropout 0.2 → Flatten → Dense 10 softmax (6,000 parameters; 'valid'
  convolutions: 28→24→12→10→5, as the report's table of output shapes);

both with SGD lr 0.001, categorical cross-entropy, batch 100, pixels / 255.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .common import describe_source, load_real, load_synthetic, synthetic_source

LR, BATCH = 0.001, 100
NETS = ("dense", "conv")


def build_dense(lr: float = LR) -> keras.Model:
    """784 → Dense 100 relu → Dense 10 softmax (79,510 parameters)."""
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(100, "relu"), keras.layers.Dense(10, "softmax")],
                             name="mnist_dense")
    return _compile(model, lr)


def build_conv(lr: float = LR) -> keras.Model:
    """The report's small convolutional network (6,000 parameters)."""
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(30, 5, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(10, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(0.2),
        keras.layers.Flatten(),
        keras.layers.Dense(10, "softmax"),
    ], name="mnist_conv")
    return _compile(model, lr)


def build(net: str, lr: float = LR) -> keras.Model:
    """``build_dense`` or ``build_conv`` by name."""
    if net not in NETS:
        raise ValueError(f"unknown network {net!r}; choose from {NETS}")
    return build_dense(lr) if net == "dense" else build_conv(lr)


def _compile(model: keras.Model, lr: float) -> keras.Model:
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@dataclass
class MnistData:
    """Images (n, 28, 28, 1) float32 in [0, 1], one-hot labels, data source."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: dict[str, Any]


def load(data_dir: str | None, n_train: int | None = None, n_val: int | None = None,
         seed: int = 0, synthetic: bool = False) -> MnistData:
    """MNIST /255 with one-hot labels; the 10,000 test images validate.

    ``synthetic=True`` uses :func:`minidl.datasets.synthetic` instead (tests
    only; the source record says so).
    """
    if synthetic:
        (x_tr, y_tr), (x_va, y_va) = load_synthetic("mnist", n_train or 600, n_val or 200, seed)
        source = synthetic_source("mnist")
    else:
        (x_tr, y_tr), (x_va, y_va) = load_real("mnist", data_dir)
        source = describe_source("mnist", data_dir)
        x_tr, y_tr, x_va, y_va = x_tr[:n_train], y_tr[:n_train], x_va[:n_val], y_va[:n_val]
    prep = lambda x: (np.asarray(x, dtype="float32") / 255.0).reshape(-1, 28, 28, 1)  # noqa: E731
    hot = lambda y: keras.utils.to_categorical(np.ravel(y), 10).astype("float32")  # noqa: E731
    return MnistData(prep(x_tr), hot(y_tr), prep(x_va), hot(y_va), source)


def permute_pixels(x: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """Apply one fixed permutation of the 784 pixels to every image (n, 28, 28, 1)."""
    if sorted(permutation.tolist()) != list(range(784)):
        raise ValueError("permutation must be a permutation of range(784)")
    return x.reshape(len(x), 784)[:, permutation].reshape(x.shape)
