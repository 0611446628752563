"""Exercise 10: AlexNet-like and VGG16-like on CIFAR-10 and CIFAR-100 (figs 28-31).

Networks with exactly the report's parameter tables (100 classes: VGG-like
6,151,892; AlexNet-like 4,334,824 with 1,536 non-trainable); all
convolutions relu, 'same', 2×2 max pooling; logits out; Adam 0.001, CCE
from logits, batch 100, pixels /255. Augmentation (rotation ±0.05 turn,
shifts 10 %, shear 0.1, horizontal flips, nearest pixel, reflected border)
is drawn in NumPy once per epoch from the run's generator and fed to both
libraries, so both see identical images. Epochs: 50 (an accelerator's job).
CIFAR-10 here is JPEG-decoded (lossy); CIFAR-100 is absent and skipped.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import datasets as ds
from .base import Curve, Data, Exercise, FigureSpec, accuracy, compile_model

CLASSES = {"cifar10": 10, "cifar100": 100}
ARCHS = {"alexnet": "AlexNet-like", "vgg": "VGG16-like"}
VARIANTS = {f"{a}_{d}": f"{n}, {d}" for d in CLASSES for a, n in ARCHS.items()}
QUICK = (200, 100)


def _conv(lib: Any, filters: int, kernel: int, strides: int = 1) -> Any:
    return lib.layers.Conv2D(filters, kernel, strides=strides, padding="same", activation="relu")


def build_arch(lib: Any, arch: str, classes: int) -> Any:
    L, pool = lib.layers, lib.layers.MaxPooling2D
    if arch == "vgg":
        reg = lambda: lib.regularizers.L2(0.001)  # noqa: E731
        layers = [_conv(lib, 64, 3), _conv(lib, 64, 3), pool(2), _conv(lib, 128, 3), pool(2),
                  _conv(lib, 256, 3), _conv(lib, 256, 3), pool(2), _conv(lib, 512, 3), pool(2),
                  _conv(lib, 512, 3), pool(2), L.Flatten(),
                  L.Dense(1000, activation="relu", kernel_regularizer=reg()),
                  L.Dense(1000, activation="relu", kernel_regularizer=reg()), L.Dense(classes, kernel_regularizer=reg())]
    elif arch == "alexnet":
        layers = [_conv(lib, 96, 11, 2), pool(2), _conv(lib, 256, 5), pool(2), _conv(lib, 256, 3),
                  _conv(lib, 192, 3), pool(2), L.Flatten(), L.BatchNormalization(),
                  L.Dense(2048, activation="relu"), L.Dense(500, activation="relu"), L.Dropout(0.4), L.Dense(classes)]
    else:
        raise ValueError(f"arch {arch!r} must be one of {list(ARCHS)}")
    model = lib.Sequential([lib.Input((32, 32, 3)), *layers])
    return compile_model(lib, model, lib.optimizers.Adam(learning_rate=0.001),
                         lib.losses.CategoricalCrossentropy(from_logits=True), [accuracy(lib, "categorical")])


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    name = variant.split("_")[1]
    (x_tr, y_tr), (x_va, y_va), info = ds.cifar(name, data_dir, QUICK if quick else (None, None))
    info = {**info, "n_train": len(x_tr), "n_val": len(x_va), "preprocessing": "pixels / 255; augmentation per epoch"}
    prep = lambda x: np.asarray(x, np.float64) / 255.0  # noqa: E731
    return Data(prep(x_tr), ds.one_hot(y_tr, CLASSES[name]), prep(x_va), ds.one_hot(y_va, CLASSES[name]),
                ds.label(info, quick), info)


def _reflect(i: np.ndarray, size: int) -> np.ndarray:
    period = 2 * size
    i = np.mod(i, period)
    return np.where(i >= size, period - 1 - i, i)


def augment(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random rotation, shear, shift and horizontal flip of (n, h, w, c) images, nearest pixel."""
    n, h, w = x.shape[:3]
    theta = rng.uniform(-0.05, 0.05, n) * 2 * np.pi
    shear = rng.uniform(-0.1, 0.1, (n, 2))
    shift = rng.uniform(-0.1, 0.1, (n, 2)) * np.array([h, w])
    flip = rng.random(n) < 0.5
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    cy, cx = yy - (h - 1) / 2, xx - (w - 1) / 2
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    sy = cy + shear[:, 0, None, None] * cx
    sx = cx + shear[:, 1, None, None] * cy
    src_y = cos * sy - sin * sx + (h - 1) / 2 + shift[:, 0, None, None]
    src_x = sin * sy + cos * sx + (w - 1) / 2 + shift[:, 1, None, None]
    src_x = np.where(flip[:, None, None], (w - 1) - src_x, src_x)
    iy = _reflect(np.rint(src_y).astype(np.int64), h)
    ix = _reflect(np.rint(src_x).astype(np.int64), w)
    return x[np.arange(n)[:, None, None], iy, ix]


def _curves(dataset: str, key: str) -> tuple[Curve, ...]:
    return tuple(Curve(f"{n} {part}", (f"{a}_{dataset}",), f"{pre}{key}", st) for a, n in ARCHS.items()
                 for part, pre, st in (("train", "", "--"), ("validation", "val_", "-")))


EXERCISE = Exercise(
    name="ej10", title="Exercise 10: AlexNet-like and VGG16-like on CIFAR", report="exercise 10",
    figures=(28, 29, 30, 31), variants=VARIANTS,
    build=lambda lib, variant: build_arch(lib, variant.split("_")[0], CLASSES[variant.split("_")[1]]),
    data=data, epochs=50, quick_epochs=1, batch_size=100,
    dropout=frozenset(v for v in VARIANTS if v.startswith("alexnet")), epoch_transform=augment,
    quick_variants=("alexnet_cifar10", "vgg_cifar10"), full_on_cpu=False,
    notes=("Full length (50 epochs, 50,000 images, both nets, both libraries) needs an accelerator: "
           "python -m compare ej10 --epochs 50 --seeds 3 --out results/compare",),
    curve_figures=(
        FigureSpec(28, "cifar10_accuracy", "Fig. 28 — CIFAR-10: accuracy, AlexNet-like vs VGG16-like",
                   "categorical accuracy", _curves("cifar10", "accuracy")),
        FigureSpec(29, "cifar10_loss", "Fig. 29 — CIFAR-10: loss", "CCE (+ L2 for VGG)", _curves("cifar10", "loss")),
        FigureSpec(30, "cifar100_accuracy", "Fig. 30 — CIFAR-100: accuracy", "categorical accuracy",
                   _curves("cifar100", "accuracy")),
        FigureSpec(31, "cifar100_loss", "Fig. 31 — CIFAR-100: loss", "CCE (+ L2 for VGG)", _curves("cifar100", "loss")),
    ))
