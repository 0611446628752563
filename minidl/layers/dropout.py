"""Dropout: inverted dropout, active only in training."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import config
from .base import Layer


#: word widths a unit's random word may have, narrowest first (see ``_keep``)
_WIDTHS = (1, 8, 16, 32)
_LITTLE = {8: "<u1", 16: "<u2", 32: "<u4"}


def _width(rate: float) -> int:
    """The narrowest width b of ``_WIDTHS`` with rate·2**b an integer (then the drop
    probability is exactly ``rate``), else 32."""
    return next((b for b in _WIDTHS if (rate * (1 << b)).is_integer()), 32)


def _keep(rng: np.random.Generator, shape: tuple[int, ...], rate: float) -> np.ndarray:
    """A bool array of ``shape``: True with probability 1 - ceil(rate·2**b)/2**b, one b-bit
    word of ``rng``'s raw stream per unit, b = ``_width(rate)`` (see ``Dropout``)."""
    size, bits = math.prod(shape), _width(rate)
    threshold = math.ceil(rate * (1 << bits))  # rate·2**b is exact in float64: a power-of-two scale
    if threshold >= 1 << bits:
        return np.zeros(shape, bool)
    raw = rng.bit_generator.random_raw(-(-size * bits // 64))
    data = raw.astype("<u8", copy=False).view("<u1")  # the bytes, low byte first on any machine
    if bits == 1:  # threshold 1 (rate 0.5): a unit is kept when its bit is set
        return np.unpackbits(data, count=size, bitorder="little").view(bool).reshape(shape)
    words = data.view(_LITTLE[bits])[:size]
    return (words >= words.dtype.type(threshold)).reshape(shape)


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
    value per unit; the IMDB network's two rate-0.5 masks cost 0.2 ms a batch
    instead of 2.5.

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
