"""Bidirectional and TimeDistributed: gradient checks, parity with Keras from the same
weights in float64, weight order; a masked Embedding → Bidirectional(LSTM) → Dense model
trained like Keras."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import gradcheck, layers, regularizers
from layer_checks import F64_TOL, GRAD_TOL, keras64, scaled_error, tfk  # noqa: F401

SHAPE = (3, 5, 4)
BIDI = [("LSTM", {}, "concat"), ("LSTM", {"return_sequences": True}, "sum"), ("GRU", {}, "mul"),
        ("SimpleRNN", {"return_sequences": True}, "ave"), ("GRU", {"return_sequences": True}, "concat")]


def _id(case) -> str:
    return "-".join(str(c) for c in case).replace(" ", "").replace("'", "")


def _bidi(lib, case, **extra):
    name, kw, mode = case
    layer = lib.layers.Bidirectional(getattr(lib.layers, name)(3, **kw, **extra), merge_mode=mode)
    layer.build((None, *SHAPE[1:]))
    return layer


def _randomize(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.standard_normal(w.shape) * 0.5 for w in layer.get_weights()])


@pytest.mark.parametrize("case", BIDI, ids=_id)
def test_bidirectional_gradients(float64, case):
    layer = _bidi(minidl, case, kernel_regularizer=regularizers.L2(0.1))
    _randomize(layer)
    errors = gradcheck.check_layer(layer, np.random.default_rng(0).standard_normal(SHAPE))
    assert set(errors) == {"x", *layer.params} and len(layer.params) >= 4
    assert max(errors.values()) < GRAD_TOL, errors


def _compare_with_keras(tf, ours, theirs, x, mask=None):
    y, cache = ours.forward(x, mask=mask) if mask is not None else ours.forward(x)
    outs = y if isinstance(y, list) else [y]
    rng = np.random.default_rng(5)
    ws = [rng.standard_normal(o.shape) for o in outs]
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        ky = theirs(xt) if mask is None else theirs(xt, mask=tf.constant(mask))
        kys = ky if isinstance(ky, (list, tuple)) else [ky]
        loss = sum(tf.reduce_sum(o * w) for o, w in zip(kys, ws))
    kgrads = tape.gradient(loss, [xt, *theirs.trainable_weights])
    for a, b in zip(outs, kys):
        assert scaled_error(a, np.asarray(b)) < F64_TOL
    dx, grads = ours.backward(cache, ws if isinstance(y, list) else ws[0])
    assert scaled_error(dx, np.asarray(kgrads[0])) < F64_TOL
    assert len(grads) == len(kgrads) - 1
    for key, g in zip(ours.params, kgrads[1:]):
        assert scaled_error(grads[key], np.asarray(g)) < F64_TOL, key


MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)


@pytest.mark.keras
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("case", BIDI + [("LSTM", {"return_state": True}, "concat"),
                                         ("GRU", {"return_sequences": True}, None)], ids=_id)
def test_bidirectional_matches_keras(keras64, case, masked):
    keras, tf = keras64
    ours, theirs = _bidi(minidl, case), _bidi(keras, case)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    _randomize(ours)
    theirs.set_weights(ours.get_weights())
    x = np.random.default_rng(2).standard_normal(SHAPE)
    _compare_with_keras(tf, ours, theirs, x, MASK if masked else None)


def test_bidirectional_shapes_and_weight_order():
    bidi = layers.Bidirectional(layers.LSTM(4, return_sequences=True, name="enc"))
    assert bidi(layers.Input((7, 3))).shape == (None, 7, 8)
    assert list(bidi.params) == [f"{d}_enc/{k}" for d in ("forward", "backward")
                                 for k in ("kernel", "recurrent_kernel", "bias")]
    assert bidi.backward_layer.go_backwards and not bidi.forward_layer.go_backwards
    outs = layers.Bidirectional(layers.GRU(2, return_state=True), merge_mode=None)(layers.Input((7, 3)))
    assert [o.shape for o in outs] == [(None, 2)] * 4
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


TD = [("Dense", (2,), {"activation": "tanh"}, (3, 5, 4)), ("Dense", (3,), {}, (2, 4, 3, 5))]


@pytest.mark.parametrize("case", TD, ids=_id)
def test_time_distributed_gradients(float64, case):
    name, args, kw, shape = case
    layer = layers.TimeDistributed(getattr(layers, name)(*args, **kw))
    errors = gradcheck.check_layer(layer, np.random.default_rng(0).standard_normal(shape))
    assert set(errors) == {"x", "kernel", "bias"} and max(errors.values()) < GRAD_TOL, errors


@pytest.mark.keras
@pytest.mark.parametrize("case", TD, ids=_id)
def test_time_distributed_matches_keras(keras64, case):
    keras, tf = keras64
    name, args, kw, shape = case
    ours = layers.TimeDistributed(getattr(layers, name)(*args, **kw))
    theirs = keras.layers.TimeDistributed(getattr(keras.layers, name)(*args, **kw))
    ours.build((None, *shape[1:]))
    theirs.build((None, *shape[1:]))
    assert ours.compute_output_shape((None, *shape[1:])) == tuple(theirs.compute_output_shape((None, *shape[1:])))
    _randomize(ours)
    theirs.set_weights(ours.get_weights())
    _compare_with_keras(tf, ours, theirs, np.random.default_rng(2).standard_normal(shape))


def imdb_model(lib):
    """keras.io's bidirectional_lstm_imdb, small: padded ids → masked Embedding → 2 × Bidirectional(LSTM)."""
    inp = lib.Input((6,))
    h = lib.layers.Embedding(12, 4, mask_zero=True)(inp)
    h = lib.layers.Bidirectional(lib.layers.LSTM(3, return_sequences=True))(h)
    h = lib.layers.Bidirectional(lib.layers.LSTM(3))(h)
    return lib.Model(inp, lib.layers.Dense(1, activation="sigmoid")(h))


@pytest.mark.keras
def test_masked_bidirectional_lstm_model_trains_like_keras(keras64):
    keras, _ = keras64
    rng = np.random.default_rng(0)
    x = rng.integers(1, 12, (8, 6)).astype(np.float64)
    for i, n in enumerate([0, 1, 2, 3, 0, 2, 4, 5]):  # left and right padding with id 0
        x[i, 6 - n:] = 0 if i % 2 else x[i, 6 - n:]
        x[i, :n] = 0 if not i % 2 else x[i, :n]
    y = rng.integers(0, 2, (8, 1)).astype(np.float64)
    mm, km = imdb_model(minidl), imdb_model(keras)
    assert [w.shape for w in mm.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
    km.set_weights(mm.get_weights())
    mm.compile(minidl.optimizers.SGD(0.125), "binary_crossentropy", metrics=["accuracy"])
    km.compile(keras.optimizers.SGD(0.125), "binary_crossentropy", metrics=["accuracy"])
    np.testing.assert_allclose(mm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-10)
    hm = mm.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0).history
    hk = km.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0).history
    for a, b in zip(mm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(hm["loss"], hk["loss"], rtol=1e-9)
