"""Bias + activation forward and activation derivative; backend switch point.

The layers compute their linear part without the bias (a BLAS matmul or
GEMM) and hand it here: the Numba path adds the bias and applies the
activation in one sweep over the rows, and in backward computes the
derivative in one sweep, with no temporaries. The reference path is
``z += bias; y = activation(z)`` and ``activation.backward(z, y, dy)``.
Activations other than the five built-in ones always take the reference path.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import activations
from ._dispatch import nb, use_numba
from ._threads import GRAIN, run, split


#: Numba codes of the built-in activations, keyed by the instance (identity),
#: so a user subclass that reuses a name still takes the reference path
_CODES = {activations.linear: 0, activations.sigmoid: 1, activations.tanh: 2,
          activations.relu: 3, activations.softmax: 4}

#: below this many elements NumPy's ufuncs beat a Numba call plus its argument
#: checks (XOR's 1×2 layers: ~1.5 µs against ~5 µs), so tiny arrays use the reference
SMALL = 256


def _code(activation: activations.Activation, z: np.ndarray) -> int | None:
    """The Numba code for this activation on ``z``, None for the reference path."""
    code = _CODES.get(activation)
    if code is None or z.size < SMALL or not use_numba(z):
        return None
    return code


def _rows(a: np.ndarray) -> np.ndarray:
    """(..., c) -> (m, c) view (a must be C-contiguous)."""
    return a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a


def forward(z: np.ndarray, bias: np.ndarray | None,
            activation: activations.Activation) -> tuple[np.ndarray, np.ndarray]:
    """z (..., c) without bias, bias (c,) or None -> (z + bias, activation(z + bias)).

    ``z`` must be a fresh array the caller owns: the bias is added in place.
    With the linear activation the two results are the same array.
    """
    code = _code(activation, z)
    if (code is None or (bias is not None and bias.dtype != z.dtype) or not z.flags.c_contiguous
            or not z.flags.writeable):
        if bias is not None:
            z += bias
        return z, activation(z)
    k = nb("activation")
    if code == 0:  # linear: only the bias to add
        if bias is not None:
            z += bias
        return z, z
    z2 = _rows(z)
    y = np.empty_like(z)
    y2 = _rows(y)
    b = bias if bias is not None else z2[0]  # a placeholder of the right type, unused
    one = z.dtype.type(1)
    blocks = split(z2.shape[0], GRAIN // z2.shape[1])
    if len(blocks) == 1:
        k.bias_act_rows(z2, b, bias is not None, code, y2, one, 0, z2.shape[0])
    else:
        run([partial(k.bias_act_rows, z2, b, bias is not None, code, y2, one, lo, hi) for lo, hi in blocks])
    return z, y


def backward(activation: activations.Activation, z: np.ndarray, y: np.ndarray,
             dy: np.ndarray) -> np.ndarray:
    """dL/dz (z's shape) from dy = dL/dy; z and y are forward's two results."""
    if activation is activations.linear:
        return dy
    code = _code(activation, z)
    if (code is None or y.dtype != z.dtype or dy.dtype != z.dtype or dy.shape != z.shape
            or not (z.flags.c_contiguous and y.flags.c_contiguous)):
        return activation.backward(z, y, dy)
    dy = np.ascontiguousarray(dy)
    dz = np.empty_like(z)
    k = nb("activation")
    one = z.dtype.type(1)
    z2, y2, dy2, dz2 = _rows(z), _rows(y), _rows(dy), _rows(dz)
    blocks = split(z2.shape[0], GRAIN // z2.shape[1])
    if len(blocks) == 1:
        k.act_grad_rows(code, z2, y2, dy2, dz2, one, 0, z2.shape[0])
    else:
        run([partial(k.act_grad_rows, code, z2, y2, dy2, dz2, one, lo, hi) for lo, hi in blocks])
    return dz


def bias_grad(dz2: np.ndarray) -> np.ndarray:
    """Column sums of dz2 (m, c) -> (c,), the bias gradient; deterministic.

    Large inputs are summed in row blocks (in parallel) whose bounds depend on
    the shape only, then the block sums are added in block order.
    """
    if dz2.size < SMALL or not use_numba(dz2):
        return dz2.sum(axis=0)
    dz2 = np.ascontiguousarray(dz2)
    k = nb("activation")
    blocks = split(dz2.shape[0], GRAIN // dz2.shape[1])
    sums = np.empty((len(blocks), dz2.shape[1]), dtype=dz2.dtype)
    if len(blocks) == 1:
        k.colsum_rows(dz2, sums[0], 0, dz2.shape[0])
        return sums[0]
    run([partial(k.colsum_rows, dz2, sums[i], lo, hi) for i, (lo, hi) in enumerate(blocks)])
    return sums.sum(axis=0)
