"""Fused softmax cross-entropy from logits: per-sample losses and the gradient in one pass.

The model's logits shortcut (a softmax output trained with a categorical
cross-entropy) otherwise computes the softmax twice, once for the loss and
once for its gradient, with a temporary per step. Same formulas as
``minidl.losses`` with ``from_logits=True``; the caller validates and aligns
the targets first (``losses._align`` / ``losses._sparse_labels``).
"""
from __future__ import annotations

import numpy as np

from ._dispatch import nb, use_numba


def available(z: np.ndarray) -> bool:
    """Whether the fused kernel handles logits ``z`` (Numba backend, float32/64, non-empty)."""
    return use_numba(z) and z.ndim >= 1 and z.size > 0


def softmax_cross_entropy(t: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """t, z (..., c) in one dtype -> per-sample loss (...), gradient of the mean loss (..., c).

    The gradient is divided by the number of samples (every axis but the last),
    as ``Loss.gradient`` does.
    """
    c = z.shape[-1]
    z2 = np.ascontiguousarray(z).reshape(-1, c)
    t2 = np.ascontiguousarray(t, dtype=z.dtype).reshape(-1, c)
    loss = np.empty(z2.shape[0], dtype=z.dtype)
    grad = np.empty_like(z2)
    n = z.dtype.type(max(z2.shape[0], 1))
    nb("xent").softmax_xent(t2, z2, n, loss, grad)
    return loss.reshape(z.shape[:-1]), grad.reshape(z.shape)


def sparse_softmax_cross_entropy(labels: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """labels (...) integers in [0, c) (already checked), z (..., c)
    -> per-sample loss (...), gradient of the mean loss (..., c)."""
    c = z.shape[-1]
    z2 = np.ascontiguousarray(z).reshape(-1, c)
    lab = np.ascontiguousarray(labels, dtype=np.int64).reshape(-1)
    if lab.shape[0] != z2.shape[0]:
        raise ValueError(f"sparse_softmax_cross_entropy: {lab.shape[0]} labels for {z2.shape[0]} rows")
    loss = np.empty(z2.shape[0], dtype=z.dtype)
    grad = np.empty_like(z2)
    n = z.dtype.type(max(z2.shape[0], 1))
    nb("xent").sparse_softmax_xent(lab, z2, n, loss, grad)
    return loss.reshape(z.shape[:-1]), grad.reshape(z.shape)
