"""Wrappers: Bidirectional (a recurrent layer run both ways) and TimeDistributed
(a layer applied to every timestep)."""
from __future__ import annotations

import copy

import numpy as np

from .base import Layer, Shape, check_rank, format_shape
from .recurrent import _Recurrent

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _fresh_copy(layer: Layer, name: str, **attrs) -> Layer:
    """An unbuilt copy of ``layer`` with its own (not yet made) weights, as Keras's
    ``from_config`` clone."""
    new = copy.copy(layer)
    new.name = name
    new.params, new.state, new.grads, new.regularizers = {}, {}, {}, {}
    new._inbound_nodes, new.built, new.input_shape = [], False, None
    for key, value in attrs.items():
        setattr(new, key, value)
    return new


class Bidirectional(Layer):
    """Runs a copy of ``layer`` forwards and one backwards (``go_backwards`` flipped)
    over the sequence and merges the outputs.

    Shapes: x (batch, timesteps, features); with ``merge_mode="concat"`` y is
    (batch, 2·units), or (batch, timesteps, 2·units) with ``return_sequences``
    (the backward layer's sequence reversed back to the input's time order).
    ``merge_mode=None`` returns [forward output, backward output]. With
    ``return_state`` the forward layer's states then the backward layer's follow.
    Weights: the forward layer's then the backward layer's (Keras's order),
    keyed ``"<sublayer name>/<weight>"``.
    """

    def __init__(self, layer: Layer, merge_mode: str | None = "concat", **kwargs):
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional: layer must be a recurrent layer (SimpleRNN, LSTM, GRU), "
                            f"got {type(layer).__name__}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, got {merge_mode!r}")
        super().__init__(**kwargs)
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        # Keras zeroes masked outputs of both directions when it merges sequences
        zero = layer.return_sequences
        self.forward_layer = _fresh_copy(layer, "forward_" + layer.name, zero_output_for_mask=zero)
        self.backward_layer = _fresh_copy(layer, "backward_" + layer.name, zero_output_for_mask=zero,
                                          go_backwards=not layer.go_backwards)
        self.layer = layer

    @property
    def _sublayers(self):
        return (self.forward_layer, self.backward_layer)

    def build(self, input_shape: Shape) -> None:
        for sub in self._sublayers:
            sub._maybe_build(input_shape)
            for key, value in sub.params.items():
                self.params[f"{sub.name}/{key}"] = value
            for key, reg in sub.regularizers.items():
                self.regularizers[f"{sub.name}/{key}"] = reg

    def compute_output_shape(self, input_shape: Shape):
        shapes = self.forward_layer.compute_output_shape(input_shape)
        out, states = (shapes[0], shapes[1:]) if self.return_state else (shapes, [])
        if self.merge_mode is None:
            outs = [out, out]
        else:
            outs = [(*out[:-1], 2 * out[-1]) if self.merge_mode == "concat" else out]
        result = [*outs, *states, *states]
        return result if len(result) > 1 else result[0]

    def compute_mask(self, inputs, mask=None):
        out = mask if self.return_sequences else None
        outs = [out, out] if self.merge_mode is None else [out]
        states = [None] * (2 * self.forward_layer.n_states if self.return_state else 0)
        result = [*outs, *states]
        return result if len(result) > 1 else result[0]

    def call(self, inputs, training: bool = False, mask=None):
        return self.forward(inputs, training=training, mask=mask)[0]

    def forward(self, inputs, training: bool = False, mask=None):
        (yf, *sf), cf = self._run(self.forward_layer, inputs, training, mask)
        (yb, *sb), cb = self._run(self.backward_layer, inputs, training, mask)
        if self.return_sequences:
            yb = yb[:, ::-1]
        mode = self.merge_mode
        if mode is None:
            outs = [yf, yb]
        elif mode == "concat":
            outs = [np.concatenate([yf, yb], axis=-1)]
        elif mode == "sum":
            outs = [yf + yb]
        elif mode == "mul":
            outs = [yf * yb]
        else:
            outs = [(yf + yb) / 2]
        result = [*outs, *sf, *sb]
        return (result if len(result) > 1 else result[0]), (cf, cb, yf, yb, len(sf))

    def _run(self, layer, inputs, training, mask):
        y, cache = layer.forward(inputs, training=training, mask=mask)
        return (y if isinstance(y, list) else [y]), cache

    def backward(self, cache, dy, need_dx: bool = True):
        cf, cb, yf, yb, n_states = cache
        dys = list(dy) if isinstance(dy, (list, tuple)) else [dy]
        n_out = 2 if self.merge_mode is None else 1
        douts, dsf, dsb = dys[:n_out], dys[n_out:n_out + n_states], dys[n_out + n_states:]
        mode, d = self.merge_mode, douts[0]
        if mode is None:
            dyf, dyb = douts
        elif mode == "concat":
            dyf, dyb = d[..., :yf.shape[-1]], d[..., yf.shape[-1]:]
        elif mode == "sum":
            dyf, dyb = d, d
        elif mode == "mul":
            dyf, dyb = d * yb, d * yf
        else:
            dyf = dyb = d / 2
        if self.return_sequences:
            dyb = dyb[:, ::-1]
        grads = {}
        dx = None
        for sub, sub_cache, dout, dstates in ((self.forward_layer, cf, dyf, dsf),
                                             (self.backward_layer, cb, dyb, dsb)):
            arg = [dout, *dstates] if self.return_state else dout
            dx_sub, sub_grads = sub.backward(sub_cache, arg, need_dx)
            grads.update({f"{sub.name}/{k}": g for k, g in sub_grads.items()})
            if need_dx:
                dx = dx_sub if dx is None else dx + dx_sub
        return dx, grads

    @classmethod
    def from_config(cls, config: dict):
        """Keras writes the backward layer it built too; minidl builds the same one
        (the layer with ``go_backwards`` flipped), so a matching one is accepted."""
        config = dict(config)
        backward = config.pop("backward_layer", None)
        layer = config.get("layer")
        if backward is not None and layer is not None:
            ours, theirs = layer.get_config(), backward.get_config()
            same = type(backward) is type(layer) and all(
                ours.get(k) == theirs.get(k) for k in ours if k not in ("name", "go_backwards"))
            if not same or theirs.get("go_backwards") == ours.get("go_backwards"):
                raise ValueError(f"Bidirectional {config.get('name')!r}: a backward_layer other than the layer "
                                 "with go_backwards flipped is not supported by minidl")
        return cls(**config)

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _serialized(self.layer)}


class TimeDistributed(Layer):
    """Applies ``layer`` to every timestep: x (batch, timesteps, ...) is run as
    (batch·timesteps, ...) and reshaped back. The weights are the wrapped layer's."""

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError(f"TimeDistributed: layer must be a Layer, got {type(layer).__name__}")
        super().__init__(**kwargs)
        self.layer = layer

    def _inner_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, range(3, 8), "(batch, timesteps, ...)")
        return (None, *input_shape[2:])

    def build(self, input_shape: Shape) -> None:
        self.layer._maybe_build(self._inner_shape(input_shape))
        # the same dicts: the optimizer, set_weights and the penalties see the wrapped layer's weights
        self.params, self.state, self.regularizers = self.layer.params, self.layer.state, self.layer.regularizers

    def compute_output_shape(self, input_shape: Shape):
        out = self.layer.compute_output_shape(self._inner_shape(input_shape))
        if isinstance(out, list):
            raise ValueError(f"Layer {self.name!r} (TimeDistributed) wraps a layer with several outputs: "
                             f"{format_shape(out)}")
        return (None, input_shape[1], *out[1:])

    def forward(self, inputs, training: bool = False):
        x = np.asarray(inputs)
        if x.ndim < 3:
            raise ValueError(f"Layer {self.name!r} (TimeDistributed) expects (batch, timesteps, ...), "
                             f"got an array of shape {x.shape}")
        batch, steps = x.shape[:2]
        y, cache = self.layer.forward(x.reshape(batch * steps, *x.shape[2:]), training=training)
        return y.reshape(batch, steps, *y.shape[1:]), (cache, x.shape)

    def backward(self, cache, dy, need_dx: bool = True):
        inner_cache, x_shape = cache
        dy = np.asarray(dy)
        dx, grads = self.layer.backward(inner_cache, dy.reshape(-1, *dy.shape[2:]), need_dx)
        return (None if dx is None else dx.reshape(x_shape)), grads

    def get_config(self) -> dict:
        return {**super().get_config(),
                "layer": _serialized(self.layer)}


def _serialized(layer) -> dict:
    """The wrapped layer in Keras's serialized form (module, class_name, config), as Keras writes it."""
    from ..models.config import serialize_layer
    return serialize_layer(layer)
