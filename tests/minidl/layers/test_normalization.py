"""BatchNormalization: gradient checks, parity with Keras (outputs, gradients,
moving statistics), weights and errors."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import config, gradcheck, regularizers
from minidl.layers import BatchNormalization, Input
from layer_checks import (F32_TOL, F64_TOL, GRAD_TOL, keras_gradients,  # noqa: F401
                          scaled_error, tfk)

# (input shape, axis, center, scale)
CASES = [
    ((4, 3), -1, True, True),
    ((2, 3, 4, 3), -1, True, True),
    ((1, 3, 5, 2), -1, True, True),          # batch of 1: statistics over h·w
    ((3, 4, 5), 1, True, True),              # features on a middle axis
    ((5, 2, 3), 2, True, True),
    ((4, 3), -1, False, True),
    ((4, 3), -1, True, False),
    ((2, 3, 3, 2), -1, False, False),
]


def _id(case) -> str:
    return "-".join(str(v) for v in case).replace(" ", "")


def _bn(case, **kwargs):
    """A built layer with random gamma/beta and moving statistics, and an input
    whose features have different means and scales."""
    shape, axis, center, scale = case
    layer = BatchNormalization(axis=axis, center=center, scale=scale, **kwargs)
    layer._maybe_build((None, *shape[1:]))
    rng = np.random.default_rng(0)
    c = shape[axis]
    weights = []
    if scale:
        weights.append(rng.uniform(0.5, 2.0, c))
    if center:
        weights.append(rng.standard_normal(c))
    weights += [rng.standard_normal(c), rng.uniform(0.5, 2.0, c)]
    layer.set_weights([w.astype(config.floatx()) for w in weights])
    feature_shape = [1] * len(shape)
    feature_shape[axis] = c
    x = rng.standard_normal(shape) * rng.uniform(0.5, 3, feature_shape) + rng.standard_normal(feature_shape)
    return layer, x


@pytest.mark.parametrize("training", [True, False], ids=["batch-stats", "moving-stats"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_gradients(float64, case, training):
    layer, x = _bn(case)
    errors = gradcheck.check_layer(layer, x, training=training)
    assert set(errors) == {"x", *(["gamma"] if case[3] else []), *(["beta"] if case[2] else [])}
    assert max(errors.values()) < GRAD_TOL, errors


def test_gradients_with_penalties(float64):
    layer, x = _bn(((4, 5, 3), -1, True, True), gamma_regularizer=regularizers.L2(0.3),
                   beta_regularizer=regularizers.L1(0.1))
    errors = gradcheck.check_layer(layer, x, training=True)
    assert max(errors.values()) < GRAD_TOL, errors


def test_training_normalizes_with_biased_batch_statistics():
    layer, x = _bn(((6, 4, 3), -1, False, False))
    y, _ = layer.forward(x.astype(np.float32), training=True)
    rows = y.reshape(-1, 3)
    np.testing.assert_allclose(rows.mean(axis=0), 0, atol=1e-6)
    var = x.reshape(-1, 3).var(axis=0)  # NumPy's var is the biased one
    np.testing.assert_allclose(rows.var(axis=0), var / (var + 1e-3), rtol=1e-5)


def test_weights_order_and_counts():
    layer = BatchNormalization()
    assert Input((5, 5, 8)).shape and layer(Input((5, 5, 8))).shape == (None, 5, 5, 8)
    assert list(layer.params) == ["gamma", "beta"]
    assert list(layer.state) == ["moving_mean", "moving_variance"]
    assert [w.shape for w in layer.get_weights()] == [(8,)] * 4
    np.testing.assert_array_equal(layer.get_weights()[0], 1)
    np.testing.assert_array_equal(layer.get_weights()[3], 1)
    assert layer.count_params() == 32 and layer.trainable_count == 16
    assert BatchNormalization(center=False)(Input((4,))).layer.count_params() == 12


def test_a_frozen_layer_uses_moving_statistics_in_training():
    layer, x = _bn(((4, 3), -1, True, True))
    x = x.astype(np.float32)
    before = layer.get_weights()
    inference, _ = layer.forward(x, training=False)
    layer.trainable = False
    np.testing.assert_array_equal(layer.forward(x, training=True)[0], inference)
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ---- parity with Keras ------------------------------------------------------

def _keras_bn(keras, layer, x_shape, dtype="float32", **kwargs):
    ref = keras.layers.BatchNormalization(axis=layer.axis, center=layer.center, scale=layer.scale,
                                          momentum=layer.momentum, epsilon=layer.epsilon,
                                          dtype=dtype, **kwargs)
    ref.build(x_shape)
    ref.set_weights(layer.get_weights())
    return ref


@pytest.mark.keras
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_forward_matches_keras(tfk, case, training):
    keras, _ = tfk
    layer, x = _bn(case)
    x = x.astype(np.float32)
    ref = _keras_bn(keras, layer, x.shape)
    assert scaled_error(layer.forward(x, training=training)[0], np.asarray(ref(x, training=training))) < F32_TOL


@pytest.mark.keras
@pytest.mark.parametrize("momentum", [0.99, 0.5])
@pytest.mark.parametrize("case", [CASES[1], CASES[3]], ids=_id)
def test_moving_statistics_match_keras(tfk, case, momentum):
    keras, _ = tfk
    layer, x = _bn(case, momentum=momentum)
    ref = _keras_bn(keras, layer, x.shape)
    rng = np.random.default_rng(1)
    for step in range(4):
        batch = (x * (step + 1) + rng.standard_normal(x.shape)).astype(np.float32)
        layer.forward(batch, training=True)
        ref(batch, training=True)
    for mine, theirs in zip(layer.get_weights(), ref.get_weights()):
        assert scaled_error(mine, theirs) < F32_TOL
    # and inference then uses them
    x32 = x.astype(np.float32)
    assert scaled_error(layer.forward(x32)[0], np.asarray(ref(x32, training=False))) < F32_TOL


@pytest.mark.keras
@pytest.mark.parametrize("case", [CASES[1], CASES[2], CASES[3]], ids=_id)
def test_training_backward_matches_keras(tfk, float64, case):
    keras, tf = tfk
    layer, x = _bn(case)
    ref = _keras_bn(keras, layer, x.shape, dtype="float64")
    w = np.random.default_rng(2).standard_normal(x.shape)
    y_ref, (dx_ref, dgamma_ref, dbeta_ref) = keras_gradients(tf, ref, x, w, training=True)
    y, cache = layer.forward(x, training=True)
    dx, grads = layer.backward(cache, w)
    assert scaled_error(y, y_ref) < F64_TOL
    assert scaled_error(dx, dx_ref) < F64_TOL
    assert scaled_error(grads["gamma"], dgamma_ref) < F64_TOL
    assert scaled_error(grads["beta"], dbeta_ref) < F64_TOL


# ---- errors -------------------------------------------------------------------

def test_bad_axis_rank_and_features():
    with pytest.raises(ValueError, match=r"'bn1' \(BatchNormalization\) with axis=3.*\(None, 4, 5\)"):
        BatchNormalization(axis=3, name="bn1")(Input((4, 5)))
    with pytest.raises(ValueError, match=r"'bn2' \(BatchNormalization\) with axis=0"):
        BatchNormalization(axis=0, name="bn2")(Input((4, 5)))
    layer = BatchNormalization(name="bn3")
    layer._maybe_build((None, 6))
    with pytest.raises(ValueError, match=r"'bn3' \(BatchNormalization\) was built for 6 features.*\(None, 5\)"):
        layer.forward(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"'bn3' \(BatchNormalization\).*rank >= 2"):
        layer.forward(np.zeros(6, np.float32))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(axis=1.0), TypeError, "BatchNormalization: axis"),
    (dict(momentum=1.5), ValueError, "BatchNormalization: momentum"),
    (dict(epsilon=0), ValueError, "BatchNormalization: epsilon"),
    (dict(epsilon=-1e-3), ValueError, "BatchNormalization: epsilon"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        BatchNormalization(**kwargs)
