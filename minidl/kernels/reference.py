"""Plain NumPy kernels: clear rather than fast, the oracle the Numba kernels are tested against."""
from __future__ import annotations

import numpy as np


def dense_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """x (n, in) @ kernel (in, out) + bias (out,) -> (n, out)."""
    z = x @ kernel
    if bias is not None:
        z += bias
    return z


def dense_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, use_bias: bool):
    """Given dz (n, out): dx (n, in), dkernel (in, out), dbias (out,) or None."""
    dx = dz @ kernel.T
    dkernel = x.T @ dz
    dbias = dz.sum(axis=0) if use_bias else None
    return dx, dkernel, dbias
