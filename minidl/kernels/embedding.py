"""Embedding lookup kernels; backend switch point, the reference for now."""
from __future__ import annotations

import numpy as np

from . import reference


def forward(indices: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """indices (...) integer, embeddings (input_dim, d) -> (..., d)."""
    return reference.embedding_forward(indices, embeddings)


def backward(indices: np.ndarray, dy: np.ndarray, input_dim: int) -> np.ndarray:
    """dy (..., d) -> dembeddings (input_dim, d), repeated indices accumulated."""
    return reference.embedding_backward(indices, dy, input_dim)
