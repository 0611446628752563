"""Numba backend of ``ops.conv`` and ``ops.conv_backward`` (NHWC, channels last).

The plain convolution is the fused convolution (``fused_conv``) without bias,
activation or pooling: the same chunks of images, each one nogil Numba call that
builds its column matrix (or per-tap products) and runs the GEMM, writing the
output's own rows directly. Which matrix is built depends on which is smaller:

* forward, cout >= cin (VGG): im2col, rows = output cells, kh·kw·cin columns in
  (i, j, ci) order, times W (kh·kw·cin, cout); transposed when cin = 1;
* forward, cout < cin (MNIST conv2, IMDB Conv1D): per-tap products
  x (rows = input cells, cin) @ W_all (cin, kh·kw·cout), then each output
  cell adds its taps' columns from the right input cells ("kn2row");
* backward, stride 1 and cout <= cin: one gather of dz per chunk, D (rows =
  input cells, kh·kw·cout columns, taps flipped), gives both
  dx = D @ W_flip and dW = xᵀ @ D;
* backward otherwise: dW = im2colᵀ @ dz and dx = col2im(dz @ Wᵀ) (a
  scatter owned image by image).

Weight gradients are one partial product per chunk, added in chunk order;
every other output is owned by one chunk. So results are the same bits run
to run and for any thread count. Conv1D is the same code on a height-1 image.
"""
from __future__ import annotations

import numpy as np

from .. import convolution as ref
from .. import registry
from .fused_conv import conv2d_backward, conv2d_bias_act_pool_forward, runs_here


def _check(x4: np.ndarray, k4: np.ndarray) -> None:
    if x4.ndim != 4 or x4.shape[3] != k4.shape[2]:
        raise ValueError(f"minidl.ops.conv: input {x4.shape} does not match kernel {k4.shape} "
                         "(expected (n, [h,] w, cin))")


@registry.register("conv", "numba")
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """See :func:`minidl.ops.conv.conv` (1-D convs run as 2-D ones on a height-1 image)."""
    ref.check_layout(data_format, dilation_rate)
    x4, k4, s2, was_1d = ref.as_2d(inputs, kernel, strides)
    _check(x4, k4)
    if not runs_here(x4, k4):
        return ref.conv.reference(inputs, kernel, strides, padding, data_format, dilation_rate)
    y, _ = conv2d_bias_act_pool_forward(x4, k4, None, s2, padding, "linear")
    return y[:, 0] if was_1d else y


@registry.register("conv_backward", "numba")
def conv_backward(inputs, kernel, dy, strides=1, padding="valid", need_dx=True):
    """See :func:`minidl.ops.conv.conv_backward`."""
    x4, k4, s2, was_1d = ref.as_2d(inputs, kernel, strides)
    if not runs_here(x4, k4):
        return ref.conv_backward.reference(inputs, kernel, dy, strides, padding, need_dx)
    dx, dk = conv2d_backward(x4, k4, dy[:, None] if was_1d else dy, s2, padding, need_dx)
    if was_1d:
        return (None if dx is None else dx[:, 0]), dk[0]
    return dx, dk
