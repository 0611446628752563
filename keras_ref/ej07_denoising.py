"""Exercise 7: denoising convolutional autoencoder on MNIST (figures 21-23).

Images in [0, 1]; inputs get Gaussian noise (std 0.5) and are clipped to
[0, 1]; the target is the clean image.  All convolutions 3×3 'same', ReLU
except the last:

    Conv 32 → MaxPool 2 → Conv 32 → MaxPool 2 (7×7×32)
    → Conv 32 → UpSampling 2 → Conv 32 → UpSampling 2 → Conv 1 sigmoid

Adam lr 0.001, binary cross-entropy, batch 128.  The report's 81.2 %
"accuracy" is Keras's binary accuracy on pixels (an output pixel counts as
right when ``(output > 0.5) == target``; grey target pixels never match),
so that metric is reported here too.  The report does not state the epochs:
10 is this module's default.
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, exercise_dir, param_counts, pick_epochs,
                     resolve_data_dir, seed_everything, subtitle, write_results)
from .mnist_nets import load
from .training import fit

EXERCISE = "ej07_denoising"
EPOCHS, QUICK_EPOCHS, BATCH = 10, 2, 128
LR, NOISE_STD = 0.001, 0.5
QUICK_TRAIN, QUICK_VAL = 2000, 500
N_SHOW = 8


def build_model(filters: int = 32, lr: float = LR) -> keras.Model:
    """The denoising autoencoder, compiled (Adam, binary cross-entropy)."""
    conv = lambda n, act="relu": keras.layers.Conv2D(n, 3, padding="same", activation=act)  # noqa: E731
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        conv(filters), keras.layers.MaxPooling2D(2),
        conv(filters), keras.layers.MaxPooling2D(2),
        conv(filters), keras.layers.UpSampling2D(2),
        conv(filters), keras.layers.UpSampling2D(2),
        conv(1, "sigmoid"),
    ], name="denoising_autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model


def add_noise(x: np.ndarray, rng: np.random.Generator, std: float = NOISE_STD) -> np.ndarray:
    """Gaussian noise of the given std, clipped back to [0, 1]."""
    return np.clip(x + rng.normal(0.0, std, size=x.shape), 0.0, 1.0).astype("float32")


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0,
        synthetic: bool = False) -> dict:
    """Train the autoencoder; figures 21-23 and the results JSON."""
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        n_train, n_val = (QUICK_TRAIN, QUICK_VAL) if quick else (None, None)
        data = load(data_dir, n_train, n_val, seed=seed, synthetic=synthetic)
        rng = seed_everything(seed)
        noisy_tr, noisy_va = add_noise(data.x_train, rng), add_noise(data.x_val, rng)
        model = build_model()
        record = RunRecord(
            exercise=EXERCISE, title="MNIST denoising autoencoder", seed=seed, quick=quick,
            setup={"noise": f"gaussian std {NOISE_STD}, clipped to [0, 1]", "optimizer": "Adam",
                   "lr": LR, "loss": "binary_crossentropy", "batch_size": BATCH,
                   "metric": "binary accuracy on pixels (threshold 0.5)",
                   "n_train": len(noisy_tr), "n_val": len(noisy_va)},
            data=data.source, params={"autoencoder": param_counts(model)})
        hist = fit(model, noisy_tr, data.x_train, record=record, key="autoencoder",
                   epochs=n_epochs, batch_size=BATCH, validation_data=(noisy_va, data.x_val),
                   out=out, verbose=verbose)
        denoised = model.predict(noisy_va[:N_SHOW], verbose=0)
        sub = subtitle(data.source, seed=seed, quick=quick,
                       extra=f"{len(noisy_tr)} train / {len(noisy_va)} validation")
        folder = exercise_dir(out, EXERCISE)
        record.figures = [str(p) for p in (
            figures.curves(folder, 21, "denoising_accuracy",
                           "Fig. 21 — MNIST denoising autoencoder: pixel binary accuracy",
                           {"train": hist.get("accuracy", []), "validation": hist.get("val_accuracy", [])},
                           "binary accuracy", subtitle=sub),
            figures.curves(folder, 22, "denoising_loss", "Fig. 22 — MNIST denoising autoencoder: loss",
                           {"train": hist.get("loss", []), "validation": hist.get("val_loss", [])},
                           "binary cross-entropy", subtitle=sub),
            figures.image_rows(folder, 23, "denoising_examples",
                               "Fig. 23 — MNIST denoising autoencoder: validation images",
                               {"clean": data.x_val[:N_SHOW], f"noisy (std {NOISE_STD})": noisy_va[:N_SHOW],
                                "denoised": denoised}, subtitle=sub),
        )]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()
