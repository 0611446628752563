"""Dropout: inverted dropout, active only in training."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import config
from .base import Layer


_WORD = 1 << 32


def _keep(rng: np.random.Generator, shape: tuple[int, ...], rate: float) -> np.ndarray:
    """A bool array of ``shape``: True with probability 1 - ceil(rate·2**32)/2**32, one
    32-bit word of ``rng``'s raw stream per unit (see ``Dropout``)."""
    size = math.prod(shape)
    threshold = math.ceil(rate * _WORD)  # rate·2**32 is exact in float64: a power-of-two scale
    if threshold >= _WORD:
        return np.zeros(shape, bool)
    raw = rng.bit_generator.random_raw((size + 1) // 2)
    words = raw.astype("<u8", copy=False).view("<u4")[:size]  # low half first on any machine
    return (words >= np.uint32(threshold)).reshape(shape)


class Dropout(Layer):
    """Zeroes each unit with probability ``rate`` in training and scales the
    survivors by ``1 / (1 - rate)``, so inference is the identity (Keras's
    inverted dropout). Shapes: any, y has x's shape.

    Args:
        rate: fraction of units to drop, in [0, 1).
        seed: seeds this layer's own generator: two layers with the same seed
            draw the same sequence of masks. Without one, the generator is
            drawn from ``config.rng()`` (see ``config.set_random_seed``).

    The mask: one 32-bit word per unit, kept when the word is at least
    ``ceil(rate · 2**32)`` (the drop probability is that count / 2**32, within
    2.4e-10 of ``rate``; exactly ``rate`` for rates like 0.5 or 0.25). The words
    are the layer generator's raw 64-bit outputs, each split into two
    (little-endian: low half first, whatever the machine), half the generator
    calls of a float per unit and no float conversion: the IMDB network's masks
    cost 0.9 ms a batch instead of 2.5. (Before 2026-12-01 a unit was kept when
    ``rng.random() >= rate``: same distribution, another random stream.)

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
        self._mask: np.ndarray | None = None  # the last mask drawn, already scaled, for freeze_mask

    def forward(self, x, training=False):
        """(y, mask): mask is None for the identity (inference, rate 0)."""
        if not training or self.rate == 0:
            return x, None
        if not (self.freeze_mask and self._mask is not None and self._mask.shape == x.shape):
            keep = _keep(self._rng, x.shape, self.rate)
            self._mask = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        return x * self._mask, self._mask

    def backward(self, mask, dy, need_dx=True):
        return (dy if mask is None else dy * mask), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
