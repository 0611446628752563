"""Convolution + bias + activation + max pooling as one op (forward and backward).

The graph (``minidl.models.fuse``) replaces a Conv1D/Conv2D node and the max-pooling
node that alone reads its output with one node calling these. The NumPy references
are the unfused composition, op for op what the two layers run (``conv``,
``bias_activation``, ``max_pool_with_argmax`` and their backward ops, each on the
configured backend), so they are the oracle and give the unfused bits; a compiled
backend may register a one-pass kernel under the same names.

Shapes (2-D; 1-D is the same with the height axis left out): x (n, h, w, cin),
kernel (kh, kw, cin, cout), bias (cout,) or None, y (n, poh, pow, cout).
"""
from __future__ import annotations

import numpy as np

from .convolution import conv, conv_backward
from .nn import bias_activation, bias_activation_backward, bias_grad
from .pool import max_pool_backward, max_pool_with_argmax
from .tape import defop


@defop("conv_bias_act_max_pool")
def conv_bias_act_max_pool(x, kernel, bias, strides, padding: str, activation: str, pool_size, pool_strides,
                           pool_padding: str):
    """-> (y, saved): y = max_pool(activation(conv(x, kernel) + bias)); ``saved`` is what
    :func:`conv_bias_act_max_pool_backward` needs (opaque to the caller)."""
    z = conv(x, kernel, strides, padding)
    z, a = bias_activation(z, bias, activation)
    y, argmax = max_pool_with_argmax(a, pool_size, pool_strides, pool_padding)
    return y, ("unfused", z, a, argmax)


@defop("conv_bias_act_max_pool_backward")
def conv_bias_act_max_pool_backward(saved, dy, x, kernel, has_bias: bool, strides, padding: str,
                                    activation: str, pool_size, pool_strides, pool_padding: str,
                                    need_dx: bool = True):
    """dy (y's shape) -> (dx or None, dkernel, dbias or None)."""
    _, z, a, argmax = saved
    da = max_pool_backward(dy, argmax, a.shape, pool_size, pool_strides, pool_padding)
    dz = bias_activation_backward(activation, z, a, da)
    dx, dkernel = conv_backward(x, kernel, dz, strides, padding, need_dx)
    return dx, dkernel, (bias_grad(dz.reshape(-1, dz.shape[-1])) if has_bias else None)
