"""Conv2D and Conv1D: gradient checks, parity with Keras, shapes and errors."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import config, gradcheck, regularizers
from minidl.layers import Conv1D, Conv2D, Input
from layer_checks import F32_TOL, F64_TOL, GRAD_TOL, keras_gradients, scaled_error, tfk  # noqa: F401

# (batch, h, w, cin, filters, kernel_size, strides, padding, activation)
CONV2D_CASES = [
    (1, 5, 5, 1, 1, 3, 1, "valid", None),
    (2, 7, 5, 3, 2, (3, 2), 2, "same", "tanh"),
    (2, 7, 5, 3, 2, (3, 2), 2, "valid", "tanh"),
    (1, 6, 6, 2, 3, 2, (2, 3), "same", None),
    (2, 5, 7, 2, 2, 4, 3, "same", "sigmoid"),
    (3, 4, 5, 3, 2, 1, 2, "same", None),     # 1×1 kernel: 'same' pads nothing
    (1, 3, 3, 2, 2, 3, 1, "same", None),     # kernel as large as the input
    (2, 8, 8, 2, 3, 3, 2, "same", "relu"),   # even size, stride 2: pad (0, 1)
]
# (batch, steps, cin, filters, kernel_size, strides, padding, activation)
CONV1D_CASES = [
    (1, 7, 1, 2, 3, 1, "valid", None),
    (2, 9, 3, 2, 4, 2, "same", "tanh"),
    (2, 9, 3, 2, 4, 2, "valid", "tanh"),
    (3, 5, 2, 3, 2, 3, "same", None),
    (1, 4, 2, 1, 4, 1, "same", "sigmoid"),
    (2, 10, 2, 3, 4, 1, "same", "relu"),     # the IMDB Conv1D layout, k=4 'same'
]


def _id(case) -> str:
    return "-".join(str(v) for v in case)


def _conv2d(case, **kwargs) -> tuple[Conv2D, np.ndarray]:
    n, h, w, cin, filters, k, s, padding, activation = case
    layer = Conv2D(filters, k, strides=s, padding=padding, activation=activation, **kwargs)
    layer._maybe_build((None, h, w, cin))
    return layer, np.random.default_rng(0).standard_normal((n, h, w, cin))


def _conv1d(case, **kwargs) -> tuple[Conv1D, np.ndarray]:
    n, steps, cin, filters, k, s, padding, activation = case
    layer = Conv1D(filters, k, strides=s, padding=padding, activation=activation, **kwargs)
    layer._maybe_build((None, steps, cin))
    return layer, np.random.default_rng(0).standard_normal((n, steps, cin))


def _randomize(layer, rng) -> None:
    """Random weights, the bias too, so parity tests see every term."""
    layer.set_weights([rng.standard_normal(w.shape).astype(w.dtype) * 0.5 for w in layer.get_weights()])


# ---- gradient checks (float64) ------------------------------------------------

def _smooth(case, activation_index):
    # relu has a kink at 0; the gradient check uses tanh in its place
    case = list(case)
    if case[activation_index] == "relu":
        case[activation_index] = "tanh"
    return tuple(case)


@pytest.mark.parametrize("case", CONV2D_CASES, ids=_id)
def test_conv2d_gradients(float64, case):
    layer, x = _conv2d(_smooth(case, 8))
    _randomize(layer, np.random.default_rng(1))
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", "kernel", "bias"}
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("case", CONV1D_CASES, ids=_id)
def test_conv1d_gradients(float64, case):
    layer, x = _conv1d(_smooth(case, 7))
    _randomize(layer, np.random.default_rng(1))
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", "kernel", "bias"}
    assert max(errors.values()) < GRAD_TOL, errors


def test_conv2d_gradients_without_bias_with_penalties(float64):
    layer, x = _conv2d((2, 6, 5, 2, 3, 3, 2, "same", "tanh"), use_bias=False,
                       kernel_regularizer=regularizers.L2(0.1), activity_regularizer=regularizers.L1(0.01))
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", "kernel"}
    assert max(errors.values()) < GRAD_TOL, errors


def test_conv1d_gradients_with_bias_penalty(float64):
    layer, x = _conv1d((2, 8, 2, 2, 3, 2, "same", None), bias_regularizer=regularizers.L2(0.5))
    _randomize(layer, np.random.default_rng(2))
    errors = gradcheck.check_layer(layer, x)
    assert max(errors.values()) < GRAD_TOL, errors


# ---- shapes and layout ------------------------------------------------------

@pytest.mark.parametrize("case", CONV2D_CASES, ids=_id)
def test_conv2d_weight_layout_and_output_shape(case):
    n, h, w, cin, filters, k, s, padding, _ = case
    layer, x = _conv2d(case)
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    assert layer.params["kernel"].shape == (kh, kw, cin, filters)
    assert layer.params["bias"].shape == (filters,)
    assert layer.params["kernel"].dtype == np.dtype(config.floatx())
    if padding == "same":
        expected = (-(-h // sh), -(-w // sw))
    else:
        expected = ((h - kh) // sh + 1, (w - kw) // sw + 1)
    assert layer.compute_output_shape((None, h, w, cin)) == (None, *expected, filters)
    assert layer.forward(x.astype(config.floatx()))[0].shape == (n, *expected, filters)
    assert layer.count_params() == kh * kw * cin * filters + filters


def test_symbolic_wiring_gives_keras_shapes():
    t = Input((28, 28, 1))
    t = Conv2D(30, (5, 5), activation="relu")(t)
    assert t.shape == (None, 24, 24, 30)
    s = Conv1D(16, 4, padding="same")(Input((400, 50)))
    assert s.shape == (None, 400, 16)
    assert s.layer.count_params() == 4 * 50 * 16 + 16


# ---- parity with Keras ------------------------------------------------------

def _keras_conv(keras, case, rank, dtype="float32"):
    if rank == 2:
        *_, filters, k, s, padding, activation = case
        return keras.layers.Conv2D(filters, k, strides=s, padding=padding, activation=activation, dtype=dtype)
    *_, filters, k, s, padding, activation = case
    return keras.layers.Conv1D(filters, k, strides=s, padding=padding, activation=activation, dtype=dtype)


@pytest.mark.keras
@pytest.mark.parametrize("case", CONV2D_CASES, ids=_id)
def test_conv2d_forward_matches_keras(tfk, case):
    keras, _ = tfk
    layer, x = _conv2d(case)
    _randomize(layer, np.random.default_rng(3))
    x = x.astype(np.float32)
    ref = _keras_conv(keras, case, 2)
    ref.build(x.shape)
    ref.set_weights(layer.get_weights())
    assert scaled_error(layer.forward(x)[0], np.asarray(ref(x))) < F32_TOL


@pytest.mark.keras
@pytest.mark.parametrize("case", CONV1D_CASES, ids=_id)
def test_conv1d_forward_matches_keras(tfk, case):
    keras, _ = tfk
    layer, x = _conv1d(case)
    _randomize(layer, np.random.default_rng(3))
    x = x.astype(np.float32)
    ref = _keras_conv(keras, case, 1)
    ref.build(x.shape)
    ref.set_weights(layer.get_weights())
    assert scaled_error(layer.forward(x)[0], np.asarray(ref(x))) < F32_TOL


@pytest.mark.keras
@pytest.mark.parametrize("case", [(2, 7, 6, 3, 4, 3, 2, "same", "tanh"),
                                  (1, 8, 8, 2, 3, (2, 3), 2, "same", None)], ids=_id)
def test_conv2d_same_stride2_backward_matches_keras(tfk, float64, case):
    keras, tf = tfk
    layer, x = _conv2d(case)
    _randomize(layer, np.random.default_rng(4))
    ref = _keras_conv(keras, case, 2, dtype="float64")
    ref.build(x.shape)
    ref.set_weights(layer.get_weights())
    w = np.random.default_rng(5).standard_normal(layer.compute_output_shape((len(x), *x.shape[1:])))
    y_ref, (dx_ref, dk_ref, db_ref) = keras_gradients(tf, ref, x, w)
    y, cache = layer.forward(x, training=True)
    dx, grads = layer.backward(cache, w)
    assert scaled_error(y, y_ref) < F64_TOL
    assert scaled_error(dx, dx_ref) < F64_TOL
    assert scaled_error(grads["kernel"], dk_ref) < F64_TOL
    assert scaled_error(grads["bias"], db_ref) < F64_TOL


# ---- errors -------------------------------------------------------------------

@pytest.mark.parametrize("make, kwargs, match", [
    (Conv2D, dict(filters=0, kernel_size=3), "Conv2D: filters"),
    (Conv2D, dict(filters=-2, kernel_size=3), "Conv2D: filters"),
    (Conv2D, dict(filters=2, kernel_size=0), "Conv2D: kernel_size"),
    (Conv2D, dict(filters=2, kernel_size=(3, -1)), "Conv2D: kernel_size"),
    (Conv2D, dict(filters=2, kernel_size=(3, 3, 3)), "Conv2D: kernel_size"),
    (Conv2D, dict(filters=2, kernel_size=3, strides=0), "Conv2D: strides"),
    (Conv2D, dict(filters=2, kernel_size=3, padding="full"), "Conv2D: padding"),
    (Conv1D, dict(filters=2, kernel_size=0), "Conv1D: kernel_size"),
    (Conv1D, dict(filters=2, kernel_size=2, strides=-1), "Conv1D: strides"),
    (Conv1D, dict(filters=2.5, kernel_size=2), "Conv1D: filters"),
])
def test_bad_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_kernel_larger_than_input_valid():
    with pytest.raises(ValueError, match=r"Conv2D.*kernel_size \(5, 5\).*\(None, 4, 6, 1\)"):
        Conv2D(2, 5, name="c2")(Input((4, 6, 1)))
    with pytest.raises(ValueError, match=r"'c1' \(Conv1D\).*\(None, 3, 2\)"):
        Conv1D(2, 4, name="c1")(Input((3, 2)))
    layer = Conv2D(2, 3, name="c3")
    layer._maybe_build((None, 8, 8, 1))
    with pytest.raises(ValueError, match=r"'c3' \(Conv2D\).*\(None, 2, 8, 1\)"):
        layer.forward(np.zeros((1, 2, 8, 1), np.float32))
    # 'same' pads, so the same kernel fits
    assert Conv2D(2, 5, padding="same")(Input((4, 6, 1))).shape == (None, 4, 6, 2)


def test_wrong_rank_and_channels():
    with pytest.raises(ValueError, match=r"'c4' \(Conv2D\).*rank 4.*\(None, 8, 3\)"):
        Conv2D(2, 3, name="c4")(Input((8, 3)))
    with pytest.raises(ValueError, match=r"'c5' \(Conv1D\).*rank 3.*\(None, 8, 8, 3\)"):
        Conv1D(2, 3, name="c5")(Input((8, 8, 3)))
    layer = Conv2D(2, 3, name="c6")
    layer._maybe_build((None, 8, 8, 3))
    with pytest.raises(ValueError, match=r"'c6' \(Conv2D\).*3 input channels.*\(None, 8, 8, 2\)"):
        layer.forward(np.zeros((1, 8, 8, 2), np.float32))
    with pytest.raises(ValueError, match=r"'c6' \(Conv2D\).*rank 4"):
        layer.forward(np.zeros((8, 8, 3), np.float32))
