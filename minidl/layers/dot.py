"""Dot: the per-sample dot product of two inputs along given axes (Keras's batch_dot)."""
from __future__ import annotations

import numpy as np

from .base import Layer, Shape, format_shape

_EPSILON = 1e-7  # Keras's backend.epsilon(), the floor of the norm when normalize=True


class Dot(Layer):
    """``y[b] = tensordot(x1[b], x2[b], (axes[0], axes[1]))``.

    Shapes: x1 (batch, *A, k, *A'), x2 (batch, *B, k, *B') -> (batch, *A, *A', *B, *B'),
    (batch, 1) when both inputs are (batch, k). ``normalize=True`` L2-normalises each
    input along its axis first (the cosine proximity), as Keras.
    """

    def __init__(self, axes: int | tuple[int, int], normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
            axes = tuple(axes)
        self.axes = axes
        self.normalize = bool(normalize)

    def _axes(self, shapes) -> tuple[int, int]:
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return tuple(a % len(s) for a, s in zip(pair, shapes))

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        if not isinstance(input_shape, list) or len(input_shape) != 2 or not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"Layer {self.name!r} (Dot) needs a list of 2 inputs, got input shape {input_shape!r}")
        s1, s2 = (list(s) for s in input_shape)
        if len(s1) < 2 or len(s2) < 2:
            raise ValueError(f"Layer {self.name!r} (Dot) needs inputs of rank >= 2, got shapes "
                             f"{format_shape(s1)}, {format_shape(s2)}")
        a1, a2 = self._axes((s1, s2))
        if 0 in (a1, a2) or (s1[a1] is not None and s2[a2] is not None and s1[a1] != s2[a2]):
            raise ValueError(f"Layer {self.name!r} (Dot) with axes={self.axes} needs equal sizes on those "
                             f"(non-batch) axes, got shapes {format_shape(s1)}, {format_shape(s2)}")
        s1.pop(a1)
        s2.pop(a2)
        out = s1 + s2[1:]
        return tuple(out + [1] if len(out) == 1 else out)

    def _unit(self, x, axis):
        """(x·s, s) with s = min(1/‖x‖, 1/ε) along axis."""
        scale = np.minimum(1.0 / np.sqrt((x * x).sum(axis=axis, keepdims=True)), 1.0 / _EPSILON)
        return x * scale, scale

    def forward(self, xs, training=False):
        out_shape = self.compute_output_shape([(None, *x.shape[1:]) for x in xs])
        x1, x2 = xs
        a1, a2 = self._axes((x1.shape, x2.shape))
        scales = (None, None)
        if self.normalize:
            (x1, s1), (x2, s2) = self._unit(x1, a1), self._unit(x2, a2)
            scales = (s1, s2)
        m1, m2 = np.moveaxis(x1, a1, -1), np.moveaxis(x2, a2, -1)
        n, k = m1.shape[0], m1.shape[-1]
        y = np.matmul(m1.reshape(n, -1, k), m2.reshape(n, -1, k).transpose(0, 2, 1))
        return y.reshape(n, *out_shape[1:]), (x1, x2, m1.shape, m2.shape, (a1, a2), scales)

    def backward(self, cache, dy, need_dx=True):
        if not need_dx:
            return None, {}
        x1, x2, m1_shape, m2_shape, (a1, a2), scales = cache
        n, k = m1_shape[0], m1_shape[-1]
        g = dy.reshape(n, -1, int(np.prod(m2_shape[1:-1], dtype=int)))
        m1, m2 = np.moveaxis(x1, a1, -1).reshape(n, -1, k), np.moveaxis(x2, a2, -1).reshape(n, -1, k)
        d1 = np.moveaxis(np.matmul(g, m2).reshape(m1_shape), -1, a1)
        d2 = np.moveaxis(np.matmul(g.transpose(0, 2, 1), m1).reshape(m2_shape), -1, a2)
        if self.normalize:
            d1, d2 = self._unit_backward(d1, x1, scales[0], a1), self._unit_backward(d2, x2, scales[1], a2)
        return [d1, d2], {}

    @staticmethod
    def _unit_backward(du, u, scale, axis):
        """Through u = x·min(1/‖x‖, 1/ε): s·(du − u·Σ du·u), or du/ε where the floor holds."""
        floored = scale >= 1.0 / _EPSILON
        return np.where(floored, du * scale, scale * (du - u * (du * u).sum(axis=axis, keepdims=True)))

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
