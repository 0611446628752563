"""Numba-backend embedding gather and scatter-add.

A (parallel) row gather, and a scatter-add partitioned by vocabulary rows so
that it is race-free and sums repeated ids in the reference's order. Ids
outside [0, input_dim) take the reference path, which raises (the compiled
code does not check bounds).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import nn, registry
from . import tuning
from .jit import embedding as jk
from .threads import run, split


def _flat_ids(indices, input_dim: int) -> np.ndarray | None:
    """indices as a contiguous 1-D intp array, or None when they are not all valid ids."""
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        return None
    ids = np.ascontiguousarray(indices, dtype=np.intp).reshape(-1)
    if ids.size and (ids.min() < 0 or ids.max() >= input_dim):
        return None
    return ids


@registry.register("embedding_lookup", "numba")
def embedding_lookup(indices, embeddings):
    """See :func:`minidl.ops.nn.embedding_lookup`."""
    ids = _flat_ids(indices, embeddings.shape[0]) if embeddings.ndim == 2 else None
    if ids is None:
        return nn.embedding_lookup.reference(indices, embeddings)
    table = np.ascontiguousarray(embeddings)
    out = np.empty((ids.size, table.shape[1]), dtype=table.dtype)
    blocks = split(ids.size, tuning.GRAIN // max(table.shape[1], 1))
    run([partial(jk.gather_rows, ids, table, out, lo, hi) for lo, hi in blocks])
    return out.reshape(*np.shape(indices), table.shape[1])


@registry.register("embedding_scatter_add", "numba")
def embedding_scatter_add(indices, dy, input_dim: int):
    """See :func:`minidl.ops.nn.embedding_scatter_add`."""
    ids = _flat_ids(indices, input_dim)
    if ids is None or dy.shape[:-1] != np.shape(indices):
        return nn.embedding_scatter_add.reference(indices, dy, input_dim)
    d = dy.shape[-1]
    dy2 = np.ascontiguousarray(dy).reshape(-1, d)
    grad = np.empty((input_dim, d), dtype=dy.dtype)
    # vocabulary blocks: each scans every id, so a few blocks only (at most 4)
    blocks = split(input_dim, tuning.GRAIN // max(d, 1), most=4)
    run([partial(jk.scatter_add_vocab, ids, dy2, grad, lo, hi) for lo, hi in blocks])
    return grad
