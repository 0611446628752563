"""Concatenate: joins several inputs along one axis."""
from __future__ import annotations

import numpy as np

from .base import Layer, Shape, format_shape


class Concatenate(Layer):
    """Concatenates a list of inputs along ``axis`` (the last by default).

    Shapes: inputs (batch, ..., n_i) -> output (batch, ..., Σ n_i); all other
    axes must agree.
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Concatenate: axis must be an integer, got {axis!r}")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"Layer {self.name!r} (Concatenate) needs a list of at least 2 inputs, "
                             f"got {input_shape!r}")
        rank = len(input_shape[0])
        if not -rank <= self.axis < rank:
            raise ValueError(f"Layer {self.name!r} (Concatenate): axis={self.axis} is out of range for inputs "
                             f"of rank {rank} (shapes {', '.join(format_shape(t) for t in input_shape)}); "
                             f"use an axis in [{-rank}, {rank})")
        axis = self.axis % rank
        for s in input_shape:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, input_shape[0]))
                                     if i != axis and a is not None and b is not None):
                raise ValueError(f"Layer {self.name!r} (Concatenate) on axis {self.axis} needs inputs that "
                                 f"agree on every other axis, got shapes "
                                 f"{', '.join(format_shape(t) for t in input_shape)}")
        sizes = [s[axis] for s in input_shape]
        out = list(input_shape[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def forward(self, xs, training=False):
        self.compute_output_shape([(None, *x.shape[1:]) for x in xs])
        splits = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=self.axis), splits

    def backward(self, splits, dy, need_dx=True):
        return np.split(dy, splits, axis=self.axis), {}

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
