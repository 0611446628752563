"""Max-pooling kernels (channels last); backend switch point, the reference for now.

Forward returns the output and ``argmax``, the winning cell's flat index
inside its window, which is all backward needs.
"""
from __future__ import annotations

import numpy as np

from . import reference


def maxpool2d_forward(x: np.ndarray, pool_size: tuple[int, int], strides: tuple[int, int],
                      padding: str) -> tuple[np.ndarray, np.ndarray]:
    """x (n, h, w, c) -> y (n, oh, ow, c), argmax (n, oh, ow, c) in [0, ph·pw)."""
    return reference.maxpool2d_forward(x, pool_size, strides, padding)


def maxpool2d_backward(dy: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                       pool_size: tuple[int, int], strides: tuple[int, int], padding: str) -> np.ndarray:
    """dy (n, oh, ow, c) -> dx of shape x_shape (n, h, w, c)."""
    return reference.maxpool2d_backward(dy, argmax, x_shape, pool_size, strides, padding)


def maxpool1d_forward(x: np.ndarray, pool_size: int, stride: int,
                      padding: str) -> tuple[np.ndarray, np.ndarray]:
    """x (n, length, c) -> y (n, out_len, c), argmax (n, out_len, c) in [0, pool_size)."""
    return reference.maxpool1d_forward(x, pool_size, stride, padding)


def maxpool1d_backward(dy: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                       pool_size: int, stride: int, padding: str) -> np.ndarray:
    """dy (n, out_len, c) -> dx of shape x_shape (n, length, c)."""
    return reference.maxpool1d_backward(dy, argmax, x_shape, pool_size, stride, padding)
