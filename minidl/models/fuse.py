"""Graph rewrite: a Conv1D/Conv2D node whose output only a max-pooling node of the same
rank reads becomes one node that runs ``ops.conv_bias_act_max_pool`` (one op, so a
compiled backend can do it in one pass and keep only the pooled output).

The rewrite happens once, when a ``Graph`` is built, and only when
``config.fusion()`` is on (``config.set_fusion(False)`` / ``MINIDL_FUSION=0`` keep
every layer its own node: the oracle). Conditions: the conv output is read by that
pooling node alone and is no model output, neither layer has an activity
regularizer, the activation is one of the fused ones. The fused node keeps the
node contract (``inputs``, ``outputs``, ``layer.forward`` -> (y, cache),
``layer.backward(cache, dy, need_dx)`` -> (dx, grads)); its weight gradients are
the conv layer's (``grads`` is the conv layer's dict).
"""
from __future__ import annotations

from typing import Sequence

from .. import config, ops
from ..layers.base import _FUSED
from ..layers.conv import Conv1D, Conv2D
from ..layers.node import Node
from ..layers.pooling import MaxPooling1D, MaxPooling2D

_PAIRS = ((Conv2D, MaxPooling2D), (Conv1D, MaxPooling1D))


class FusedConvPool:
    """The 'layer' of a fused node: the conv layer's weights, both layers' arguments."""

    activity_regularizer = None

    def __init__(self, conv, pool):
        self.conv, self.pool = conv, pool
        self.name = f"{conv.name}+{pool.name}"

    @property
    def params(self) -> dict:
        return self.conv.params

    @property
    def grads(self) -> dict:
        return self.conv.grads

    def _args(self) -> tuple:
        c, p = self.conv, self.pool
        return (c.strides, c.padding, _FUSED[c.activation], p.pool_size, p.strides, p.padding)

    def forward(self, x, training: bool = False, **kwargs):
        """x (n, *spatial, cin) -> y (n, *pooled, filters), cache."""
        self.conv.compute_output_shape((None, *x.shape[1:]))  # the layers' own shape errors
        y, saved = ops.conv_bias_act_max_pool(x, self.conv.params["kernel"], self.conv.params.get("bias"),
                                              *self._args())
        return y, (saved, x)

    def backward(self, cache, dy, need_dx: bool = True):
        saved, x = cache
        dx, dkernel, dbias = ops.conv_bias_act_max_pool_backward(
            saved, dy, x, self.conv.params["kernel"], self.conv.use_bias, *self._args(), need_dx=need_dx)
        grads = {"kernel": dkernel}
        if self.conv.use_bias:
            grads["bias"] = dbias
        return dx, grads


class FusedNode:
    """Stands for ``conv_node`` followed by ``pool_node`` in the graph's node list."""

    def __init__(self, conv_node: Node, pool_node: Node):
        self.layer = FusedConvPool(conv_node.layer, pool_node.layer)
        self.inputs, self.outputs = conv_node.inputs, pool_node.outputs
        self.structure, self.call_kwargs = conv_node.structure, {}
        self.nodes = (conv_node, pool_node)

    @property
    def parents(self) -> list[Node]:
        return [t.node for t in self.inputs]

    def pack(self, values: list):
        return values[0]


def _fusable(conv_node, pool_node, consumers: dict[int, int], output_ids: set[int]) -> bool:
    conv, pool = conv_node.layer, pool_node.layer
    out = conv_node.outputs[0]
    return (any(type(conv) is c and type(pool) is p for c, p in _PAIRS)
            and len(conv_node.outputs) == 1 and consumers.get(id(out), 0) == 1 and id(out) not in output_ids
            and len(pool_node.inputs) == 1 and pool_node.inputs[0] is out
            and conv.activity_regularizer is None and pool.activity_regularizer is None
            and _FUSED.get(conv.activation) is not None and not conv_node.call_kwargs and not pool_node.call_kwargs)


def fuse(nodes: Sequence[Node], consumers: dict[int, int], outputs: Sequence) -> list:
    """``nodes`` (topological order) with each fusable conv → max-pool pair replaced by
    one ``FusedNode`` at the pool's place (every input of the pool is then computed);
    ``nodes`` itself when fusion is off."""
    if not config.fusion():
        return list(nodes)
    output_ids = {id(t) for t in outputs}
    reader = {id(t): n for n in nodes for t in n.inputs}
    pairs = {}
    for node in nodes:
        if len(node.outputs) == 1 and id(node.outputs[0]) in reader:
            pool_node = reader[id(node.outputs[0])]
            if _fusable(node, pool_node, consumers, output_ids):
                pairs[id(node)], pairs[id(pool_node)] = None, FusedNode(node, pool_node)
    return [pairs[id(n)] if id(n) in pairs else n for n in nodes if pairs.get(id(n), n) is not None]
