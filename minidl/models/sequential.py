"""``Sequential``: builds a chain graph from a list of layers."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..layers.base import Layer
from ..layers.core import Input, InputLayer
from ..layers.embedding import Embedding
from ..layers.node import SymbolicTensor
from . import data
from .functional import Model


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Input((784,)), Dense(100), ...])``.

    The input shape comes from a leading ``Input``, from ``input_shape=`` on
    the first layer, or from the first data the model sees (then integer ids
    feeding an Embedding stay integer). The graph is rebuilt whenever a layer
    is added or popped.
    """

    def __init__(self, layers: Sequence[Layer | SymbolicTensor] | None = None, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._stack: list[Layer] = []
        self._input: SymbolicTensor | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer | SymbolicTensor) -> None:
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            if self._input is not None or self._stack:
                raise ValueError(f"Sequential {self.name!r}: an Input can only come first")
            self._input = layer
            return
        if isinstance(layer, InputLayer):
            return self.add(layer.tensor)
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential {self.name!r} takes layers, got {type(layer).__name__}")
        if self._input is None and not self._stack and layer.declared_input_shape is not None:
            self._input = Input(batch_shape=layer.declared_input_shape)
        self._stack.append(layer)
        if self._input is not None:
            self._chain()

    def pop(self) -> Layer:
        if not self._stack:
            raise ValueError(f"Sequential {self.name!r} has no layers to pop")
        layer = self._stack.pop()
        if self._input is not None and self._stack:
            self._chain()
        else:
            self.graph = None
        return layer

    def _chain(self) -> None:
        t = self._input
        for layer in self._stack:
            t = layer(t)
        self._set_graph(self._input, t)

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)  # Keras's Sequential lists no InputLayer

    def _build_from_data(self, x) -> None:
        if self.graph is not None:
            return
        if not self._stack:
            raise ValueError(f"Sequential {self.name!r} has no layers")
        if isinstance(x, dict) or (isinstance(x, (list, tuple)) and len(x) and isinstance(x[0], np.ndarray)
                                   and len(x) > 1):
            raise ValueError(f"Sequential {self.name!r} takes one input array, got {len(x)}")
        arr = data.check_array("x", x)  # a refused array must not leave the model built from its shape
        if arr.ndim < 1:
            raise ValueError(f"Sequential {self.name!r}: input must have a batch axis, got shape {arr.shape}")
        dtype = arr.dtype.name if arr.dtype.kind in "iu" and isinstance(self._stack[0], Embedding) else None
        candidate = Input(arr.shape[1:], dtype=dtype)
        t = candidate
        for layer in self._stack:  # a refused shape must not leave the model half built
            t = layer(t)
        self._input = candidate
        self._set_graph(candidate, t)

    def build(self, input_shape=None) -> None:
        """Build from a Keras-style shape with the batch axis, e.g. ``(None, 784)``."""
        if self.graph is None and input_shape is not None:
            self._input = Input(batch_shape=tuple(input_shape))
            self._chain()
