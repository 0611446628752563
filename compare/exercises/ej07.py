"""Exercise 7: denoising convolutional autoencoder on MNIST (figs 21-23).

Images in [0, 1]; inputs get Gaussian noise (std 0.5, drawn once in NumPy
from default_rng(7)), clipped to [0, 1]; the target is the clean image.
Conv 32 → MaxPool → Conv 32 → MaxPool → Conv 32 → UpSampling → Conv 32 →
UpSampling → Conv 1 sigmoid, 3×3 same, relu; Adam 0.001, BCE, batch 128.
The report's 81.2 % "accuracy" is binary accuracy on pixels. Epochs: 10.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import datasets as ds
from .base import Data, Exercise, FigureSpec, Published, accuracy, compile_model, curves_train_val

NOISE = 0.5


def build(lib: Any, variant: str = "autoencoder") -> Any:
    L = lib.layers
    conv = lambda n, act="relu": L.Conv2D(n, 3, padding="same", activation=act)  # noqa: E731
    model = lib.Sequential([lib.Input((28, 28, 1)), conv(32), L.MaxPooling2D(2), conv(32), L.MaxPooling2D(2),
                            conv(32), L.UpSampling2D(2), conv(32), L.UpSampling2D(2), conv(1, "sigmoid")])
    return compile_model(lib, model, lib.optimizers.Adam(learning_rate=0.001), lib.losses.BinaryCrossentropy(),
                         [accuracy(lib, "binary")])


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    (x_tr, _), (x_va, _), info = ds.mnist(data_dir, quick)
    rng = np.random.default_rng(7)
    noisy = lambda x: np.clip(x + rng.normal(0.0, NOISE, x.shape), 0.0, 1.0)  # noqa: E731
    info = {**info, "n_train": len(x_tr), "n_val": len(x_va), "noise": "gaussian std 0.5, clipped, default_rng(7)"}
    return Data(noisy(x_tr), x_tr, noisy(x_va), x_va, ds.label(info, quick), info)


def extra_figures(models: dict[str, Any], data: Data, folder: str, subtitle: str) -> list[str]:
    """Fig. 23: clean, noisy and denoised validation images (one row per library)."""
    from ..figures import plt, save
    rows = {"clean": data.y_val[:8], "noisy": data.x_val[:8]}
    rows.update({f"denoised, {lib}": m.predict(data.x_val[:8], verbose=0) for lib, m in models.items()})
    fig, axes = plt.subplots(len(rows), 8, figsize=(10, 1.4 * len(rows) + 0.8), squeeze=False)
    for r, (name, imgs) in enumerate(rows.items()):
        for c in range(8):
            axes[r][c].imshow(np.asarray(imgs[c]).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            axes[r][c].axis("off")
        axes[r][0].set_title(name, fontsize=8, loc="left")
    fig.suptitle(f"Fig. 23 — MNIST denoising autoencoder: validation images\n{subtitle}", fontsize=9)
    return [save(fig, os.path.join(folder, "fig23_denoising_examples.png"))]


EXERCISE = Exercise(
    name="ej07", title="Exercise 7: MNIST denoising autoencoder", report="exercise 7", figures=(21, 22, 23),
    variants={"autoencoder": "conv autoencoder"}, build=build, data=data,
    epochs=10, quick_epochs=2, batch_size=128,
    published=(Published(("autoencoder",), "val_accuracy", 0.812, "81.2 % (pixel binary accuracy)"),),
    curve_figures=(
        FigureSpec(21, "denoising_accuracy", "Fig. 21 — denoising autoencoder: pixel binary accuracy",
                   "binary accuracy", curves_train_val(["autoencoder"], "accuracy")),
        FigureSpec(22, "denoising_loss", "Fig. 22 — denoising autoencoder: loss", "binary cross-entropy",
                   curves_train_val(["autoencoder"], "loss")),
    ), extra_figures=extra_figures)
