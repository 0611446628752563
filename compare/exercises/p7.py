"""P-7: parity of N bits, XOR generalised: N → N' tanh → 1 tanh, MSE, SGD lr 0.1, batch 1.

Inputs are all 2^N vectors in {-1, +1}^N, the target is their product (+1
for an even number of -1s); accuracy y·t > 0.7. A variant is named
``n<N>_h<N'>`` and any such name is accepted (``--variants n6_h10``).
The report states no epochs: 1,000 is this package's choice.
"""
from __future__ import annotations

import itertools
import re

import numpy as np

from .base import Curve, Data, Exercise, FigureSpec
from .p6 import build_net

DEFAULTS = {"n3_h3": "N = 3, N' = 3", "n4_h4": "N = 4, N' = 4", "n5_h5": "N = 5, N' = 5"}


class Variants(dict):
    """The default variants; membership also accepts any ``n<N>_h<N'>`` name."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and parse(key) is not None


def parse(variant: str) -> tuple[int, int] | None:
    """(N, N') from ``n<N>_h<N'>``, or None."""
    m = re.fullmatch(r"n(\d+)_h(\d+)", variant)
    if not m or not (1 <= int(m[1]) <= 16 and int(m[2]) >= 1):
        return None
    return int(m[1]), int(m[2])


def parity_data(n: int) -> Data:
    """All 2^n inputs on ±1 and the product of their bits."""
    x = np.array(list(itertools.product([-1.0, 1.0], repeat=n)))
    y = np.prod(x, axis=1, keepdims=True)
    return Data(x, y, None, None, f"parity of {n} bits, all {2 ** n} inputs on ±1",
                {"name": "parity", "source": "exact", "n_train": 2 ** n, "n_val": 0})


def _build(lib, variant):
    n, h = parse(variant)
    return build_net(lib, "221", "pm1", inputs=n, hidden=h)


EXERCISE = Exercise(
    name="p7", title="P-7: parity of N bits", report="previous practice P-7",
    figures=(), variants=Variants(DEFAULTS),
    build=_build, data=lambda variant, quick, data_dir: parity_data(parse(variant)[0]),
    epochs=1000, quick_epochs=30, batch_size=1,
    curve_figures=(
        FigureSpec(0, "parity_accuracy", "P-7 — parity: training accuracy", "accuracy (y·t > 0.7)",
                   tuple(Curve(d, (v,), "accuracy") for v, d in DEFAULTS.items())),
        FigureSpec(0, "parity_loss", "P-7 — parity: training loss (MSE)", "MSE",
                   tuple(Curve(d, (v,), "loss") for v, d in DEFAULTS.items()), logy=True),
    ))
