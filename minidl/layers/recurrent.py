"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3's math, gate order and weights).

Shapes: x (batch, timesteps, features); kernel (features, G·units),
recurrent_kernel (units, G·units) with G = 1, 4 (i, f, c, o), 3 (z, r, h);
y (batch, units), or (batch, timesteps, units) with ``return_sequences``.

The input projection ``x @ kernel + bias`` is one matmul over every step;
the loop then runs the cell and caches each step's gates. Backward is
backpropagation through time over those caches, the recurrent-kernel
gradient accumulated step by step.

Masking (a (batch, timesteps) boolean mask, e.g. from ``Embedding(mask_zero=True)``)
follows Keras: at a masked step the states carry over and the output repeats
the previous output (zeros with ``zero_output_for_mask``, which Bidirectional
sets when returning sequences).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, initializers, regularizers
from .base import Layer, Shape, check_positive_int, check_rank
from .serialize import serialize_initializer, serialize_regularizer


class _Recurrent(Layer):
    """The RNN loop; subclasses define the cell (``_step`` / ``_step_back``)."""

    gates = 1        # G: blocks of ``units`` columns in the kernels
    n_states = 1     # h (and c for LSTM)

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", recurrent_initializer: Any = "orthogonal",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 recurrent_regularizer: Any = None, bias_regularizer: Any = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(type(self).__name__, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)

    # ---- weights and shapes --------------------------------------------------------
    def _bias_shape(self) -> tuple[int, ...]:
        return (self.gates * self.units,)

    def _bias_init(self, shape, dtype=None):
        return self.bias_initializer(shape, dtype)

    def build(self, input_shape: Shape) -> None:
        check_rank(self, input_shape, 3, "sequences (batch, timesteps, features)")
        g = self.gates * self.units
        self.add_weight((input_shape[-1], g), self.kernel_initializer, "kernel",
                        regularizer=self.kernel_regularizer)
        # Orthogonal returns a transposed (non-contiguous) view; the optimizer and the
        # gradient checks update weights through reshape(-1), which must be a view
        self.add_weight((self.units, g), lambda s, d=None: np.ascontiguousarray(self.recurrent_initializer(s, d)),
                        "recurrent_kernel",
                        regularizer=self.recurrent_regularizer)
        if self.use_bias:
            self.add_weight(self._bias_shape(), self._bias_init, "bias", regularizer=self.bias_regularizer)

    def compute_output_shape(self, input_shape: Shape):
        check_rank(self, input_shape, 3, "sequences (batch, timesteps, features)")
        if self.built and input_shape[-1] != self.params["kernel"].shape[0]:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) was built for "
                             f"{self.params['kernel'].shape[0]} features, got input shape {input_shape}")
        out = (None, input_shape[1], self.units) if self.return_sequences else (None, self.units)
        if self.return_state:
            return [out, *[(None, self.units)] * self.n_states]
        return out

    def compute_mask(self, inputs, mask=None):
        """The output keeps the input's mask only when it is a sequence (Keras)."""
        out = mask if self.return_sequences else None
        return [out, *[None] * self.n_states] if self.return_state else out

    def _input_bias(self):
        return self.params.get("bias")

    def _input_bias_grad(self, dxw_sum, drb):
        return dxw_sum

    def call(self, inputs, training: bool = False, mask=None):
        return self.forward(inputs, training=training, mask=mask)[0]

    # ---- forward -------------------------------------------------------------------
    def forward(self, inputs, training: bool = False, mask=None):
        x = np.asarray(inputs)
        if x.ndim != 3:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) expects sequences "
                             f"(batch, timesteps, features), got an array of shape {x.shape}")
        xs = x[:, ::-1] if self.go_backwards else x
        m = None
        if mask is not None:
            m = np.asarray(mask, dtype=bool)
            m = (m[:, ::-1] if self.go_backwards else m)[..., None]
        kernel = self.params["kernel"]
        xw = xs @ kernel
        bias = self._input_bias()
        if bias is not None:
            xw += bias
        batch, steps = x.shape[0], x.shape[1]
        states = [np.zeros((batch, self.units), dtype=xw.dtype) for _ in range(self.n_states)]
        out = np.zeros((batch, self.units), dtype=xw.dtype)
        outputs, step_caches = [], []
        for t in range(steps):
            h, new_states, step_cache = self._step(xw[:, t], states)
            if m is not None:
                new_states = [np.where(m[:, t], n, s) for n, s in zip(new_states, states)]
                h = np.where(m[:, t], h, 0.0 if self.zero_output_for_mask else out)
            step_caches.append((states, step_cache))
            states, out = new_states, h
            outputs.append(h)
        y = np.stack(outputs, axis=1) if self.return_sequences else out
        if steps == 0:
            y = np.zeros((batch, 0, self.units) if self.return_sequences else (batch, self.units), xw.dtype)
        cache = (xs, m, step_caches, x.dtype)
        return ([y, *states] if self.return_state else y), cache

    # ---- backward: backpropagation through time -----------------------------------
    def backward(self, cache, dy, need_dx: bool = True):
        xs, m, step_caches, x_dtype = cache
        batch, steps = xs.shape[0], xs.shape[1]
        dys = list(dy) if self.return_state else [dy]
        dout_seq = dys[0]
        given = dys[1:] if self.return_state else [None] * self.n_states
        dstates = [np.zeros((batch, self.units)) if d is None else np.asarray(d) for d in given]
        rk = self.params["recurrent_kernel"]
        drk = np.zeros_like(rk)
        drb = None
        dxw = np.zeros((batch, steps, self.gates * self.units), dtype=rk.dtype)
        dprev_out = np.zeros((batch, self.units), dtype=rk.dtype)
        for t in reversed(range(steps)):
            if self.return_sequences:
                g_out = dout_seq[:, t] + dprev_out
            else:
                g_out = (dout_seq if t == steps - 1 else 0.0) + dprev_out
            prev_states, step_cache = step_caches[t]
            if m is not None:
                mt = m[:, t]
                dprev_out = np.zeros_like(g_out) if self.zero_output_for_mask else np.where(mt, 0.0, g_out)
                carried = [np.where(mt, 0.0, d) for d in dstates]
                dcand = [np.where(mt, d, 0.0) for d in dstates]
                dcand[0] = dcand[0] + np.where(mt, g_out, 0.0)
            else:
                carried = None
                dcand = list(dstates)
                dcand[0] = dcand[0] + g_out
            dxw[:, t], dprev, drk_t, drb_t = self._step_back(step_cache, prev_states, dcand, rk)
            drk += drk_t
            if drb_t is not None:
                drb = drb_t if drb is None else drb + drb_t
            dstates = dprev if carried is None else [a + b for a, b in zip(dprev, carried)]
        kernel = self.params["kernel"]
        grads = {"kernel": np.einsum("btd,btg->dg", xs, dxw).astype(kernel.dtype, copy=False),
                 "recurrent_kernel": drk}
        if self.use_bias:
            grads["bias"] = self._input_bias_grad(dxw.sum(axis=(0, 1)), drb)
        if not need_dx:
            return None, grads
        dx = dxw @ kernel.T
        if self.go_backwards:
            dx = dx[:, ::-1]
        return np.ascontiguousarray(dx, dtype=x_dtype if x_dtype.kind == "f" else dx.dtype), grads

    def _step(self, xw_t, states):
        raise NotImplementedError

    def _step_back(self, step_cache, prev_states, dstates, rk):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation.name,
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_initializer(self.kernel_initializer),
                "recurrent_initializer": serialize_initializer(self.recurrent_initializer),
                "bias_initializer": serialize_initializer(self.bias_initializer),
                "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
                "recurrent_regularizer": serialize_regularizer(self.recurrent_regularizer),
                "bias_regularizer": serialize_regularizer(self.bias_regularizer),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "zero_output_for_mask": self.zero_output_for_mask}


class SimpleRNN(_Recurrent):
    """h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)."""

    def _step(self, xw_t, states):
        z = xw_t + states[0] @ self.params["recurrent_kernel"]
        h = self.activation(z)
        return h, [h], (z, h)

    def _step_back(self, step_cache, prev_states, dstates, rk):
        z, h = step_cache
        dz = self.activation.backward(z, h, dstates[0])
        return dz, [dz @ rk.T], prev_states[0].T @ dz, None


class _Gated(_Recurrent):
    def __init__(self, units: int, activation: Any = "tanh", recurrent_activation: Any = "sigmoid", **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)

    def get_config(self) -> dict:
        return {**super().get_config(), "recurrent_activation": self.recurrent_activation.name}


class LSTM(_Gated):
    """Keras's LSTM: gates i, f, c, o in the kernels' column blocks;
    c_t = f·c_{t-1} + i·activation(z_c), h_t = o·activation(c_t)."""

    gates = 4
    n_states = 2

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype)
        u = self.units
        return np.concatenate([self.bias_initializer((u,), dtype), np.ones(u, dtype=dtype),
                               self.bias_initializer((2 * u,), dtype)])

    def _step(self, xw_t, states):
        h_prev, c_prev = states
        z = xw_t + h_prev @ self.params["recurrent_kernel"]
        zi, zf, zc, zo = np.split(z, 4, axis=1)
        ra, act = self.recurrent_activation, self.activation
        i, f, g, o = ra(zi), ra(zf), act(zc), ra(zo)
        c = f * c_prev + i * g
        ac = act(c)
        h = o * ac
        return h, [h, c], (zi, zf, zc, zo, i, f, g, o, c, ac)

    def _step_back(self, step_cache, prev_states, dstates, rk):
        zi, zf, zc, zo, i, f, g, o, c, ac = step_cache
        h_prev, c_prev = prev_states
        dh, dc = dstates
        ra, act = self.recurrent_activation, self.activation
        dc = dc + act.backward(c, ac, dh * o)
        dz = np.concatenate([ra.backward(zi, i, dc * g), ra.backward(zf, f, dc * c_prev),
                             act.backward(zc, g, dc * i), ra.backward(zo, o, dh * ac)], axis=1)
        return dz, [dz @ rk.T, dc * f], h_prev.T @ dz, None

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(_Gated):
    """Keras's GRU: gates z, r, h; h_t = z·h_{t-1} + (1 − z)·ĥ. With ``reset_after``
    (default) the reset gate multiplies the recurrent projection and the bias is
    (2, 3·units): input bias, recurrent bias."""

    gates = 3

    def __init__(self, units: int, reset_after: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        bias = self.params.get("bias")
        return bias[0] if bias is not None and self.reset_after else bias

    def _input_bias_grad(self, dxw_sum, drb):
        return np.stack([dxw_sum, drb]) if self.reset_after else dxw_sum

    def _step(self, xw_t, states):
        (h_prev,) = states
        u, rk = self.units, self.params["recurrent_kernel"]
        ra, act = self.recurrent_activation, self.activation
        xz, xr, xh = np.split(xw_t, 3, axis=1)
        if self.reset_after:
            rec = h_prev @ rk
            if self.use_bias:
                rec = rec + self.params["bias"][1]
            rz, rr, rh = np.split(rec, 3, axis=1)
        else:
            rz, rr = np.split(h_prev @ rk[:, :2 * u], 2, axis=1)
        zz, zr = xz + rz, xr + rr
        z, r = ra(zz), ra(zr)
        if self.reset_after:
            zh = xh + r * rh
        else:
            rh = r * h_prev
            zh = xh + rh @ rk[:, 2 * u:]
        hh = act(zh)
        h = z * h_prev + (1 - z) * hh
        return h, [h], (zz, zr, zh, z, r, rh, hh)

    def _step_back(self, step_cache, prev_states, dstates, rk):
        zz, zr, zh, z, r, rh, hh = step_cache
        (h_prev,), (dh,) = prev_states, dstates
        u = self.units
        ra, act = self.recurrent_activation, self.activation
        dzh = act.backward(zh, hh, dh * (1 - z))
        dzz = ra.backward(zz, z, dh * (h_prev - hh))
        dh_prev = dh * z
        if self.reset_after:
            dzr = ra.backward(zr, r, dzh * rh)
            drec = np.concatenate([dzz, dzr, dzh * r], axis=1)
            dh_prev = dh_prev + drec @ rk.T
            drb = drec.sum(axis=0) if self.use_bias else None
            return np.concatenate([dzz, dzr, dzh], axis=1), [dh_prev], h_prev.T @ drec, drb
        drh = dzh @ rk[:, 2 * u:].T
        dzr = ra.backward(zr, r, drh * h_prev)
        dzr_zz = np.concatenate([dzz, dzr], axis=1)
        dh_prev = dh_prev + drh * r + dzr_zz @ rk[:, :2 * u].T
        drk = np.concatenate([h_prev.T @ dzr_zz, rh.T @ dzh], axis=1)
        return np.concatenate([dzz, dzr, dzh], axis=1), [dh_prev], drk, None

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}
