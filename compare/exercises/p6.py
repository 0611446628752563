"""P-6: XOR with tanh units, MSE, SGD lr 0.1, batch 1, all four examples (report 2-6, figs 8-9).

Architectures: ``221`` (2 → 2 tanh → 1 tanh) and ``211`` (2 → 1 tanh hidden
unit; the output unit sees [inputs, hidden] → 1 tanh). Encodings: ``pm1``
(inputs and targets in {-1, +1}, accuracy y·t > 0.7) and ``01`` (both mapped
v → (v+1)/2, binary accuracy at 0.5: the report's Keras variant).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Data, Exercise, FigureSpec, Curve, accuracy, compile_model

LR = 0.1
XOR_PM1 = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
VARIANTS = {"221_pm1": "2-2-1 on ±1", "211_pm1": "2-1(+inputs)-1 on ±1",
            "221_01": "2-2-1 on {0,1}", "211_01": "2-1(+inputs)-1 on {0,1}"}


def build_net(lib: Any, arch: str, encoding: str, inputs: int = 2, hidden: int = 2, lr: float = LR) -> Any:
    """``arch`` '221' (inputs → hidden tanh → 1 tanh) or '211' (1 hidden tanh unit, output sees [x, h])."""
    inp = lib.Input((inputs,), name="x")
    if arch == "221":
        h = lib.layers.Dense(hidden, activation="tanh", name="hidden")(inp)
        out = lib.layers.Dense(1, activation="tanh", name="output")(h)
    elif arch == "211":
        h = lib.layers.Dense(1, activation="tanh", name="hidden")(inp)
        cat = lib.layers.Concatenate(name="input_and_hidden")([inp, h])
        out = lib.layers.Dense(1, activation="tanh", name="output")(cat)
    else:
        raise ValueError(f"arch {arch!r} must be '221' or '211'")
    model = lib.Model(inp, out)
    return compile_model(lib, model, lib.optimizers.SGD(learning_rate=lr), lib.losses.MeanSquaredError(),
                         [accuracy(lib, "pm1" if encoding == "pm1" else "binary")])


def xor_data(encoding: str) -> Data:
    """The four examples, target x1·x2 on ±1; ``01``: v → (v+1)/2. No held-out set (as the report)."""
    x = XOR_PM1.copy()
    y = (x[:, 0] * x[:, 1])[:, None]
    if encoding == "01":
        x, y = (x + 1) / 2, (y + 1) / 2
    info = {"name": "xor", "source": "exact", "n_train": 4, "n_val": 0, "encoding": encoding}
    return Data(x, y, None, None, "XOR, 4 examples on " + ("{0,1}" if encoding == "01" else "±1"), info)


def _split(variant: str) -> tuple[str, str]:
    arch, encoding = variant.split("_")
    return arch, encoding


EXERCISE = Exercise(
    name="p6", title="P-6: XOR, two architectures", report="previous practice P-6 (report 2-6)",
    figures=(8, 9), variants=VARIANTS,
    build=lambda lib, variant: build_net(lib, *_split(variant)),
    data=lambda variant, quick, data_dir: xor_data(_split(variant)[1]),
    epochs=300, quick_epochs=50, batch_size=1,
    curve_figures=(
        FigureSpec(8, "xor_accuracy", "Fig. 8 — XOR: training accuracy", "accuracy (±1: y·t > 0.7; {0,1}: binary)",
                   tuple(Curve(d, (v,), "accuracy") for v, d in VARIANTS.items())),
        FigureSpec(9, "xor_loss", "Fig. 9 — XOR: training loss (MSE)", "MSE",
                   tuple(Curve(d, (v,), "loss") for v, d in VARIANTS.items()), logy=True),
    ))
