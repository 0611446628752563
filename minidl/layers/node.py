"""Symbolic tensors and the nodes that wire layers into a graph (Keras's KerasTensor and Node).

Calling a layer on symbolic tensors makes a ``Node``: the layer, the tensors
it was called on, and the tensors it produced. A layer called twice has two
nodes (a shared layer); a model reads its graph from these nodes.
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import Any, Sequence

Shape = tuple  # (None, d1, d2, ...), the batch axis first

_name_counters: defaultdict[str, itertools.count] = defaultdict(itertools.count)


def snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: ``Conv2D`` -> ``conv2d``, ``MaxPooling2D`` -> ``max_pooling2d``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``... as Keras names layers."""
    n = next(_name_counters[base])
    return base if n == 0 else f"{base}_{n}"


def format_shape(shape: Shape | Sequence[Shape]) -> str:
    if shape and isinstance(shape[0], (tuple, list)):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class SymbolicTensor:
    """A placeholder for a layer's output in a functional graph: a shape, a dtype,
    the node that produced it and which of that node's outputs it is."""

    def __init__(self, shape: Shape, dtype: str, node: "Node | None" = None, index: int = 0):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def layer(self):
        return self.node.layer

    def __repr__(self) -> str:
        source = f" from {self.node.layer.name}" if self.node is not None else ""
        return f"<SymbolicTensor shape={format_shape(self.shape)} dtype={self.dtype}{source}>"


class Node:
    """One call of ``layer`` on symbolic ``inputs``.

    ``structure`` remembers how the layer was called: ``"single"`` (one
    tensor) or ``"list"`` (a list, as for Concatenate), so that the graph
    passes arrays back in the same form.
    """

    def __init__(self, layer, inputs: list[SymbolicTensor], structure: str,
                 output_shapes: list[Shape], output_dtypes: list[str], call_kwargs: dict[str, Any]):
        self.layer = layer
        self.inputs = inputs
        self.structure = structure
        self.call_kwargs = call_kwargs
        self.outputs = [SymbolicTensor(s, d, self, i) for i, (s, d) in enumerate(zip(output_shapes, output_dtypes))]

    @property
    def parents(self) -> list["Node"]:
        return [t.node for t in self.inputs]

    def pack(self, values: list):
        """Input values in the form the layer was called with."""
        return values[0] if self.structure == "single" else list(values)

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}: {len(self.inputs)} in, {len(self.outputs)} out>"
