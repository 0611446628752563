"""Dense kernels: the matmuls stay in BLAS either way; backend switch point.

With the Numba backend the layer calls :func:`matmul` and lets
``kernels.activation.forward`` add the bias fused with the activation; the
products run as blocks of single-threaded BLAS on the kernel pool
(``kernels._gemm``); backward sums the bias gradient with a deterministic
kernel and skips the input gradient when nothing upstream needs it (the
first layer of a model).
"""
from __future__ import annotations

import numpy as np

from . import _gemm, activation, reference
from ._dispatch import use_numba


def forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """x (n, in), kernel (in, out), bias (out,) or None -> (n, out)."""
    return reference.dense_forward(x, kernel, bias)


def matmul(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """x (n, in) @ kernel (in, out) -> a fresh (n, out) array, without the bias."""
    if not use_numba(x, kernel):
        return x @ kernel
    return _gemm.matmul(x, kernel)


def backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, use_bias: bool,
             need_dx: bool = True):
    """dz (n, out) -> dx (n, in) or None when not ``need_dx``, dkernel (in, out),
    dbias (out,) or None."""
    if not use_numba(x, kernel, dz):
        dx, dkernel, dbias = reference.dense_backward(x, kernel, dz, use_bias)
        return (dx if need_dx else None), dkernel, dbias
    dkernel = _gemm.matmul(x.T, dz)
    dbias = activation.bias_grad(dz) if use_bias else None
    dx = _gemm.matmul(dz, kernel.T) if need_dx else None
    return dx, dkernel, dbias
