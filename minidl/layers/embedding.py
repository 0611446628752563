"""Embedding: a trainable lookup table from integer ids to vectors."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .. import ops
from .base import Layer, Shape, check_positive_int, format_shape, serialize_initializer, serialize_regularizer


def _initializer(identifier: Any) -> initializers.Initializer:
    # Keras's default name "uniform" is its alias for RandomUniform(-0.05, 0.05).
    if isinstance(identifier, str) and identifier.lower() == "uniform":
        return initializers.RandomUniform()
    return initializers.get(identifier)


class Embedding(Layer):
    """Row ``i`` of ``embeddings`` for every id ``i`` of the input.

    Shapes: x (batch, ...) of integer ids in [0, input_dim), embeddings
    (input_dim, output_dim), y (batch, ..., output_dim).

    Models cast their inputs to floatx, so float arrays are accepted when
    every value is a whole number; anything else (1.5, nan) is a ValueError,
    where Keras would silently truncate. The ids are not differentiable:
    backward returns zeros of x's shape. ``mask_zero=True`` makes ``compute_mask``
    mark id 0 as padding; the graph hands that mask to layers that take one
    (the recurrent layers skip the masked steps).
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, mask_zero: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = check_positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = check_positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = _initializer(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)

    def build(self, input_shape: Shape) -> None:
        self.embeddings = self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer,
                                          "embeddings", regularizer=self.embeddings_regularizer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) < 1:
            raise ValueError(f"Layer {self.name!r} (Embedding) expects inputs (batch, ...), "
                             f"got input shape {format_shape(input_shape)}")
        return (*input_shape, self.output_dim)

    def _indices(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype.kind == "f":
            if not np.all(np.isfinite(x)) or np.any(x != np.round(x)):
                bad = x[~np.isfinite(x) | (x != np.round(x))].ravel()[0]
                raise ValueError(f"Layer {self.name!r} (Embedding) expects integer ids, "
                                 f"got the non-integral value {float(bad)} in an input of shape {x.shape}")
        elif x.dtype.kind not in "iu":
            raise TypeError(f"Layer {self.name!r} (Embedding) expects integer ids, got dtype {x.dtype}")
        if x.size and (x.min() < 0 or x.max() >= self.input_dim):
            bad = int(x.min() if x.min() < 0 else x.max())
            raise ValueError(f"Layer {self.name!r} (Embedding) got id {bad} outside "
                             f"[0, {self.input_dim}) (input_dim={self.input_dim}), input shape {x.shape}")
        return x.astype(np.intp)

    def forward(self, x, training=False):
        ids = self._indices(x)
        return ops.embedding_lookup(ids, self.params["embeddings"]), (ids, np.asarray(x).dtype)

    def backward(self, cache, dy, need_dx=True):
        ids, x_dtype = cache
        grads = {"embeddings": ops.embedding_scatter_add(ids, dy, self.input_dim)}
        if not need_dx:  # ids are not differentiable; skip the zeros
            return None, grads
        return np.zeros(ids.shape, dtype=x_dtype if x_dtype.kind == "f" else dy.dtype), grads

    def compute_mask(self, inputs, mask=None):
        """With ``mask_zero``, id 0 is padding: (batch, ...) True where the id is not 0
        (Keras; ``input_dim`` keeps its meaning, so id 0 still has a row)."""
        return np.asarray(inputs) != 0 if self.mask_zero else None

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "mask_zero": self.mask_zero,
                "embeddings_initializer": serialize_initializer(self.embeddings_initializer),
                "embeddings_regularizer": serialize_regularizer(self.embeddings_regularizer)}
