"""Dense kernels: the matmul goes to BLAS either way; backend switch point."""
from __future__ import annotations

import numpy as np

from . import reference


def forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """x (n, in), kernel (in, out), bias (out,) or None -> (n, out)."""
    return reference.dense_forward(x, kernel, bias)


def backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, use_bias: bool):
    """dz (n, out) -> dx (n, in), dkernel (in, out), dbias (out,) or None."""
    return reference.dense_backward(x, kernel, dz, use_bias)
