"""Conv2DTranspose and Conv1DTranspose: gradient checks, parity with Keras (float64,
forward and gradients from the same weights), weight layout, config and errors."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import gradcheck, ops, regularizers
from minidl.layers import Conv1DTranspose, Conv2DTranspose, Input, Layer
from layer_checks import F64_TOL, GRAD_TOL, keras_gradients, scaled_error, tfk  # noqa: F401

# (batch, h, w, cin, filters, kernel_size, strides, padding, output_padding, activation)
CASES_2D = [
    (1, 5, 5, 1, 1, 3, 1, "valid", None, None),
    (2, 5, 4, 3, 2, (3, 2), 2, "same", None, "tanh"),
    (2, 5, 4, 3, 2, (3, 2), 2, "valid", None, "tanh"),
    (1, 3, 3, 2, 3, 2, 3, "valid", None, None),          # stride > kernel: trailing cells get only the bias
    (1, 4, 3, 2, 2, 2, (2, 1), "same", None, "sigmoid"),  # even kernel, 'same'
    (2, 3, 5, 2, 2, 3, 2, "valid", 1, None),              # output_padding
    (1, 3, 4, 2, 2, 4, 2, "same", (1, 1), "relu"),        # even kernel 'same' needs output_padding >= 1
    (1, 1, 1, 2, 3, 3, 2, "same", None, None),            # a 1×1 input
]
# (batch, steps, cin, filters, kernel_size, strides, padding, output_padding, activation)
CASES_1D = [
    (1, 7, 1, 2, 3, 1, "valid", None, None),
    (2, 5, 3, 2, 4, 2, "same", None, "tanh"),
    (2, 5, 3, 2, 4, 2, "valid", None, "tanh"),
    (1, 4, 2, 3, 2, 3, "same", 2, None),
    (2, 3, 2, 1, 3, 2, "valid", 1, "sigmoid"),
]


def _id(case) -> str:
    return "-".join(str(v) for v in case)


def _make(case, rank: int, keras=None, dtype=None, **kwargs):
    """(minidl layer built for the case, input) or, with ``keras``, Keras's layer."""
    if rank == 2:
        n, h, w, cin, filters, k, s, padding, op, activation = case
        spatial, cls = (h, w), Conv2DTranspose
    else:
        n, steps, cin, filters, k, s, padding, op, activation = case
        spatial, cls = (steps,), Conv1DTranspose
    if keras is not None:
        cls = getattr(keras.layers, cls.__name__)
        return cls(filters, k, strides=s, padding=padding, output_padding=op, activation=activation, dtype=dtype)
    layer = cls(filters, k, strides=s, padding=padding, output_padding=op, activation=activation, **kwargs)
    layer._maybe_build((None, *spatial, cin))
    rng = np.random.default_rng(0)
    layer.set_weights([rng.standard_normal(w.shape).astype(w.dtype) * 0.5 for w in layer.get_weights()])
    return layer, rng.standard_normal((n, *spatial, cin))


def _all_cases():
    return [(c, 2) for c in CASES_2D] + [(c, 1) for c in CASES_1D]


def _smooth(case):
    # relu has a kink at 0; the gradient check uses tanh in its place
    return (*case[:-1], "tanh") if case[-1] == "relu" else case


# ---- gradient checks (float64) ------------------------------------------------

@pytest.mark.parametrize("case, rank", _all_cases(), ids=lambda c: _id(c) if isinstance(c, tuple) else f"{c}d")
def test_gradients(float64, case, rank):
    layer, x = _make(_smooth(case), rank)
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", "kernel", "bias"}
    assert max(errors.values()) < GRAD_TOL, errors


def test_gradients_without_bias_with_penalties(float64):
    layer, x = _make((2, 4, 3, 2, 3, 3, 2, "same", None, "tanh"), 2, use_bias=False,
                     kernel_regularizer=regularizers.L2(0.1), activity_regularizer=regularizers.L1(0.01))
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", "kernel"}
    assert max(errors.values()) < GRAD_TOL, errors


class _UserTranspose(Layer):
    """A user's layer written with ``ops.conv_transpose``: differentiated by the tape (the op's VJP)."""

    def build(self, input_shape):
        self.kernel = self.add_weight((3, 2, 4, input_shape[-1]), "glorot_uniform", "kernel")

    def call(self, inputs, training=False):
        return ops.tanh(ops.conv_transpose(inputs, self.kernel, 2, "same"))


def test_op_vjp_through_the_tape(float64):
    errors = gradcheck.check_layer(_UserTranspose(), np.random.default_rng(0).standard_normal((2, 3, 4, 2)))
    assert max(errors.values()) < GRAD_TOL, errors


# ---- parity with Keras (float64, same weights) --------------------------------

@pytest.mark.keras
@pytest.mark.parametrize("case, rank", _all_cases(), ids=lambda c: _id(c) if isinstance(c, tuple) else f"{c}d")
def test_forward_and_gradients_match_keras(tfk, float64, case, rank):
    keras, tf = tfk
    layer, x = _make(case, rank)
    ref = _make(case, rank, keras=keras, dtype="float64")
    ref.build(x.shape)
    assert [w.path.split("/")[-1] for w in ref.weights] == list(layer.params)
    assert [tuple(w.shape) for w in ref.weights] == [w.shape for w in layer.get_weights()]
    ref.set_weights(layer.get_weights())
    assert tuple(ref.compute_output_shape((None, *x.shape[1:]))) == layer.compute_output_shape((None, *x.shape[1:]))
    y, cache = layer.forward(x, training=True)
    w = np.random.default_rng(5).standard_normal(y.shape)
    y_ref, (dx_ref, dk_ref, db_ref) = keras_gradients(tf, ref, x, w)
    dx, grads = layer.backward(cache, w)
    assert scaled_error(y, y_ref) < F64_TOL
    assert scaled_error(dx, dx_ref) < F64_TOL
    assert scaled_error(grads["kernel"], dk_ref) < F64_TOL
    assert scaled_error(grads["bias"], db_ref) < F64_TOL


@pytest.mark.keras
@pytest.mark.parametrize("rank", [1, 2])
def test_config_matches_keras(tfk, rank):
    keras, _ = tfk
    cls = Conv2DTranspose if rank == 2 else Conv1DTranspose
    layer = cls(4, 3, strides=2, padding="same", output_padding=1, activation="relu", use_bias=False,
                kernel_regularizer=regularizers.L2(0.01), name="ct")
    config = layer.get_config()
    ref_config = getattr(keras.layers, cls.__name__)(4, 3, strides=2, padding="same", output_padding=1,
                                                     activation="relu", use_bias=False,
                                                     kernel_regularizer=keras.regularizers.L2(0.01),
                                                     name="ct").get_config()
    assert set(config) <= set(ref_config)
    assert set(ref_config) - set(config) <= {"activity_regularizer"}  # written by minidl only when set
    for key in set(config) - {"dtype", "kernel_initializer", "bias_initializer"}:
        assert config[key] == ref_config[key], key
    for key in ("kernel_initializer", "bias_initializer"):
        assert config[key]["class_name"] == ref_config[key]["class_name"]
    # each side reads the other's config (minidl's regularizers.get takes no serialized dict yet)
    plain = {**config, "kernel_regularizer": None}
    assert cls.from_config(plain).get_config() == plain
    rebuilt = getattr(keras.layers, cls.__name__).from_config(config)
    rebuilt.build((None,) + (5,) * rank + (3,))
    assert [tuple(w.shape) for w in rebuilt.weights] == [(3,) * rank + (4, 3)]


# ---- shapes and layout ---------------------------------------------------------

def test_weight_layout_and_symbolic_shapes():
    t = Conv2DTranspose(6, (3, 2), strides=2, padding="same")(Input((7, 5, 4)))
    assert t.shape == (None, 14, 10, 6)
    assert t.layer.params["kernel"].shape == (3, 2, 6, 4)
    assert t.layer.count_params() == 3 * 2 * 6 * 4 + 6
    assert Conv2DTranspose(2, 3, strides=2)(Input((7, 5, 4))).shape == (None, 15, 11, 2)
    assert Conv2DTranspose(2, 2, strides=3)(Input((4, 4, 1))).shape == (None, 12, 12, 2)
    assert Conv1DTranspose(2, 3, strides=2, output_padding=1)(Input((None, 4))).shape == (None, None, 2)
    assert Conv1DTranspose(2, 3, strides=2, output_padding=1)(Input((5, 4))).shape == (None, 12, 2)


# ---- errors -------------------------------------------------------------------

@pytest.mark.parametrize("make, kwargs, error, match", [
    (Conv2DTranspose, dict(filters=0, kernel_size=3), ValueError, "Conv2DTranspose: filters"),
    (Conv2DTranspose, dict(filters=2, kernel_size=(3, 0)), ValueError, "Conv2DTranspose: kernel_size"),
    (Conv2DTranspose, dict(filters=2, kernel_size=3, strides=0), ValueError, "Conv2DTranspose: strides"),
    (Conv2DTranspose, dict(filters=2, kernel_size=3, padding="full"), ValueError, "Conv2DTranspose: padding"),
    (Conv2DTranspose, dict(filters=2, kernel_size=3, strides=2, output_padding=2), ValueError,
     r"output_padding must be strictly less than strides.*output_padding=2"),
    (Conv2DTranspose, dict(filters=2, kernel_size=3, output_padding=-1), ValueError, "output_padding"),
    (Conv2DTranspose, dict(filters=2, kernel_size=3, dilation_rate=2), ValueError,
     r"Conv2DTranspose: dilation_rate other than 1 is not supported, got 2"),
    (Conv1DTranspose, dict(filters=2, kernel_size=3, data_format="channels_first"), ValueError,
     r"Conv1DTranspose: only data_format='channels_last'"),
    (Conv1DTranspose, dict(filters=2, kernel_size=3, kernel_constraint="non_neg"), NotImplementedError,
     r"Conv1DTranspose: weight constraints .* kernel_constraint"),
])
def test_bad_arguments(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"'t1' \(Conv2DTranspose\).*rank 4.*\(None, 8, 3\)"):
        Conv2DTranspose(2, 3, name="t1")(Input((8, 3)))
    with pytest.raises(ValueError, match=r"'t2' \(Conv2DTranspose\).*output_padding >= 1"):
        Conv2DTranspose(2, 2, strides=2, padding="same", output_padding=0, name="t2")(Input((4, 4, 1)))
    layer = Conv2DTranspose(2, 3, name="t3")
    layer._maybe_build((None, 4, 4, 3))
    with pytest.raises(ValueError, match=r"'t3' \(Conv2DTranspose\).*3 input channels.*\(None, 4, 4, 2\)"):
        layer.forward(np.zeros((1, 4, 4, 2), np.float32))
