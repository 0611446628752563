"""Dropout: inverted dropout, active only in training."""
from __future__ import annotations

import numbers

import numpy as np

from .. import config
from .base import Layer


class Dropout(Layer):
    """Zeroes each unit with probability ``rate`` in training and scales the
    survivors by ``1 / (1 - rate)``, so inference is the identity (Keras's
    inverted dropout). Shapes: any, y has x's shape.

    Args:
        rate: fraction of units to drop, in [0, 1).
        seed: seeds this layer's own generator: two layers with the same seed
            draw the same sequence of masks. Without one, the generator is
            drawn from ``config.rng()`` (see ``config.set_random_seed``).

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
            keep = self._rng.random(x.shape) >= self.rate
            self._mask = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        return x * self._mask, self._mask

    def backward(self, mask, dy, need_dx=True):
        return (dy if mask is None else dy * mask), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
