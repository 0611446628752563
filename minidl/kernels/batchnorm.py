"""Batch-normalization kernels over (m, c) rows; backend switch point, the reference for now."""
from __future__ import annotations

import numpy as np

from . import reference


def moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (m, c) -> mean (c,), biased variance (c,)."""
    return reference.batchnorm_moments(x)


def forward(x: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None,
            mean: np.ndarray, variance: np.ndarray, epsilon: float):
    """x (m, c) -> y (m, c), x_hat (m, c), inv_std (c,)."""
    return reference.batchnorm_forward(x, gamma, beta, mean, variance, epsilon)


def backward(dy: np.ndarray, x_hat: np.ndarray, gamma: np.ndarray | None,
             inv_std: np.ndarray, batch_statistics: bool):
    """dy (m, c) -> dx (m, c), dgamma (c,), dbeta (c,)."""
    return reference.batchnorm_backward(dy, x_hat, gamma, inv_std, batch_statistics)
