"""The graph of a functional model: topological order, forward, backward.

Built from symbolic tensors (``Input`` and layer calls). A node is one call
of a layer, so a layer called twice (shared) has two nodes; its gradients
are summed over them. A ``Model`` is a layer too, so a model can be a node
of another model.

A Conv followed by the max pooling that alone reads it runs as one fused node
(``models.fuse``; ``config.set_fusion(False)`` keeps them apart).

Forward keeps every node's cache in a ``Run`` (nothing on the layers), and
backward walks the nodes in reverse, summing the gradient of every tensor
that feeds several nodes and accumulating each layer's weight gradients in
``layer.grads``.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..layers.base import ActivatedLayer, Layer
from ..layers.core import InputLayer
from ..layers.node import Node, SymbolicTensor
from . import fuse


@dataclass
class Run:
    """What one forward pass leaves for its backward pass."""
    values: dict[int, np.ndarray]
    caches: dict[int, object] = field(default_factory=dict)
    outputs: list[np.ndarray] = field(default_factory=list)
    activated: dict[int, np.ndarray] = field(default_factory=dict)  # folded output i -> activation(logits)
    activity_penalty: float = 0.0  # activity regularizers and layers' add_loss


class Graph:
    """The nodes between ``inputs`` and ``outputs``, in topological order."""

    def __init__(self, inputs: Sequence[SymbolicTensor], outputs: Sequence[SymbolicTensor], owner: str):
        self.owner = owner
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        for t in (*self.inputs, *self.outputs):
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model {owner!r}: inputs and outputs must be symbolic tensors "
                                f"(from minidl.Input and layer calls), got {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.layer, InputLayer):
                raise ValueError(f"Model {owner!r}: every input must come from minidl.Input, "
                                 f"got the output of {t.layer.name!r}")
        self.nodes = self._topological_order()
        self.all_layers = self._keras_layer_order()
        self.layers = [layer for layer in self.all_layers if not isinstance(layer, InputLayer)]
        names = [layer.name for layer in self.layers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Model {owner!r}: layer names must be unique, repeated: {repeated}")
        consumers: dict[int, int] = {}
        for node in self.nodes:
            for t in node.inputs:
                consumers[id(t)] = consumers.get(id(t), 0) + 1
        self._consumers = consumers
        # what forward and backward walk: self.nodes, with conv → max-pool pairs fused
        self.run_nodes = fuse.fuse(self.nodes, consumers, self.outputs)
        # per node, what forward and backward read every step, worked out once; the last
        # field: no input of the node depends on a weight, so nothing upstream needs its dx
        # (a Dense after a Flatten of the model input skips its input gradient)
        needs_grad = self._tensors_depending_on_weights()
        self._plan = [(node, [id(t) for t in node.inputs], [id(t) for t in node.outputs],
                       not any(id(t) in needs_grad for t in node.inputs)) for node in self.run_nodes]

    def _tensors_depending_on_weights(self) -> set[int]:
        """Ids of the tensors computed from some layer's weights (their gradient may be needed)."""
        found: set[int] = set()
        for node in self.run_nodes:
            layer = node.layer
            has_weights = bool(getattr(layer, "params", None)) or getattr(layer, "graph", None) is not None
            if has_weights or any(id(t) in found for t in node.inputs):
                found.update(id(t) for t in node.outputs)
        return found

    def _topological_order(self) -> list[Node]:
        input_ids = {id(t) for t in self.inputs}
        order: list[Node] = []
        seen: set[int] = set()
        stack = [(t.node, False) for t in reversed(self.outputs)]
        while stack:  # iterative depth-first search: deep chains must not hit the recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node.layer, InputLayer):
                if not any(id(t) in input_ids for t in node.outputs):
                    raise ValueError(f"Model {self.owner!r}: the outputs depend on input {node.layer.name!r}, "
                                     "which is not in the model's inputs")
                continue
            stack.append((node, True))
            stack.extend((t.node, False) for t in reversed(node.inputs) if id(t.node) not in seen)
        return order

    def _keras_layer_order(self) -> list[Layer]:
        """The layers as Keras lists them (and so orders their weights): by depth,
        the distance to the outputs, deepest first; ties in the order a depth-first
        walk from the outputs first meets them."""
        first_seen: dict[int, int] = {}
        stack = [t.node for t in reversed(self.outputs)]
        while stack:  # pre-order walk, inputs of a node in their order
            node = stack.pop()
            first_seen.setdefault(id(node.layer), len(first_seen))
            if not isinstance(node.layer, InputLayer):
                stack.extend(t.node for t in reversed(node.inputs))
        input_nodes = [t.node for t in self.inputs]
        node_depth: dict[int, int] = {}
        layer_depth: dict[int, int] = {}
        for node in reversed([*input_nodes, *self.nodes]):
            depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
            layer_depth[id(node.layer)] = node_depth[id(node)] = depth
            for parent in ([] if isinstance(node.layer, InputLayer) else node.parents):
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
        layers = {id(n.layer): n.layer for n in [*input_nodes, *self.nodes]}
        return sorted(layers.values(), key=lambda l: (-layer_depth[id(l)], first_seen.get(id(l), -1)))

    def foldable(self, index: int, activation_name: str | None) -> bool:
        """Whether output ``index`` comes straight from an activated layer with
        ``activation_name`` whose value nothing else in the graph reads."""
        t = self.outputs[index]
        if activation_name is None or isinstance(t.layer, InputLayer):
            return False
        layer = t.layer
        return (isinstance(layer, ActivatedLayer) and layer.activation.name == activation_name
                and self._consumers.get(id(t), 0) == 0 and sum(o is t for o in self.outputs) == 1)

    # ---- forward ------------------------------------------------------------------
    def forward(self, xs: Sequence[np.ndarray], training: bool = False,
                logits_outputs: frozenset[int] = frozenset()) -> Run:
        """Run every node; ``logits_outputs`` are output indices computed without
        their activation (the loss folds it in; ``run.activated`` has the activated value)."""
        values = {id(t): x for t, x in zip(self.inputs, xs)}
        run = Run(values=values)
        folded = {id(self.outputs[i].node): i for i in logits_outputs} if logits_outputs else _NONE_FOLDED
        masks: dict[int, np.ndarray] = {}  # Keras's timestep masks, beside the values
        for node, in_ids, out_ids, _ in self._plan:
            if node.structure == "single":  # node.pack without its lists: small models pay per node
                inputs = values[in_ids[0]]
                mask = masks.get(in_ids[0]) if masks else None
            else:
                inputs = node.pack([values[i] for i in in_ids])
                mask = node.pack([masks.get(i) for i in in_ids]) if masks else None
            layer = node.layer
            kwargs = node.call_kwargs
            if mask is not None and _any_mask(mask) and _accepts_mask(type(layer)):
                kwargs = {**kwargs, "mask": mask}
            if folded and id(node) in folded:
                kwargs = {**kwargs, "activate": False}
            y, cache = layer.forward(inputs, training=training, **kwargs)
            run.caches[id(node)] = cache
            if len(out_ids) == 1:
                values[out_ids[0]] = y
            else:
                values.update(zip(out_ids, y))
            if hasattr(layer, "compute_mask"):  # only layers that define it pass a mask on
                out_mask = layer.compute_mask(inputs, mask)
                for i, m in zip(out_ids, out_mask if len(out_ids) > 1 else [out_mask]):
                    if m is not None:
                        masks[i] = m
            if folded and id(node) in folded:
                run.activated[folded[id(node)]] = layer.activation(y)
            if layer.activity_regularizer is not None:
                out = run.activated.get(folded.get(id(node)), y)
                run.activity_penalty += float(layer.activity_regularizer(out)) / out.shape[0]
            run.activity_penalty += getattr(cache, "added_loss", 0.0)  # a user layer's add_loss
        run.outputs = [values[id(t)] for t in self.outputs]
        return run

    # ---- backward -----------------------------------------------------------------
    def backward(self, run: Run, douts: Sequence[np.ndarray | None], need_dx: bool = False):
        """Gradients from ``douts`` (one per output, None for an output without a
        loss) into every layer's ``grads`` (added to what is there); returns the
        gradient of each model input when ``need_dx``, else None."""
        grads: dict[int, np.ndarray] = {}
        for t, d in zip(self.outputs, douts):
            if d is not None:
                _accumulate(grads, id(t), d)
        folded = {id(self.outputs[i].node): i for i in run.activated} if run.activated else _NONE_FOLDED
        input_ids = self._input_ids()
        for node, in_ids, out_ids, no_weight_upstream in reversed(self._plan):
            if len(out_ids) == 1:
                dy = grads.pop(out_ids[0], None)
                if dy is None:
                    if not getattr(run.caches[id(node)], "added_loss", 0.0):
                        continue
                    dy = np.zeros_like(run.values[out_ids[0]])  # only its add_loss reaches the loss
            else:
                dys = [grads.pop(i, None) for i in out_ids]
                if all(d is None for d in dys):
                    continue
                dy = [np.zeros_like(run.values[i]) if d is None else d for i, d in zip(out_ids, dys)]
            layer = node.layer
            if layer.activity_regularizer is not None:
                dy = dy + self._activity_gradient(layer, run, node, folded)
            dx, layer_grads = layer.backward(run.caches[id(node)], dy, need_dx=need_dx or not no_weight_upstream)
            layer_store = layer.grads
            for key, g in layer_grads.items():
                if g is not None:
                    layer_store[key] = layer_store[key] + g if key in layer_store else g
            if dx is None:
                continue
            for i, d in zip(in_ids, dx if node.structure == "list" else (dx,)):
                if d is not None and (need_dx or i not in input_ids):
                    _accumulate(grads, i, d)
        if need_dx:
            return [grads.get(id(t), np.zeros_like(run.values[id(t)])) for t in self.inputs]
        return None

    def _input_ids(self) -> frozenset[int]:
        """The ids of the model's input tensors, found once (the inputs never change)."""
        ids = self.__dict__.get("_input_id_set")
        if ids is None:
            ids = self._input_id_set = frozenset(id(t) for t in self.inputs)
        return ids

    @staticmethod
    def _activity_gradient(layer: Layer, run: Run, node: Node, folded: dict[int, int]) -> np.ndarray:
        y = run.values[id(node.outputs[0])]
        if id(node) not in folded:
            return layer.activity_regularizer.gradient(y) / y.shape[0]
        activated = run.activated[folded[id(node)]]  # the penalty is on activation(logits)
        dact = layer.activity_regularizer.gradient(activated) / y.shape[0]
        return layer.activation.backward(y, activated, dact)


_NONE_FOLDED: dict[int, int] = {}  # shared, never written: no fold (most steps)


@functools.cache
def _accepts_mask(layer_type: type) -> bool:
    return "mask" in inspect.signature(layer_type.forward).parameters


def _accumulate(grads: dict[int, np.ndarray], key: int, d: np.ndarray) -> None:
    grads[key] = grads[key] + d if key in grads else d


def _any_mask(mask) -> bool:
    return any(m is not None for m in mask) if isinstance(mask, list) else mask is not None
