"""Convolution (channels last; kernel (kh, kw, cin, cout), or (k, cin, cout) for 1-D):
the NumPy reference, its backward, and the op's VJP.

Padding 'valid' or 'same' with TF's split (the odd cell at the end), so
Keras's TF-backend results are matched. The reference loops over the kh·kw
kernel taps: each tap is one strided slice of the padded input times one
(cin, cout) matrix, which is im2col without the column matrix.
"""
from __future__ import annotations

import numpy as np

from .padding import output_length, pad_amounts
from .tape import defop


def spatial_args(value, rank: int, name: str) -> tuple[int, ...]:
    """An int or a tuple of ``rank`` positive ints (strides, pool sizes) as a tuple."""
    t = (int(value),) * rank if np.isscalar(value) else tuple(int(v) for v in value)
    if len(t) != rank or any(v < 1 for v in t):
        raise ValueError(f"{name}: expected a positive int or {rank} of them, got {value!r}")
    return t


def check_layout(data_format, dilation_rate=1, op: str = "conv") -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"minidl.ops.{op}: only data_format='channels_last' is supported, got {data_format!r}")
    if any(d != 1 for d in np.atleast_1d(dilation_rate)):
        raise ValueError(f"minidl.ops.{op}: dilation_rate other than 1 is not supported, got {dilation_rate!r}")


def out_hw(x_shape, window, strides, padding) -> tuple[int, int]:
    """(oh, ow) of a window sliding over axes 1, 2 of x_shape; raises when it does not fit."""
    oh = output_length(x_shape[1], window[0], strides[0], padding)
    ow = output_length(x_shape[2], window[1], strides[1], padding)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"window {tuple(window)} does not fit input of spatial shape "
                         f"{tuple(x_shape[1:3])} with padding {padding!r}")
    return oh, ow


def pad_spatial(x: np.ndarray, window, strides, padding: str, fill: float = 0.0):
    """Pad axes 1 and 2 of x (n, h, w, c); returns (padded, (top, left))."""
    (top, bottom), (left, right) = (pad_amounts(x.shape[1], window[0], strides[0], padding),
                                    pad_amounts(x.shape[2], window[1], strides[1], padding))
    if top == bottom == left == right == 0:
        return x, (0, 0)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    return xp, (top, left)


def _tap(i: int, j: int, out: tuple[int, int], strides) -> tuple:
    """Index of the input cells that kernel tap (i, j) meets, one per output cell."""
    (oh, ow), (sh, sw) = out, strides
    return (slice(None), slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw))


def as_2d(x, kernel, strides):
    """1-D convs as 2-D ones on a height-1 image: (x4, kernel4, strides2, was_1d)."""
    if kernel.ndim == 3:
        return x[:, None], kernel[None], (1, spatial_args(strides, 1, "conv strides")[0]), True
    if kernel.ndim != 4:
        raise ValueError(f"minidl.ops.conv: kernel must be (k, cin, cout) or (kh, kw, cin, cout), got {kernel.shape}")
    return x, kernel, spatial_args(strides, 2, "conv strides"), False


def _check(x, kernel):
    if x.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError(f"minidl.ops.conv: input {x.shape} does not match kernel {kernel.shape} "
                         "(expected (n, [h,] w, cin))")


def conv2d_reference(x, kernel, strides, padding):
    """x (n, h, w, cin), kernel (kh, kw, cin, cout) -> y (n, oh, ow, cout)."""
    _check(x, kernel)
    kh, kw, _, cout = kernel.shape
    oh, ow = out_hw(x.shape, (kh, kw), strides, padding)
    xp, _ = pad_spatial(x, (kh, kw), strides, padding)
    y = np.zeros((x.shape[0], oh, ow, cout), dtype=np.result_type(x, kernel))
    for i in range(kh):
        for j in range(kw):
            y += xp[_tap(i, j, (oh, ow), strides)] @ kernel[i, j]
    return y


def conv2d_backward_reference(x, kernel, dy, strides, padding):
    """dy (n, oh, ow, cout) -> dx (n, h, w, cin), dkernel (kh, kw, cin, cout)."""
    kh, kw, cin, cout = kernel.shape
    oh, ow = dy.shape[1:3]
    xp, (top, left) = pad_spatial(x, (kh, kw), strides, padding)
    dxp = np.zeros_like(xp, dtype=np.result_type(x, dy))
    dkernel = np.empty_like(kernel, dtype=np.result_type(kernel, dy))
    dy2 = dy.reshape(-1, cout)
    for i in range(kh):
        for j in range(kw):
            tap = _tap(i, j, (oh, ow), strides)
            dkernel[i, j] = xp[tap].reshape(-1, cin).T @ dy2
            dxp[tap] += dy @ kernel[i, j].T
    return dxp[:, top:top + x.shape[1], left:left + x.shape[2]], dkernel


def _vjp_conv(g, y, inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    return conv_backward(inputs, kernel, g, strides, padding)


@defop("conv", _vjp_conv)
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Keras's ``ops.conv`` (no bias): inputs (n, [h,] w, cin), kernel ([kh,] kw, cin, cout)
    -> (n, [oh,] ow, cout); strides an int or per spatial axis; padding 'valid' / 'same'."""
    check_layout(data_format, dilation_rate)
    x4, k4, s2, was_1d = as_2d(np.asarray(inputs), np.asarray(kernel), strides)
    y = conv2d_reference(x4, k4, s2, padding)
    return y[:, 0] if was_1d else y


@defop("conv_backward")
def conv_backward(inputs, kernel, dy, strides=1, padding="valid", need_dx=True):
    """Gradients of ``conv``: dy like its output -> (dx like inputs or None when not
    ``need_dx``, dkernel like kernel). The bias gradient is ``bias_grad(dy)``."""
    x4, k4, s2, was_1d = as_2d(np.asarray(inputs), np.asarray(kernel), strides)
    dy4 = dy[:, None] if was_1d else dy
    dx, dk = conv2d_backward_reference(x4, k4, dy4, s2, padding)
    if was_1d:
        dx, dk = dx[:, 0], dk[0]
    return (dx if need_dx else None), dk
