"""Exercise 5: learning the logistic map f(x) = 4x(1-x) (figure 16).

1 input → Dense 5 tanh; the output unit sees the input and the 5 hidden
units (Concatenate) → Dense 1 linear; MSE, SGD.  Training sets of 10, 24 and
50 examples x ~ U[0, 1] with targets f(x), validation sets half as large.
The data are *generated* from the map itself (there is no data set to load);
the figure title says so.  The report states neither the learning rate nor
the epochs: SGD lr 0.1, 1,000 full-batch epochs are this module's choice.
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, exercise_dir, param_counts, pick_epochs,
                     seed_everything, write_results)
from .training import fit

EXERCISE = "ej05_logistic_map"
EPOCHS, QUICK_EPOCHS = 1000, 20
LR = 0.1
SIZES = (10, 24, 50)


def logistic(x: np.ndarray, r: float = 4.0) -> np.ndarray:
    """One step of the logistic map, r·x·(1-x)."""
    return r * x * (1.0 - x)


def build_model(hidden: int = 5, lr: float = LR) -> keras.Model:
    """x → Dense(hidden, tanh) ; concat(x, hidden) → Dense(1, linear)."""
    inp = keras.Input((1,), name="x")
    hid = keras.layers.Dense(hidden, "tanh", name="hidden")(inp)
    cat = keras.layers.Concatenate(name="input_and_hidden")([inp, hid])
    outp = keras.layers.Dense(1, name="output")(cat)
    model = keras.Model(inp, outp, name="logistic_map")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def make_data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points x ~ U[0, 1] and their images 4x(1-x), as (n, 1) float32."""
    x = rng.uniform(0.0, 1.0, size=(n, 1)).astype("float32")
    return x, logistic(x).astype("float32")


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0) -> dict:
    """Train one network per training-set size; figure 16 and results JSON.

    ``data_dir`` is accepted for a uniform interface and ignored.
    """
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    with Stopwatch() as sw:
        source = {"name": "logistic_map", "source": "generated", "synthetic": True,
                  "notes": ["x ~ U[0,1], target 4x(1-x): generated, no data set involved"]}
        record = RunRecord(
            exercise=EXERCISE, title="Logistic map x → 4x(1-x)", seed=seed, quick=quick,
            setup={"model": "1 → Dense 5 tanh; concat(input, hidden) → Dense 1 linear",
                   "optimizer": "SGD", "lr": LR, "loss": "mse", "batch_size": "full batch",
                   "train_sizes": list(SIZES), "val_sizes": [n // 2 for n in SIZES]},
            data=source)
        hists = {}
        for i, n in enumerate(SIZES):
            rng = seed_everything(seed + i)
            x_tr, y_tr = make_data(n, rng)
            x_va, y_va = make_data(n // 2, rng)
            model = build_model()
            key = f"n{n}"
            record.params[key] = param_counts(model)
            hists[key] = fit(model, x_tr, y_tr, record=record, key=key, epochs=n_epochs,
                             batch_size=n, validation_data=(x_va, y_va), out=out, verbose=verbose)
            keras.backend.clear_session()
        series = {}
        for n in SIZES:
            series[f"train, {n} examples"] = hists[f"n{n}"].get("loss", [])
            series[f"validation, {n // 2} examples"] = hists[f"n{n}"].get("val_loss", [])
        styles = {k: "--" for k in series if k.startswith("train")}
        sub = f"generated samples of the map, x ~ U[0,1] · seed {seed}" + (" · QUICK run" if quick else "")
        record.figures = [str(figures.curves(
            exercise_dir(out, EXERCISE), 16, "logistic_map_loss",
            "Fig. 16 — Logistic map 4x(1−x): MSE normalized to its maximum, per training-set size",
            series, "MSE", normalize=True, subtitle=sub, logy=True, styles=styles))]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()
