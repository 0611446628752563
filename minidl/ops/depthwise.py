"""Depthwise and separable convolutions (channels last): NumPy references and VJPs.

Depthwise: each input channel c is convolved with its own ``depth_multiplier``
kernels ``kernel[..., c, :]``; output channel ``c·depth_multiplier + m`` is
kernel m of channel c (TF's and Keras's order). Kernel (kh, kw, cin, dm), or
(k, cin, dm) for 1-D. Padding 'valid' / 'same' with TF's split, as ``conv``.

Separable: a depthwise conv, then a 1×1 conv (``pointwise_kernel`` (1, 1,
cin·dm, filters)); written with the two ops, so it is recorded and
differentiated through them.
"""
from __future__ import annotations

import numpy as np

from .convolution import _tap, as_2d, check_layout, conv, out_hw, pad_spatial
from .tape import defop


def _as_2d(x, kernel, strides, op: str):
    if kernel.ndim not in (3, 4) or x.ndim != kernel.ndim or x.shape[-1] != kernel.shape[-2]:
        raise ValueError(f"minidl.ops.{op}: input {x.shape} does not match kernel {kernel.shape} "
                         "(expected input (n, [h,] w, cin) with kernel ([kh,] kw, cin, depth_multiplier))")
    return as_2d(x, kernel, strides)


def depthwise_conv2d_reference(x, kernel, strides, padding):
    """x (n, h, w, cin), kernel (kh, kw, cin, dm) -> y (n, oh, ow, cin·dm)."""
    kh, kw, cin, dm = kernel.shape
    oh, ow = out_hw(x.shape, (kh, kw), strides, padding)
    xp, _ = pad_spatial(x, (kh, kw), strides, padding)
    y = np.zeros((x.shape[0], oh, ow, cin, dm), dtype=np.result_type(x, kernel))
    for i in range(kh):
        for j in range(kw):
            y += xp[_tap(i, j, (oh, ow), strides)][..., None] * kernel[i, j]
    return y.reshape(x.shape[0], oh, ow, cin * dm)


def depthwise_conv2d_backward_reference(x, kernel, dy, strides, padding, need_dx=True):
    """dy (n, oh, ow, cin·dm) -> dx (n, h, w, cin) or None, dkernel (kh, kw, cin, dm)."""
    kh, kw, cin, dm = kernel.shape
    oh, ow = dy.shape[1:3]
    xp, (top, left) = pad_spatial(x, (kh, kw), strides, padding)
    dy5 = dy.reshape(dy.shape[0], oh, ow, cin, dm)
    dxp = np.zeros_like(xp, dtype=np.result_type(x, dy)) if need_dx else None
    dkernel = np.empty_like(kernel, dtype=np.result_type(kernel, dy))
    for i in range(kh):
        for j in range(kw):
            tap = _tap(i, j, (oh, ow), strides)
            dkernel[i, j] = np.einsum("nhwc,nhwcm->cm", xp[tap], dy5)
            if need_dx:
                dxp[tap] += np.einsum("nhwcm,cm->nhwc", dy5, kernel[i, j])
    dx = dxp[:, top:top + x.shape[1], left:left + x.shape[2]] if need_dx else None
    return dx, dkernel


def _vjp_depthwise_conv(g, y, inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    return depthwise_conv_backward(inputs, kernel, g, strides, padding)


@defop("depthwise_conv", _vjp_depthwise_conv)
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Keras's ``ops.depthwise_conv`` (no bias): inputs (n, [h,] w, cin), kernel
    ([kh,] kw, cin, dm) -> (n, [oh,] ow, cin·dm)."""
    check_layout(data_format, dilation_rate, "depthwise_conv")
    x4, k4, s2, was_1d = _as_2d(np.asarray(inputs), np.asarray(kernel), strides, "depthwise_conv")
    y = depthwise_conv2d_reference(x4, k4, s2, padding)
    return y[:, 0] if was_1d else y


@defop("depthwise_conv_backward")
def depthwise_conv_backward(inputs, kernel, dy, strides=1, padding="valid", need_dx=True):
    """Gradients of ``depthwise_conv``: dy like its output -> (dx like inputs or None
    when not ``need_dx``, dkernel like kernel). The bias gradient is ``bias_grad(dy)``."""
    x4, k4, s2, was_1d = _as_2d(np.asarray(inputs), np.asarray(kernel), strides, "depthwise_conv_backward")
    dx, dk = depthwise_conv2d_backward_reference(x4, k4, dy[:, None] if was_1d else dy, s2, padding, need_dx)
    if was_1d:
        dx, dk = (None if dx is None else dx[:, 0]), dk[0]
    return dx, dk


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Keras's ``ops.separable_conv`` (no bias): inputs (n, [h,] w, cin), depthwise_kernel
    ([kh,] kw, cin, dm), pointwise_kernel ([1,] 1, cin·dm, filters) -> (n, [oh,] ow, filters)."""
    mid = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(mid, pointwise_kernel, 1, "valid")
