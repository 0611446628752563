"""Exercise 5: the logistic map x → 4x(1-x) (fig 16).

1 input → Dense 5 tanh; the output unit sees [input, hidden] (Concatenate)
→ Dense 1 linear; MSE, SGD, full batch. Training sets of 10, 24 and 50
points x ~ U[0, 1] (targets from the map: generated data, the title says so),
validation sets half as large. Learning rate (0.1) and epochs (1,000) are
this package's choice: the report states neither.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Curve, Data, Exercise, FigureSpec, compile_model

SIZES = {"n10": 10, "n24": 24, "n50": 50}


def build(lib: Any, variant: str = "n10") -> Any:
    inp = lib.Input((1,), name="x")
    hid = lib.layers.Dense(5, activation="tanh", name="hidden")(inp)
    cat = lib.layers.Concatenate(name="input_and_hidden")([inp, hid])
    out = lib.layers.Dense(1, name="output")(cat)
    return compile_model(lib, lib.Model(inp, out), lib.optimizers.SGD(learning_rate=0.1),
                         lib.losses.MeanSquaredError())


def data(variant: str, quick: bool, data_dir: str | None) -> Data:
    n = SIZES[variant]
    rng = np.random.default_rng([5, n])
    x_tr, x_va = rng.uniform(0, 1, (n, 1)), rng.uniform(0, 1, (n // 2, 1))
    f = lambda x: 4 * x * (1 - x)  # noqa: E731
    info = {"name": "logistic_map", "source": "generated", "n_train": n, "n_val": n // 2,
            "notes": ["x ~ U[0,1] from default_rng([5, n]), target 4x(1-x)"]}
    return Data(x_tr, f(x_tr), x_va, f(x_va), "generated samples of the logistic map", info)


EXERCISE = Exercise(
    name="ej05", title="Exercise 5: logistic map", report="exercise 5", figures=(16,),
    variants={k: f"{n} examples" for k, n in SIZES.items()}, build=build, data=data,
    epochs=1000, quick_epochs=20, batch_size=lambda variant, d: len(d.x_train),
    curve_figures=(FigureSpec(
        16, "logistic_map_loss", "Fig. 16 — Logistic map: MSE normalized to its maximum, per training-set size",
        "MSE", tuple(Curve(f"{part}, {n} examples", (v,), key, st) for v, n in SIZES.items()
                     for part, key, st in (("train", "loss", "-"), ("validation", "val_loss", "--"))),
        normalize=True, logy=True),))
