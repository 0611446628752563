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
    apply. backward always uses the mask of the last forward pass.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Dropout: rate must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed
        self.freeze_mask = False
        self._rng = config.make_rng(seed)
        self._mask: np.ndarray | None = None     # last mask drawn, already scaled
        self._applied: np.ndarray | None = None  # mask of the last forward; None = identity

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._applied = None
            return x
        if not (self.freeze_mask and self._mask is not None and self._mask.shape == x.shape):
            keep = self._rng.random(x.shape) >= self.rate
            self._mask = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        self._applied = self._mask
        return x * self._applied

    def backward(self, dy):
        return dy if self._applied is None else dy * self._applied

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
