"""Numba-backend fused softmax cross-entropy from logits: loss and gradient in one pass."""
from __future__ import annotations

import numpy as np

from .. import registry, xent
from .jit import xent as jk


def _rows(logits):
    """logits as C-contiguous rows (m, c)."""
    return np.ascontiguousarray(logits).reshape(-1, logits.shape[-1])


def _fused(kernel, labels2, z2, logits):
    """Runs ``kernel`` over the rows ``z2`` of ``logits``: (loss (...,), grad like logits)."""
    loss = np.empty(z2.shape[0], dtype=logits.dtype)
    grad = np.empty_like(z2)
    kernel(labels2, z2, logits.dtype.type(max(z2.shape[0], 1)), loss, grad)
    return loss.reshape(logits.shape[:-1]), grad.reshape(logits.shape)


@registry.register("softmax_cross_entropy_with_logits", "numba")
def softmax_cross_entropy_with_logits(labels, logits):
    """See :func:`minidl.ops.xent.softmax_cross_entropy_with_logits`."""
    if logits.ndim < 1 or logits.size == 0:
        return xent.softmax_cross_entropy_with_logits.reference(labels, logits)
    t2 = np.ascontiguousarray(labels, dtype=logits.dtype).reshape(-1, logits.shape[-1])
    return _fused(jk.softmax_xent, t2, _rows(logits), logits)


@registry.register("sparse_softmax_cross_entropy_with_logits", "numba")
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """See :func:`minidl.ops.xent.sparse_softmax_cross_entropy_with_logits`."""
    if logits.ndim < 1 or logits.size == 0:
        return xent.sparse_softmax_cross_entropy_with_logits.reference(labels, logits)
    z2 = _rows(logits)
    lab = np.ascontiguousarray(labels, dtype=np.int64).reshape(-1)
    if lab.shape[0] != z2.shape[0]:
        raise ValueError(f"sparse_softmax_cross_entropy_with_logits: {lab.shape[0]} labels for {z2.shape[0]} rows")
    return _fused(jk.sparse_softmax_xent, lab, z2, logits)
