"""Numba-backend bias + activation (forward), activation derivative and bias gradient.

The layers compute their linear part without the bias (a BLAS matmul or GEMM)
and hand it here: the bias is added and the activation applied in one sweep
over the rows, and backward computes the derivative in one sweep, with no
temporaries; tanh and sigmoid take NumPy's own SIMD tanh and exp
(``bias_smooth_rows``). Activations without a kernel, tiny arrays
(``tuning.SMALL``) and non-contiguous ones take the NumPy reference.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import nn, registry
from . import tuning
from .jit import activation as k
from .threads import run, split

#: the activations with a compiled kernel
_CODES = k.CODES


def _rows(a: np.ndarray) -> np.ndarray:
    """(..., c) -> (m, c) view (a must be C-contiguous)."""
    return a.reshape(-1, a.shape[-1]) if a.ndim != 2 else a


def _run_rows(kernel, args_before, args_after, m: int, c: int) -> None:
    """kernel(*args_before, *args_after, lo, hi) over row blocks of about GRAIN elements."""
    blocks = split(m, tuning.GRAIN // max(c, 1))
    if len(blocks) == 1:
        kernel(*args_before, *args_after, 0, m)
    else:
        run([partial(kernel, *args_before, *args_after, lo, hi) for lo, hi in blocks])


@registry.register("bias_activation", "numba")
def bias_activation(z, bias, activation: str):
    """See :func:`minidl.ops.nn.bias_activation`."""
    code = _CODES.get(activation)
    if (code is None or z.size < tuning.SMALL or z.ndim == 0 or not z.flags.c_contiguous
            or not z.flags.writeable or (bias is not None and bias.dtype != z.dtype)):
        return nn.bias_activation.reference(z, bias, activation)
    if code == k.LINEAR:
        if bias is not None:
            z += bias
        return z, z
    z2 = _rows(z)
    y = np.empty_like(z)
    if activation in NUMPY_MATH:
        _run_rows(bias_smooth_rows, (activation, z2, bias, _rows(y)), (), z2.shape[0], z2.shape[1])
        return z, y
    b = bias if bias is not None else z2[0]  # a placeholder of the right type, unused
    _run_rows(k.bias_act_rows, (z2, b, bias is not None, code, _rows(y), z.dtype.type(1)), (),
              z2.shape[0], z2.shape[1])
    return z, y


#: activations whose transcendental function is NumPy's own SIMD one (``bias_smooth_rows``)
NUMPY_MATH = ("tanh", "sigmoid")


def bias_smooth_rows(activation: str, z: np.ndarray, bias: np.ndarray | None, y: np.ndarray, r0: int,
                     r1: int, scratch: np.ndarray | None = None) -> None:
    """Rows r0:r1 (of 2-D z, y): z += bias (in place), y = tanh(z) or sigmoid(z).

    NumPy's own SIMD ``tanh`` and ``exp`` rather than the scalar libm calls a Numba loop makes:
    the reference's values, bit for bit at any cut of the rows, and faster (100×24×24×30
    values on one thread: tanh 10.6 -> 0.85 ms, sigmoid ~4.5 -> ~1.8 ms). The sigmoid's select
    is compiled (``sigmoid_from_exp``): the reference's ``np.where`` costs ~4 ns per value on
    random signs. Its e^-|z| goes to y's rows, or to ``scratch`` (z's shape) when y is z:
    no fresh temporaries (each a new mmap, paid in page faults)."""
    zr = z[r0:r1]
    yr = y[r0:r1]
    if bias is not None:
        zr += bias
    if activation == "tanh":
        np.tanh(zr, out=yr)
        return
    e = yr if y is not z else (scratch[r0:r1] if scratch is not None else np.empty_like(zr))
    np.abs(zr, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    k.sigmoid_from_exp(zr.reshape(-1), e.reshape(-1), yr.reshape(-1), z.dtype.type(1))


@registry.register("bias_activation_backward", "numba")
def bias_activation_backward(activation: str, z, y, dy):
    """See :func:`minidl.ops.nn.bias_activation_backward`."""
    if activation == "linear":
        return dy
    code = _CODES.get(activation)
    if (code is None or z.size < tuning.SMALL or z.ndim == 0 or y.dtype != z.dtype
            or dy.dtype != z.dtype or dy.shape != z.shape
            or not (z.flags.c_contiguous and y.flags.c_contiguous)):
        return nn.bias_activation_backward.reference(activation, z, y, dy)
    dy = np.ascontiguousarray(dy)
    dz = np.empty_like(z)
    z2 = _rows(z)
    _run_rows(k.act_grad_rows, (code, z2, _rows(y), _rows(dy), _rows(dz), z.dtype.type(1)), (),
              z2.shape[0], z2.shape[1])
    return dz


@registry.register("bias_grad", "numba")
def bias_grad(dz):
    """Column sums of dz (..., c) -> (c,); deterministic.

    Large inputs are summed in row blocks (in parallel) whose bounds depend on the
    shape only, then the block sums are added in block order."""
    if dz.size < tuning.SMALL or dz.ndim == 0:
        return nn.bias_grad.reference(dz)
    dz2 = np.ascontiguousarray(dz).reshape(-1, dz.shape[-1])
    blocks = split(dz2.shape[0], tuning.GRAIN // max(dz2.shape[1], 1))
    sums = np.empty((len(blocks), dz2.shape[1]), dtype=dz2.dtype)
    if len(blocks) == 1:
        k.colsum_rows(dz2, sums[0], 0, dz2.shape[0])
        return sums[0]
    run([partial(k.colsum_rows, dz2, sums[i], lo, hi) for i, (lo, hi) in enumerate(blocks)])
    return sums.sum(axis=0)
