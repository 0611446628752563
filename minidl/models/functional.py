"""``Model``: a graph of layers plus the trainer, usable itself as a layer.

``Model(inputs, outputs)`` takes symbolic tensors (from ``Input`` and layer
calls): one, a list, or a dict by name for either side. Layers may be
shared; a model may be called on symbolic tensors inside another model.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from ..layers.base import Layer, trainable_generation
from ..layers.node import SymbolicTensor, snake_case, unique_name
from . import saving, summary
from .graph import Graph
from .trainer import Trainer


def _flatten(structure, what: str, owner: str) -> tuple[list[SymbolicTensor], list[str] | None]:
    if isinstance(structure, dict):
        return list(structure.values()), list(structure)
    if isinstance(structure, (list, tuple)):
        return list(structure), None
    if structure is None:
        raise ValueError(f"Model {owner!r} needs {what}")
    return [structure], None


class Model(Trainer, Layer):
    """A functional model: ``Model(inputs=Input(...), outputs=tensor)``."""

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None, **kwargs):
        default = "functional" if type(self) in (Model,) else snake_case(type(self).__name__)
        super().__init__(name=name or unique_name(default), **kwargs)
        self.graph: Graph | None = None
        if inputs is not None or outputs is not None:
            self._set_graph(inputs, outputs)

    def _set_graph(self, inputs, outputs) -> None:
        flat_in, in_keys = _flatten(inputs, "inputs", self.name)
        flat_out, out_keys = _flatten(outputs, "outputs", self.name)
        self.graph = Graph(flat_in, flat_out, self.name)
        self._single_output = not isinstance(outputs, (list, tuple, dict))
        self.input_names = in_keys or [t.layer.name for t in flat_in]
        self.output_names = out_keys or [t.node.layer.name for t in flat_out]
        self.built = True
        self.input_shape = self._one_or_list([t.shape for t in flat_in])

    def _require_graph(self, what: str) -> Graph:
        if self.graph is None:
            raise RuntimeError(f"Model {self.name!r} has no input shape yet: call it on data, pass an "
                               f"Input as the first layer or give input_shape, before {what}")
        return self.graph

    def _build_from_data(self, x) -> None:
        """Only Sequential builds from data; a functional model is built at construction."""

    @staticmethod
    def _one_or_list(items: list):
        return items[0] if len(items) == 1 else items

    # ---- Keras's read-only views ------------------------------------------------------
    @property
    def inputs(self) -> list[SymbolicTensor]:
        return list(self._require_graph("reading inputs").inputs)

    @property
    def outputs(self) -> list[SymbolicTensor]:
        return list(self._require_graph("reading outputs").outputs)

    @property
    def output_shape(self):
        return self._one_or_list([t.shape for t in self.outputs])

    @property
    def layers(self) -> list[Layer]:
        """The layers in topological order, Input layers first (as Keras lists them)."""
        graph = self._require_graph("listing layers")
        return list(graph.all_layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        layers = self.layers
        if index is not None:
            if not isinstance(index, (int, np.integer)) or not -len(layers) <= index < len(layers):
                raise ValueError(f"Model {self.name!r}: get_layer index must be an integer in "
                                 f"[{-len(layers)}, {len(layers)}), got {index!r}")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model {self.name!r} has no layer {name!r}; layers: {[l.name for l in layers]}")

    def _leaf_layers(self) -> list[Layer]:
        """Every layer holding weights, nested models opened, each once."""
        out: dict[int, Layer] = {}
        for layer in self._require_graph("listing weights").layers:
            for leaf in (layer._leaf_layers() if isinstance(layer, Model) else [layer]):
                out.setdefault(id(leaf), leaf)
        return list(out.values())

    def _trainable_layers(self) -> list[Layer]:
        """The leaf layers the optimizer updates, cached until some layer's
        ``trainable`` changes (read every step)."""
        cached = getattr(self, "_trainable_cache", None)
        if cached is not None and cached[0] == trainable_generation() and cached[1] is self.graph:
            return cached[2]
        layers = self._collect_trainable_layers()
        self._trainable_cache = (trainable_generation(), self.graph, layers)
        return layers

    def _collect_trainable_layers(self) -> list[Layer]:
        if not self.trainable:
            return []
        out: dict[int, Layer] = {}
        for layer in self.graph.layers:
            leaves = layer._trainable_layers() if isinstance(layer, Model) else ([layer] if layer.trainable else [])
            for leaf in leaves:
                out.setdefault(id(leaf), leaf)
        return list(out.values())

    # ---- weights ------------------------------------------------------------------------
    @property
    def weights(self) -> list[np.ndarray]:
        return [w for layer in self._leaf_layers() for w in layer.weights]

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        return [w for layer in self._trainable_layers() for w in layer.params.values()]

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    def get_weights(self) -> list[np.ndarray]:
        """Every layer's weights in layer order, each layer's in Keras's order."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace every weight; all arrays are checked before any is written."""
        saving.assign_weights(self.name, self._leaf_layers(), weights)

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self._leaf_layers())

    def save_weights(self, path: str | os.PathLike) -> None:
        saving.save_weights(self, path)

    def load_weights(self, path: str | os.PathLike) -> None:
        saving.load_weights(self, path)

    def summary(self, print_fn=print, **kwargs) -> None:
        summary.print_summary(self, print_fn)

    # ---- as a layer ----------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        return self._one_or_list([t.shape for t in self.outputs])

    def forward(self, inputs, training: bool = False):
        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        run = self.graph.forward(xs, training=training)
        return self._pack_outputs(run.outputs), run

    def backward(self, run, dy, need_dx: bool = True):
        dys = list(dy) if len(self.graph.outputs) > 1 else [dy]
        dxs = self.graph.backward(run, dys, need_dx=need_dx)
        if dxs is None:
            return None, {}
        return (dxs if len(dxs) > 1 else dxs[0]), {}

    def __call__(self, inputs, training: bool | None = None, **kwargs):
        """On symbolic tensors: a node in another graph. On arrays: inference, checked."""
        flat = list(inputs.values()) if isinstance(inputs, dict) else (
            list(inputs) if isinstance(inputs, (list, tuple)) else [inputs])
        if any(isinstance(t, SymbolicTensor) for t in flat):
            return super().__call__(inputs, training=training, **kwargs)
        xs = self._inputs(inputs)
        return self._pack_outputs(self.graph.forward(xs, training=bool(training)).outputs)

    def save(self, path: str | os.PathLike) -> None:
        """Keras 3's ``.keras`` file: config, compile config and weights (see ``keras_format``)."""
        from .keras_format import save_model
        save_model(self, path)

    def get_config(self) -> dict:
        """Keras's config: a Sequential's ``layers``, or the functional graph's ``layers``
        (with ``inbound_nodes``), ``input_layers`` and ``output_layers``."""
        from .config import model_config
        return model_config(self)

    @classmethod
    def from_config(cls, config_: dict, custom_objects: dict | None = None):
        from .config import model_from_config
        kind = "Sequential" if cls.__name__ == "Sequential" else "Functional"
        return model_from_config({"class_name": kind, "config": config_}, custom_objects=custom_objects)

    def to_json(self, **kwargs) -> str:
        """``{"module", "class_name", "config", ...}`` as JSON, as Keras's ``to_json``."""
        import json
        from .config import serialize_layer
        return json.dumps(serialize_layer(self), **kwargs)
