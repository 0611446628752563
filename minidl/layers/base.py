"""The layer contract and the symbolic tensors that wire layers into a graph.

A layer owns ``params`` and ``grads`` (dicts with the same keys, in Keras's
``get_weights`` order) and ``state`` (non-trainable weights such as a moving
mean). ``build(input_shape)`` makes the weights once the input shape is known;
``forward(x, training)`` computes the output and caches exactly what
``backward(dy)`` needs; ``backward`` returns ``dL/dx`` and fills ``grads``.

Shapes follow Keras: an ``input_shape`` includes the batch axis as ``None``,
e.g. ``(None, 3072)``.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any, Sequence

import numpy as np

from .. import activations, config, initializers, regularizers
from ..kernels import activation as activation_kernels

Shape = tuple  # (None, d1, d2, ...), the batch axis first

_name_counters: defaultdict[str, itertools.count] = defaultdict(itertools.count)


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``... as Keras names layers."""
    n = next(_name_counters[base])
    return base if n == 0 else f"{base}_{n}"


def format_shape(shape: Shape | Sequence[Shape]) -> str:
    if shape and isinstance(shape[0], tuple):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class SymbolicTensor:
    """A placeholder for a layer's output in a functional graph (Keras's KerasTensor).

    It holds only a shape and where it came from: the layer that produced it
    and the tensors that layer was called on.
    """

    def __init__(self, shape: Shape, layer: "Layer", inputs: list["SymbolicTensor"],
                 takes_list: bool = False):
        self.shape = tuple(shape)
        self.layer = layer
        self.inputs = inputs
        self.takes_list = takes_list  # the layer was called on a list (Concatenate)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<SymbolicTensor shape={format_shape(self.shape)} from {self.layer.name}>"


class Layer:
    """Base class: subclasses define ``build``, ``compute_output_shape``,
    ``forward`` and ``backward``.

    Args:
        name: unique layer name; generated from the class name if omitted.
        trainable: whether the optimizer updates ``params``.
        activity_regularizer: penalty on the layer's output, divided by the
            batch size as Keras 3 does.
        input_shape: optional shape without the batch axis, Keras-2 style,
            for the first layer of a ``Sequential``.
    """

    def __init__(self, name: str | None = None, trainable: bool = True,
                 activity_regularizer: Any = None, input_shape: Sequence[int] | None = None):
        self.name = name or unique_name(_snake(type(self).__name__))
        self.trainable = trainable
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.regularizers: dict[str, regularizers.Regularizer] = {}
        self.built = False
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        self.declared_input_shape = None if input_shape is None else (None, *input_shape)
        self._activity_output: np.ndarray | None = None
        # The model clears this during its backward pass when every input of the
        # layer is a model input: layers may then skip computing dL/dx (and return None).
        self.input_grad_needed = True

    # ---- weights -------------------------------------------------------
    def add_weight(self, key: str, shape: Sequence[int], initializer: Any = "zeros",
                   regularizer: Any = None, trainable: bool = True) -> np.ndarray:
        """Create a weight in ``config.floatx()``; trainable ones get a zero gradient slot."""
        value = initializers.get(initializer)(tuple(shape), config.floatx())
        if trainable:
            self.params[key] = value
            self.grads[key] = np.zeros_like(value)
            reg = regularizers.get(regularizer)
            if reg is not None:
                self.regularizers[key] = reg
        else:
            self.state[key] = value
        return value

    def get_weights(self) -> list[np.ndarray]:
        """Trainable weights then non-trainable ones, as Keras orders them."""
        return [w.copy() for w in (*self.params.values(), *self.state.values())]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace the weights in place; counts and shapes must match exactly."""
        slots = [*self.params.items(), *self.state.items()]
        if len(weights) != len(slots):
            raise ValueError(f"Layer {self.name!r} expects {len(slots)} weight arrays "
                             f"({[k for k, _ in slots]}), got {len(weights)}")
        for (key, current), new in zip(slots, weights):
            new = np.asarray(new)
            if new.shape != current.shape:
                raise ValueError(f"Layer {self.name!r} weight {key!r} has shape {current.shape}, "
                                 f"got an array of shape {new.shape}")
            current[...] = new

    def count_params(self) -> int:
        return sum(w.size for w in (*self.params.values(), *self.state.values()))

    @property
    def trainable_count(self) -> int:
        return sum(w.size for w in self.params.values()) if self.trainable else 0

    # ---- shape inference and graph wiring ----------------------------------
    def build(self, input_shape: Shape) -> None:
        self.input_shape = tuple(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def _ensure_built(self, input_shape) -> Shape:
        if not self.built:
            self.build(input_shape)
            self.built = True
            if self.input_shape is None:
                self.input_shape = input_shape
        output_shape = self.compute_output_shape(input_shape)
        self.output_shape = output_shape
        return output_shape

    def __call__(self, inputs):
        """On symbolic tensors: wire a graph node. On arrays: run inference."""
        symbolic = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if all(isinstance(t, SymbolicTensor) for t in symbolic):
            shapes = [t.shape for t in symbolic]
            out_shape = self._ensure_built(shapes if isinstance(inputs, (list, tuple)) else shapes[0])
            return SymbolicTensor(out_shape, self, list(symbolic), isinstance(inputs, (list, tuple)))
        if any(isinstance(t, SymbolicTensor) for t in symbolic):
            raise TypeError(f"Layer {self.name!r} got a mix of symbolic tensors and arrays")
        if isinstance(inputs, (list, tuple)):
            arrays = [np.asarray(a, dtype=config.floatx()) for a in inputs]
            self._ensure_built([(None, *a.shape[1:]) for a in arrays])
            return self.forward(arrays, training=False)
        x = np.asarray(inputs, dtype=config.floatx())
        self._ensure_built((None, *x.shape[1:]))
        return self.forward(x, training=False)

    # ---- the computation -------------------------------------------------
    def forward(self, x, training: bool = False):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def run_forward(self, x, training: bool = False):
        """``forward`` plus the bookkeeping the model needs (activity penalty)."""
        y = self.forward(x, training=training)
        if self.activity_regularizer is not None:
            self._activity_output = y
        return y

    def run_backward(self, dy):
        """``backward`` plus the activity-penalty gradient and the weight penalties."""
        return self._add_weight_penalties(self.backward(dy + self._activity_gradient(dy)))

    def _activity_gradient(self, dy):
        if self.activity_regularizer is None:
            return 0
        return self.activity_regularizer.gradient(self._activity_output) / dy.shape[0]

    def _add_weight_penalties(self, dx):
        for key, reg in self.regularizers.items():
            reg.add_gradient(self.params[key], self.grads[key])
        return dx

    def regularization_loss(self) -> float:
        """Weight penalties plus the activity penalty of the last forward pass."""
        loss = sum(reg(self.params[key]) for key, reg in self.regularizers.items())
        if self.activity_regularizer is not None and self._activity_output is not None:
            out = self._activity_output
            loss += self.activity_regularizer(out) / out.shape[0]
        return float(loss)

    # ---- config ----------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class ActivatedLayer(Layer):
    """A layer whose output passes through an activation.

    Subclasses implement ``forward_linear`` / ``backward_linear`` for the part
    before the activation. Splitting there lets the model hand a softmax or
    sigmoid output layer the cross-entropy gradient with respect to its
    logits directly, as Keras does (see ``Model._logits_shortcut``).
    """

    def __init__(self, activation: Any = None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.pre_activation: np.ndarray | None = None
        self._output: np.ndarray | None = None

    # Subclasses override one of forward_linear / forward_unbiased: layers with
    # a bias (Dense, Conv) the second, so the bias add fuses with the activation.
    def forward_linear(self, x, training: bool = False) -> np.ndarray:
        """The pre-activation z, bias included."""
        z, bias = self.forward_unbiased(x, training)
        if bias is not None:
            z += bias
        return z

    def forward_unbiased(self, x, training: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """The linear part split as (z without the bias, bias or None).

        ``z`` must be a fresh array: the bias is added to it in place, fused with
        the activation (``kernels.activation.forward``). The default adds nothing.
        """
        return self.forward_linear(x, training), None

    def backward_linear(self, dz: np.ndarray):
        raise NotImplementedError

    def forward(self, x, training: bool = False):
        z, bias = self.forward_unbiased(x, training)
        z, y = activation_kernels.forward(z, bias, self.activation)
        self.pre_activation, self._output = z, y
        return y

    def backward(self, dy):
        return self.backward_linear(activation_kernels.backward(self.activation, self.pre_activation,
                                                                self._output, dy))

    def run_backward_from_logits(self, dz):
        """Like ``run_backward``, but ``dz`` is already the gradient with respect
        to the pre-activation (the model's fused cross-entropy path)."""
        if self.activity_regularizer is not None:
            dz = dz + self.activation.backward(self.pre_activation, self._output,
                                               self._activity_gradient(dz))
        return self._add_weight_penalties(self.backward_linear(dz))

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation.name}


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
