"""UpSampling2D: nearest-neighbour repetition of rows and columns, channels last."""
from __future__ import annotations

from .. import ops
from .base import Layer, Shape, check_rank
from .window_args import normalize_tuple


class UpSampling2D(Layer):
    """Repeats each row ``size[0]`` times and each column ``size[1]`` times.

    Shapes: x (batch, h, w, c) -> y (batch, h·size[0], w·size[1], c).
    Only ``interpolation="nearest"`` (Keras's default) exists here.
    """

    def __init__(self, size: int | tuple[int, int] = 2, interpolation: str = "nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple("UpSampling2D", "size", size, 2)
        if interpolation != "nearest":
            raise ValueError(f"UpSampling2D: only interpolation='nearest' is implemented, got {interpolation!r}")
        self.interpolation = interpolation

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, 4, "inputs (batch, height, width, channels)")
        _, h, w, c = input_shape
        return (input_shape[0], None if h is None else h * self.size[0],
                None if w is None else w * self.size[1], c)

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return ops.upsampling2d(x, self.size), None

    def backward(self, cache, dy, need_dx=True):
        return ops.upsampling2d_backward(dy, self.size), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}
