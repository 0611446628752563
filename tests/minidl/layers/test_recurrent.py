"""SimpleRNN, LSTM, GRU: gradient checks (BPTT), forward and gradients against Keras
from the same weights in float64, weight shapes/order, masking, configs."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import config, gradcheck, layers, regularizers
from layer_checks import F64_TOL, GRAD_TOL, keras64, keras_gradients, scaled_error, tfk  # noqa: F401

# (class name, constructor kwargs)
CASES = [
    ("SimpleRNN", {}),
    ("SimpleRNN", {"return_sequences": True, "activation": "relu"}),
    ("LSTM", {}),
    ("LSTM", {"return_sequences": True, "go_backwards": True}),
    ("LSTM", {"use_bias": False, "unit_forget_bias": False}),
    ("GRU", {}),
    ("GRU", {"reset_after": False, "return_sequences": True}),
    ("GRU", {"go_backwards": True, "use_bias": False}),
    ("GRU", {"reset_after": False, "go_backwards": True}),
]
STATE_CASES = [("SimpleRNN", {}), ("LSTM", {}), ("LSTM", {"return_sequences": True}), ("GRU", {"go_backwards": True})]
SHAPE = (3, 5, 4)
UNITS = 3


def _id(case) -> str:
    name, kw = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


def _pair(case, shape=SHAPE, keras=None):
    """The minidl layer (random weights, float64) and, with ``keras``, Keras's from the same weights."""
    name, kw = case
    layer = getattr(layers, name)(UNITS, **kw)
    layer._maybe_build((None, *shape[1:]))
    rng = np.random.default_rng(1)
    layer.set_weights([rng.standard_normal(w.shape) * 0.5 for w in layer.get_weights()])
    if keras is None:
        return layer, None
    k = getattr(keras.layers, name)(UNITS, **kw)
    k.build((None, *shape[1:]))
    k.set_weights(layer.get_weights())
    return layer, k


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_gradients(float64, case):
    name, kw = case
    regs = {"kernel_regularizer": regularizers.L2(0.1), "recurrent_regularizer": regularizers.L1(0.01)}
    layer, _ = _pair((name, {**kw, **regs}))
    x = np.random.default_rng(0).standard_normal(SHAPE)
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", *layer.params}
    assert max(errors.values()) < GRAD_TOL, errors


def _states_objective(layer, x, mask, ws):
    def f() -> float:
        outs, _ = layer.forward(x, mask=mask)
        return float(sum(np.sum(o * w) for o, w in zip(outs, ws)))
    return f


@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("case", STATE_CASES, ids=_id)
def test_gradients_return_state_and_mask(float64, case, masked):
    name, kw = case
    layer, _ = _pair((name, {**kw, "return_state": True}))
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool) if masked else None
    outs, cache = layer.forward(x, mask=mask)
    assert len(outs) == 1 + layer.n_states
    ws = [rng.standard_normal(o.shape) for o in outs]
    dx, grads = layer.backward(cache, ws)
    f = _states_objective(layer, x, mask, ws)
    assert gradcheck.check_array(f, x, dx) < GRAD_TOL
    for key, p in layer.params.items():
        assert gradcheck.check_array(f, p, grads[key]) < GRAD_TOL, key


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_weights_shapes_and_order_as_keras(tfk, case):
    keras, _ = tfk
    name, kw = case
    layer = getattr(layers, name)(UNITS, **kw)
    layer._maybe_build((None, *SHAPE[1:]))
    k = getattr(keras.layers, name)(UNITS, **kw)
    k.build((None, *SHAPE[1:]))
    assert [w.shape for w in layer.get_weights()] == [tuple(w.shape) for w in k.get_weights()]
    assert list(layer.params) == [w.name for w in k.weights]


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES + [(n, {**kw, "return_state": True}) for n, kw in STATE_CASES], ids=_id)
def test_forward_and_gradients_match_keras(keras64, case):
    keras, tf = keras64
    layer, k = _pair(case, keras=keras)
    rng = np.random.default_rng(2)
    x = rng.standard_normal(SHAPE)
    y, cache = layer.forward(x)
    outs = y if isinstance(y, list) else [y]
    ws = [rng.standard_normal(o.shape) for o in outs]
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        ky = k(xt)
        kys = ky if isinstance(ky, (list, tuple)) else [ky]
        loss = sum(tf.reduce_sum(o * w) for o, w in zip(kys, ws))
    kgrads = tape.gradient(loss, [xt, *k.trainable_weights])
    for a, b in zip(outs, kys):
        assert scaled_error(a, np.asarray(b)) < F64_TOL
    dx, grads = layer.backward(cache, ws if isinstance(y, list) else ws[0])
    assert scaled_error(dx, np.asarray(kgrads[0])) < F64_TOL
    for key, g in zip(layer.params, kgrads[1:]):
        assert scaled_error(grads[key], np.asarray(g)) < F64_TOL, key


@pytest.mark.keras
@pytest.mark.parametrize("zero_output", [False, True])
@pytest.mark.parametrize("case", [("LSTM", {"return_sequences": True}), ("GRU", {"go_backwards": True}),
                                  ("SimpleRNN", {"return_sequences": True, "go_backwards": True})], ids=_id)
def test_masked_forward_and_gradients_match_keras(keras64, case, zero_output):
    keras, tf = keras64
    name, kw = case
    case = (name, {**kw, "zero_output_for_mask": zero_output})
    layer, k = _pair(case, keras=keras)
    rng = np.random.default_rng(3)
    x = rng.standard_normal(SHAPE)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    y, cache = layer.forward(x, mask=mask)
    w = rng.standard_normal(y.shape)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        ky = k(xt, mask=tf.constant(mask))
        loss = tf.reduce_sum(ky * w)
    kgrads = tape.gradient(loss, [xt, *k.trainable_weights])
    assert scaled_error(y, np.asarray(ky)) < F64_TOL
    dx, grads = layer.backward(cache, w)
    assert scaled_error(dx, np.asarray(kgrads[0])) < F64_TOL
    for key, g in zip(layer.params, kgrads[1:]):
        assert scaled_error(grads[key], np.asarray(g)) < F64_TOL, key


def test_masked_step_repeats_output_and_keeps_state(float64):
    layer, _ = _pair(("LSTM", {"return_sequences": True, "return_state": True}))
    x = np.random.default_rng(0).standard_normal((1, 4, 4))
    (y, h, c), _ = layer.forward(x, mask=np.array([[1, 0, 0, 1]], bool))
    np.testing.assert_array_equal(y[:, 1], y[:, 0])
    np.testing.assert_array_equal(y[:, 2], y[:, 0])
    (y3, h3, c3), _ = layer.forward(x[:, [0, 3]])
    np.testing.assert_allclose(y[:, 3], y3[:, 1], rtol=1e-14)
    np.testing.assert_allclose(c, c3, rtol=1e-14)


def test_unit_forget_bias_and_output_shapes():
    layer = layers.LSTM(4, return_state=True)
    outs = layer(layers.Input((7, 3)))
    assert [o.shape for o in outs] == [(None, 4), (None, 4), (None, 4)]
    np.testing.assert_array_equal(layer.params["bias"], np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    assert layers.GRU(2, return_sequences=True)(layers.Input((7, 3))).shape == (None, 7, 2)
    assert layers.GRU(2).params == {} and layers.GRU(2, reset_after=False).get_config()["reset_after"] is False


def test_rank_error_names_the_layer():
    layer = layers.SimpleRNN(2, name="rnn_x")
    with pytest.raises(ValueError, match="rnn_x.*SimpleRNN.*timesteps"):
        layer(layers.Input((3,)))
    assert not layer.built


@pytest.mark.keras
@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_config_keys_as_keras(tfk, name):
    keras, _ = tfk
    ours = set(getattr(layers, name)(2).get_config())
    theirs = set(getattr(keras.layers, name)(2).get_config())
    missing = theirs - ours - {"dropout", "recurrent_dropout", "seed", "stateful", "unroll", "use_cudnn",
                               "kernel_constraint", "recurrent_constraint", "bias_constraint",
                               "activity_regularizer"}
    assert not missing, missing
