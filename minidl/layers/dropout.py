"""Dropout: inverted dropout, active only in training."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import config, ops
from .base import Layer


#: word widths a unit's random word may have, narrowest first (see ``Dropout``)
_WIDTHS = (1, 8, 16, 32)


def _width(rate: float) -> int:
    """The narrowest width b of ``_WIDTHS`` with rate·2**b an integer (then the drop
    probability is exactly ``rate``), else 32."""
    return next((b for b in _WIDTHS if (rate * (1 << b)).is_integer()), 32)


class Dropout(Layer):
    """Zeroes each unit with probability ``rate`` in training and scales the
    survivors by ``1 / (1 - rate)``, so inference is the identity (Keras's
    inverted dropout). Shapes: any, y has x's shape.

    Args:
        rate: fraction of units to drop, in [0, 1).
        seed: seeds this layer's own generator: two layers with the same seed
            draw the same sequence of masks. Without one, the generator is
            drawn from ``config.rng()`` (see ``config.set_random_seed``).

    The mask: one b-bit word per unit, kept when the word is at least
    ``ceil(rate · 2**b)``, so a unit drops with probability that count / 2**b.
    b is the narrowest of 1, 8, 16, 32 bits for which rate·2**b is an integer
    (then that probability is exactly ``rate``: 1 bit for 0.5, 8 for 0.25 or
    0.125), else 32 (within 2.4e-10 of ``rate``). The words are the layer
    generator's raw 64-bit outputs cut into b-bit pieces, low bits first
    (little-endian, whatever the machine): no float conversion and 2 to 64
    units per generator call, where ``rng.random() >= rate`` (before
    2026-12-01: same distribution, another random stream) drew one 64-bit
    value per unit. ``ops.dropout_apply`` reads them and multiplies in one
    pass; forward keeps the raw words for backward (1 bit a unit at rate 0.5),
    not a float mask.

    Gradient checks: set ``freeze_mask = True`` and a training forward
    reuses the last mask drawn (when the shape matches) instead of drawing a
    new one, so forward is a fixed function of x and central differences
    apply. backward uses the mask its forward drew (kept in the cache).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Dropout: rate must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = config.check_seed("Dropout", "seed", seed)
        self.freeze_mask = False
        self._rng = config.make_rng(seed)
        self._bits = _width(self.rate)
        self._threshold = math.ceil(self.rate * (1 << self._bits))  # exact: a power-of-two scale
        self._scale = 1.0 / (1.0 - self.rate)
        self._words: np.ndarray | None = None  # the last mask's words, for freeze_mask
        self._shape: tuple[int, ...] | None = None  # ... and the shape they were drawn for

    def _draw(self, size: int) -> np.ndarray:
        """The raw words of ``size`` units (none when every unit drops: threshold 2**b)."""
        if self._threshold >= 1 << self._bits:
            return np.zeros(0, np.uint64)
        return self._rng.bit_generator.random_raw(-(-size * self._bits // 64))

    def forward(self, x, training=False):
        """(y, words): words (the mask's raw words) is None for the identity (inference, rate 0)."""
        if not training or self.rate == 0:
            return x, None
        if x.dtype.kind != "f":  # Keras refuses too; the scale would be truncated
            raise TypeError(f"Layer {self.name!r} (Dropout) expects a float input in training, "
                            f"got dtype {x.dtype} (shape {x.shape})")
        reuse = self.freeze_mask and self._words is not None and self._shape == x.shape
        words = self._words if reuse else self._draw(x.size)
        y = self._apply(x, words)
        self._words, self._shape = words, x.shape
        return y, words

    def backward(self, words, dy, need_dx=True):
        return (dy if words is None else self._apply(dy, words)), {}

    def _apply(self, x: np.ndarray, words: np.ndarray) -> np.ndarray:
        return ops.dropout_apply(x, words, self._bits, self._threshold, self._scale)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
