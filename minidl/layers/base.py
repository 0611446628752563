"""The layer contract.

A layer has Keras's ``build(input_shape)`` (make the weights with
``add_weight``), ``call(inputs, training)`` (the math) and ``get_config``.
For training it has a forward/backward pair, in the style of cs231n:

* ``forward(inputs, training) -> (outputs, cache)``: the cache holds exactly
  what backward needs; nothing about the batch is kept on the layer, so one
  layer can be called at several places of a graph (shared);
* ``backward(cache, dy, need_dx) -> (dx, grads)``: ``dx`` has the inputs'
  structure (None when ``need_dx`` is False), ``grads`` maps each trainable
  weight's key to its gradient.

Built-in layers write both by hand (fused, fast). A layer that writes only
``call`` with ``minidl.ops`` gets them from the base class: ``forward``
records the ops ``call`` ran on a tape and ``backward`` replays it.

Shapes follow Keras: an ``input_shape`` includes the batch axis as ``None``,
e.g. ``(None, 3072)``.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Sequence

import numpy as np

from .. import activations, config, ops, regularizers
from .node import Node, Shape, SymbolicTensor, format_shape, snake_case, unique_name
from .serialize import serialize_initializer, serialize_regularizer  # noqa: F401 (re-exported)
from .weights import Weights

__all__ = ["Layer", "ActivatedLayer", "Shape", "SymbolicTensor", "format_shape", "unique_name",
           "check_rank", "check_positive_int"]


def _wrap_build(build):
    """Keras marks a layer built once its ``build`` returns, whoever calls it."""
    @functools.wraps(build)
    def wrapper(self, input_shape=None, *args, **kwargs):
        result = build(self, input_shape, *args, **kwargs)
        self.built = True
        if self.input_shape is None:
            self.input_shape = input_shape
        return result
    wrapper._minidl_wrapped = True
    return wrapper


#: bumped whenever a layer's ``trainable`` changes (models cache their trainable layers)
_TRAINABLE_GENERATION = 0


def trainable_generation() -> int:
    return _TRAINABLE_GENERATION


@functools.cache
def _accepts(method, arg: str) -> bool:
    return arg in inspect.signature(method).parameters


class Layer(Weights):
    """Base class of every layer (see the module docstring for the contract).

    Args:
        name: unique layer name; generated from the class name if omitted.
        trainable: whether the optimizer updates the layer's weights.
        dtype: weight dtype (default ``config.floatx()`` when built).
        activity_regularizer: penalty on the layer's output, divided by the
            batch size as Keras 3 does.
        input_shape / input_dim: the input shape without the batch axis,
            Keras-2 style, for the first layer of a ``Sequential``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_minidl_wrapped", False):
            cls.build = _wrap_build(build)

    def __init__(self, name: str | None = None, trainable: bool = True, dtype: str | None = None,
                 activity_regularizer: Any = None, input_shape: Sequence[int] | None = None,
                 input_dim: int | None = None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype = None if dtype is None else np.dtype(dtype).name
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.params: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.regularizers: dict[str, regularizers.Regularizer] = {}
        self.built = False
        self.input_shape: Shape | None = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self.declared_input_shape = None if input_shape is None else (None, *input_shape)
        self._inbound_nodes: list[Node] = []

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        global _TRAINABLE_GENERATION
        self._trainable = bool(value)
        _TRAINABLE_GENERATION += 1  # models recompute their list of trainable layers

    @property
    def dtype(self) -> str:
        return self._dtype or config.floatx()

    # ---- shapes and graph wiring ---------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Create the weights for ``input_shape``; the default has none."""

    def _maybe_build(self, input_shape) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True
            if self.input_shape is None:
                self.input_shape = input_shape

    def compute_output_shape(self, input_shape):
        """The default runs ``call`` on zeros (unknown sizes as 1) and reads the shape."""
        def probe(shape):
            return np.zeros([1 if d is None else d for d in shape], dtype=self.dtype)
        xs = [probe(s) for s in input_shape] if _is_shape_list(input_shape) else probe(input_shape)
        out = self._call(xs, training=False)
        if isinstance(out, (list, tuple)):
            return [(None, *np.shape(o)[1:]) for o in out]
        return (None, *np.shape(out)[1:])

    def __call__(self, inputs, training: bool | None = None, **kwargs):
        """On symbolic tensors: add a node to the graph. On arrays: run ``call``."""
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        symbolic = [isinstance(t, SymbolicTensor) for t in flat]
        if any(symbolic) and not all(symbolic):
            raise TypeError(f"Layer {self.name!r} got a mix of symbolic tensors and arrays")
        structure = "list" if isinstance(inputs, (list, tuple)) else "single"
        if all(symbolic):
            return self._call_symbolic(flat, structure, kwargs)
        arrays = [_as_input_array(self, a) for a in flat]
        shapes = [(None, *a.shape[1:]) for a in arrays]
        shape_arg = shapes if structure == "list" else shapes[0]
        self._maybe_build(shape_arg)
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            self.compute_output_shape(shape_arg)  # the same shape checks as a symbolic call
        return self._call(arrays if structure == "list" else arrays[0], training=bool(training), **kwargs)

    def _call_symbolic(self, tensors: list[SymbolicTensor], structure: str, kwargs: dict):
        shapes = [t.shape for t in tensors]
        shape_arg = shapes if structure == "list" else shapes[0]
        self._maybe_build(shape_arg)
        out = self.compute_output_shape(shape_arg)
        multi = _is_shape_list(out)
        out_shapes = [tuple(s) for s in out] if multi else [tuple(out)]
        dtype = self.output_dtype(tensors)
        node = Node(self, tensors, structure, out_shapes, [dtype] * len(out_shapes), kwargs)
        self._inbound_nodes.append(node)
        return list(node.outputs) if multi else node.outputs[0]

    def output_dtype(self, inputs: list[SymbolicTensor]) -> str:
        """The dtype of the outputs: the layer's float dtype (Embedding overrides nothing:
        its output is float; a layer passing integers through overrides this)."""
        return self.dtype

    def _call(self, inputs, training: bool = False, **kwargs):
        if _accepts(type(self).call, "training"):
            kwargs["training"] = training
        return self.call(inputs, **kwargs)

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._node_tensors_list("output_shape")]
        return shapes[0] if len(shapes) == 1 else shapes

    def _node_tensors_list(self, which: str) -> list:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called on a symbolic input, "
                                 f"so it has no {which}")
        return self._inbound_nodes[0].outputs

    @property
    def input(self):
        return self._node_tensors("input")

    @property
    def output(self):
        return self._node_tensors("output")

    def _node_tensors(self, which: str):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has never been called on a symbolic input, "
                                 f"so it has no {which}")
        node = self._inbound_nodes[0]
        tensors = node.inputs if which == "input" else node.outputs
        return tensors[0] if len(tensors) == 1 else list(tensors)

    # ---- the computation ---------------------------------------------------------
    def call(self, inputs, training: bool = False):
        """The layer's math on arrays. Hand-written layers get it from ``forward``."""
        if type(self).forward is Layer.forward:
            raise NotImplementedError(f"Layer {self.name!r} ({type(self).__name__}) defines neither "
                                      "call(inputs) nor forward/backward")
        return self.forward(inputs, training=training)[0]

    def forward(self, inputs, training: bool = False):
        """(outputs, cache): ``call`` with its ops recorded on a tape; the losses
        ``call`` passed to ``add_loss`` are recorded too (``cache.added_loss``)."""
        from ..ops import autodiff
        added: list = []
        shape: dict = {}

        def run(xs):
            self._added_losses = added
            try:
                y = self._call(xs, training=training)
            finally:
                self._added_losses = None
            shape["multi"] = isinstance(y, (list, tuple))
            ys = list(y) if shape["multi"] else [y]
            shape["n"] = len(ys)
            return [*ys, *(ops.sum(loss) for loss in added)]

        out, tape = autodiff.record(run, inputs, self.params)
        ys, losses = out[:shape["n"]], out[shape["n"]:]
        return (ys if shape["multi"] else ys[0]), TapeCache(tape, shape["multi"], losses)

    def backward(self, cache, dy, need_dx: bool = True):
        """(dx, grads) by replaying the tape ``forward`` recorded (each added loss
        with its own gradient, 1)."""
        from ..ops import autodiff
        dys = list(dy) if cache.multi else [dy]
        return autodiff.backprop(cache.tape, [*dys, *(np.ones_like(v) for v in cache.losses)], need_dx=need_dx)

    def add_loss(self, loss) -> None:
        """Keras's ``add_loss`` inside ``call``: a value (summed) added to the training
        loss, differentiated with the rest. Outside a training forward it is ignored."""
        if getattr(self, "_added_losses", None) is not None:
            self._added_losses.append(loss)

    # ---- config ----------------------------------------------------------------
    def get_config(self) -> dict:
        """Keras's config: the constructor's arguments, initializers and regularizers
        in Keras's serialized form, so that Keras's ``from_config`` reads it too."""
        config_ = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:
            config_["activity_regularizer"] = serialize_regularizer(self.activity_regularizer)
        return config_

    @classmethod
    def from_config(cls, config_: dict):
        return cls(**config_)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class TapeCache:
    """What the taped forward leaves for backward: the tape, whether ``call``
    returned a list, and the values passed to ``add_loss`` (the graph adds
    ``added_loss`` to the training loss)."""

    def __init__(self, tape, multi: bool, losses: list):
        self.tape, self.multi, self.losses = tape, multi, list(losses)
        self.added_loss = float(sum(float(np.sum(v)) for v in self.losses))


def _as_input_array(layer: Layer, a) -> np.ndarray:
    """An eager call's input: integers kept (ids), anything else numeric cast to the layer's dtype."""
    arr = np.asarray(a)
    if arr.dtype.kind in "biu":
        return arr
    if arr.dtype.kind != "f":
        raise TypeError(f"Layer {layer.name!r} ({type(layer).__name__}) expects numeric arrays, "
                        f"got {type(a).__name__} of dtype {arr.dtype}")
    return arr.astype(layer.dtype, copy=False)


def _is_shape_list(shape) -> bool:
    return isinstance(shape, list) or (isinstance(shape, tuple) and bool(shape)
                                      and isinstance(shape[0], (tuple, list)))


class ActivatedLayer(Layer):
    """A layer whose output passes through an activation: Dense, Conv, Activation.

    Subclasses write the part before the activation:
    ``forward_linear(x, training) -> (z, bias, cache)`` (``z`` a fresh array
    without the bias, which is added fused with the activation) and
    ``backward_linear(cache, dz, need_dx) -> (dx, grads)``.

    ``forward(..., activate=False)`` returns the pre-activation (logits): the
    trainer asks for it when the output activation folds into the loss
    (softmax or sigmoid cross-entropy from the logits, as Keras does).
    """

    def __init__(self, activation: Any = None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def forward_linear(self, x, training: bool = False):
        raise NotImplementedError

    def backward_linear(self, cache, dz, need_dx: bool = True):
        raise NotImplementedError

    def forward(self, inputs, training: bool = False, activate: bool = True):
        z, bias, linear_cache = self.forward_linear(inputs, training)
        if activate:
            z, y = self._activate(z, bias)
            return y, (linear_cache, z, y)
        if bias is not None:
            z += bias
        return z, (linear_cache, None, None)

    def backward(self, cache, dy, need_dx: bool = True):
        linear_cache, z, y = cache
        if z is not None:
            fused = _FUSED.get(self.activation)
            dz = (self.activation.backward(z, y, dy) if fused is None
                  else ops.bias_activation_backward(fused, z, y, dy))
        else:
            dz = dy
        return self.backward_linear(linear_cache, dz, need_dx)

    def _activate(self, z, bias):
        """(z + bias, activation(z + bias)), fused in one pass for the built-in activations."""
        fused = _FUSED.get(self.activation)
        if fused is None:
            if bias is not None:
                z += bias
            return z, self.activation(z)
        return ops.bias_activation(z, bias, fused)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation.name}


#: the activations ``ops.bias_activation`` fuses, keyed by the instance: a user
#: subclass reusing a name keeps its own math
_FUSED = {activations.linear: "linear", activations.sigmoid: "sigmoid", activations.tanh: "tanh",
          activations.relu: "relu", activations.softmax: "softmax"}


def check_rank(layer: Layer, input_shape: Shape, rank: int | Sequence[int], what: str) -> None:
    """Raise a ValueError naming the layer when ``input_shape`` has the wrong rank."""
    ranks = (rank,) if isinstance(rank, int) else tuple(rank)
    if len(input_shape) not in ranks:
        raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) expects {what} "
                         f"(rank {' or '.join(map(str, ranks))} with the batch axis), "
                         f"got input shape {format_shape(input_shape)}")


def check_positive_int(layer_type: str, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer_type}: {arg} must be a positive integer, got {value!r}")
    return int(value)
