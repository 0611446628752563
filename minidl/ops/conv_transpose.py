"""Transposed convolution (channels last; kernel (kh, kw, filters, cin), or
(k, filters, cin) for 1-D, as Keras lays it out): the NumPy reference and its VJP.

A transposed conv is the input-gradient of the conv that maps its output back
to its input: with that conv's kernel being exactly Keras's transposed kernel
(``filters`` in, ``cin`` out), ``conv_transpose(x, K)`` is ``d conv(z, K) / dz``
applied to ``x``. So its backward is a conv forward (the input gradient) and a
conv weight gradient, both taken from ``convolution``.

Output lengths are Keras's (``backend_utils.compute_conv_transpose_output_shape``):
'valid' ``(n - 1)·s + max(k, s)``, 'same' ``n·s``; with ``output_padding`` p,
'valid' ``(n - 1)·s + k + p``, 'same' ``(n - 1)·s + k % 2 + p``. The padding of
the underlying conv is TF's split for that output length, which is how
``tf.nn.conv_transpose`` (Keras's TF backend) computes it.
"""
from __future__ import annotations

import numpy as np

from .convolution import _tap, as_2d, check_layout, conv, conv_backward
from .padding import output_length, pad_amounts
from .tape import defop


def transpose_output_length(n: int, k: int, s: int, padding: str, output_padding: int | None = None) -> int:
    """Length of one spatial axis of a transposed conv's output (Keras's formula)."""
    if padding == "valid":
        return (n - 1) * s + (max(k, s) if output_padding is None else k + output_padding)
    if padding == "same":
        return n * s if output_padding is None else (n - 1) * s + k % 2 + output_padding
    raise ValueError(f"minidl.ops.conv_transpose: padding must be 'valid' or 'same', got {padding!r}")


def _output_paddings(output_padding, rank: int) -> tuple:
    """Per spatial axis: (None,) * rank, or ``rank`` non-negative ints."""
    if output_padding is None:
        return (None,) * rank
    t = (int(output_padding),) * rank if np.isscalar(output_padding) else tuple(int(p) for p in output_padding)
    if len(t) != rank or any(p < 0 for p in t):
        raise ValueError(f"minidl.ops.conv_transpose: output_padding must be a non-negative int or {rank} "
                         f"of them, got {output_padding!r}")
    return t


def output_hw(x_shape, kernel_hw, strides, padding, output_padding) -> tuple[int, int]:
    """(oh, ow) of a 2-D transposed conv; raises when the conv it transposes would not
    map (oh, ow) back to the input's (h, w) (an ``output_padding`` >= the stride)."""
    out = tuple(transpose_output_length(n, k, s, padding, p)
                for n, k, s, p in zip(x_shape[1:3], kernel_hw, strides, output_padding))
    back = tuple(output_length(o, k, s, padding) for o, k, s in zip(out, kernel_hw, strides))
    if back != tuple(x_shape[1:3]) or min(out) <= 0:
        raise ValueError(f"minidl.ops.conv_transpose: output_padding {output_padding} with strides "
                         f"{tuple(strides)} and kernel {tuple(kernel_hw)} gives an output of spatial shape "
                         f"{out}, which the transposed conv does not map back to the input's "
                         f"{tuple(x_shape[1:3])} (output_padding must be < strides, and >= 1 for an "
                         "even kernel with 'same' padding)")
    return out


def conv2d_transpose_reference(x, kernel, strides, padding, output_padding=(None, None)):
    """x (n, h, w, cin), kernel (kh, kw, filters, cin) -> y (n, oh, ow, filters).

    Each input cell scatters ``x[cell] @ kernel[i, j].T`` to the output cell that
    kernel tap (i, j) of the transposed conv would read from: one strided slice
    per tap, as the conv's input gradient does.
    """
    if x.ndim != 4 or x.shape[3] != kernel.shape[3]:
        raise ValueError(f"minidl.ops.conv_transpose: input {x.shape} does not match kernel {kernel.shape} "
                         "(expected (n, [h,] w, cin) with kernel ([kh,] kw, filters, cin))")
    kh, kw, filters, _ = kernel.shape
    oh, ow = output_hw(x.shape, (kh, kw), strides, padding, output_padding)
    (top, bottom), (left, right) = (pad_amounts(oh, kh, strides[0], padding),
                                    pad_amounts(ow, kw, strides[1], padding))
    yp = np.zeros((x.shape[0], oh + top + bottom, ow + left + right, filters), dtype=np.result_type(x, kernel))
    for i in range(kh):
        for j in range(kw):
            yp[_tap(i, j, x.shape[1:3], strides)] += x @ kernel[i, j].T
    # contiguous, so the layers' fused bias + activation kernels take it in place
    return np.ascontiguousarray(yp[:, top:top + oh, left:left + ow])


def _vjp_conv_transpose(g, y, inputs, kernel, strides=1, padding="valid", output_padding=None,
                        data_format=None, dilation_rate=1):
    return conv_transpose_backward(inputs, kernel, g, strides, padding)


@defop("conv_transpose", _vjp_conv_transpose)
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Keras's ``ops.conv_transpose`` (no bias): inputs (n, [h,] w, cin), kernel
    ([kh,] kw, filters, cin) -> (n, [oh,] ow, filters), the lengths as in the module doc."""
    check_layout(data_format, dilation_rate, "conv_transpose")
    x4, k4, s2, was_1d = as_2d(np.asarray(inputs), np.asarray(kernel), strides)
    pads = _output_paddings(output_padding, 1 if was_1d else 2)
    if was_1d:  # the added height-1 axis must stay 1 long: k = s = 1 and p 0 (or None)
        pads = (None if pads[0] is None else 0, *pads)
    y = conv2d_transpose_reference(x4, k4, s2, padding, pads)
    return y[:, 0] if was_1d else y


def conv_transpose_backward(inputs, kernel, dy, strides=1, padding="valid", need_dx=True):
    """Gradients of ``conv_transpose``: dy like its output -> (dx like inputs, or None
    when not ``need_dx``; dkernel like kernel). The transposed conv is the conv's input
    gradient, so dx is that conv applied to dy and dkernel its weight gradient with
    the roles of input and output gradient swapped (dy is the conv's input)."""
    dx = conv(dy, kernel, strides, padding) if need_dx else None
    _, dkernel = conv_backward(dy, kernel, inputs, strides, padding, need_dx=False)
    return dx, dkernel
