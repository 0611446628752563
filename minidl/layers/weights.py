"""A layer's weights: creation (Keras's ``add_weight``), the Keras views, copies in and out.

A layer keeps ``params`` (trainable, in creation order), ``state``
(non-trainable: a moving mean) and the ``regularizers`` of its weights;
``grads`` holds the gradients the graph accumulated in the last step.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import initializers, regularizers


class Weights:
    """Mixed into ``Layer``: everything about its weights."""

    params: dict[str, np.ndarray]
    state: dict[str, np.ndarray]
    regularizers: dict

    def add_weight(self, shape: Sequence[int] | None = None, initializer: Any = None,
                   name: str | None = None, trainable: bool = True, regularizer: Any = None,
                   dtype: str | None = None, constraint: Any = None) -> np.ndarray:
        """Create a weight (Keras's signature) and return the array; the optimizer
        updates it in place, so keep the returned array as an attribute."""
        if constraint is not None:
            raise NotImplementedError(f"Layer {self.name!r}: weight constraints are not supported")
        key = name or f"variable_{len(self.params) + len(self.state)}"
        if key in self.params or key in self.state:
            raise ValueError(f"Layer {self.name!r} already has a weight named {key!r}")
        dtype = np.dtype(dtype or self.dtype)
        default = "glorot_uniform" if dtype.kind == "f" else "zeros"
        value = initializers.get(initializer or default)(tuple(shape or ()), dtype.name)
        if not value.flags.c_contiguous:  # the optimizers update weights in place through flat views
            value = value.copy(order="C")
        if trainable:
            self.params[key] = value
            reg = regularizers.get(regularizer)
            if reg is not None:
                self.regularizers[key] = reg
        else:
            self.state[key] = value
        return value

    @property
    def weights(self) -> list[np.ndarray]:
        """Trainable weights then non-trainable ones, in creation order (Keras's order)."""
        return [*self.params.values(), *self.state.values()]

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        return list(self.params.values()) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        frozen = [] if self.trainable else list(self.params.values())
        return [*frozen, *self.state.values()]

    def get_weights(self) -> list[np.ndarray]:
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace the weights in place. Every array is checked before any is written."""
        slots = [*self.params.items(), *self.state.items()]
        if len(weights) != len(slots):
            raise ValueError(f"Layer {self.name!r} expects {len(slots)} weight arrays "
                             f"({[k for k, _ in slots]}), got {len(weights)}")
        arrays = [np.asarray(w) for w in weights]
        for (key, current), new in zip(slots, arrays):
            if new.shape != current.shape:
                raise ValueError(f"Layer {self.name!r} weight {key!r} has shape {current.shape}, "
                                 f"got an array of shape {new.shape}")
            if new.dtype.kind not in "biuf":
                raise TypeError(f"Layer {self.name!r} weight {key!r} needs numbers, got dtype {new.dtype}")
        for (_, current), new in zip(slots, arrays):
            current[...] = new

    def count_params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def trainable_count(self) -> int:
        return sum(w.size for w in self.trainable_weights)

    def weight_penalty(self) -> float:
        """The weight regularizers' total (the trainer adds it to the loss)."""
        return float(sum(reg(self.params[key]) for key, reg in self.regularizers.items()))

