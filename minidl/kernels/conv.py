"""Convolution kernels (NHWC, channels last); backend switch point, the reference for now."""
from __future__ import annotations

import numpy as np

from . import reference


def conv2d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   strides: tuple[int, int], padding: str) -> np.ndarray:
    """x (n, h, w, cin), kernel (kh, kw, cin, cout), bias (cout,) or None -> (n, oh, ow, cout)."""
    return reference.conv2d_forward(x, kernel, bias, strides, padding)


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray,
                    strides: tuple[int, int], padding: str, use_bias: bool):
    """dz (n, oh, ow, cout) -> dx (n, h, w, cin), dkernel (kh, kw, cin, cout), dbias (cout,) or None."""
    return reference.conv2d_backward(x, kernel, dz, strides, padding, use_bias)


def conv1d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   stride: int, padding: str) -> np.ndarray:
    """x (n, length, cin), kernel (k, cin, cout), bias (cout,) or None -> (n, out_len, cout)."""
    return reference.conv1d_forward(x, kernel, bias, stride, padding)


def conv1d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray,
                    stride: int, padding: str, use_bias: bool):
    """dz (n, out_len, cout) -> dx (n, length, cin), dkernel (k, cin, cout), dbias (cout,) or None."""
    return reference.conv1d_backward(x, kernel, dz, stride, padding, use_bias)
