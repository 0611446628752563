"""MaxPooling2D and MaxPooling1D: gradient checks, parity with Keras, shapes and errors."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import gradcheck
from minidl.layers import Input, MaxPooling1D, MaxPooling2D
from layer_checks import (F32_TOL, F64_TOL, GRAD_TOL, distinct_values,  # noqa: F401
                          keras_gradients, scaled_error, tfk)

# (batch, h, w, channels, pool_size, strides, padding)
POOL2D_CASES = [
    (1, 4, 4, 1, 2, None, "valid"),
    (2, 7, 5, 3, 2, None, "valid"),          # odd sizes: the last row/column dropped
    (2, 7, 5, 3, 2, None, "same"),           # odd sizes: padded at the end
    (2, 7, 5, 2, 3, 2, "same"),              # overlapping windows
    (2, 7, 5, 2, 3, 2, "valid"),
    (1, 6, 7, 2, (2, 3), (1, 2), "same"),
    (2, 5, 5, 2, 3, 1, "same"),
    (1, 5, 6, 1, 2, 3, "valid"),             # stride > pool: cells no window sees
]
# (batch, steps, channels, pool_size, strides, padding)
POOL1D_CASES = [
    (1, 4, 1, 2, None, "valid"),
    (2, 9, 3, 2, None, "valid"),
    (2, 9, 3, 2, None, "same"),
    (2, 8, 2, 3, 2, "same"),
    (2, 8, 2, 3, 2, "valid"),
    (1, 7, 2, 2, 3, "valid"),
    (3, 5, 2, 4, 1, "same"),
]


def _id(case) -> str:
    return "-".join(str(v) for v in case)


def _pool2d(case):
    n, h, w, c, pool, strides, padding = case
    layer = MaxPooling2D(pool, strides=strides, padding=padding)
    return layer, distinct_values(np.random.default_rng(0), (n, h, w, c))


def _pool1d(case):
    n, steps, c, pool, strides, padding = case
    layer = MaxPooling1D(pool, strides=strides, padding=padding)
    return layer, distinct_values(np.random.default_rng(0), (n, steps, c))


@pytest.mark.parametrize("case", POOL2D_CASES, ids=_id)
def test_maxpool2d_gradients(float64, case):
    layer, x = _pool2d(case)
    errors = gradcheck.check_layer(layer, x)
    assert errors["x"] < GRAD_TOL, errors


@pytest.mark.parametrize("case", POOL1D_CASES, ids=_id)
def test_maxpool1d_gradients(float64, case):
    layer, x = _pool1d(case)
    errors = gradcheck.check_layer(layer, x)
    assert errors["x"] < GRAD_TOL, errors


def test_backward_routes_to_the_argmax_and_sums_overlaps():
    x = np.array([[0, 5, 1], [2, 3, 4], [9, 1, 0]], np.float32)[None, :, :, None]
    layer = MaxPooling2D(2, strides=1)
    y, cache = layer.forward(x)
    np.testing.assert_array_equal(y[0, :, :, 0], [[5, 5], [9, 4]])
    dx, grads = layer.backward(cache, np.array([[1, 10], [100, 1000]], np.float32)[None, :, :, None])
    assert grads == {}
    # the 5 wins two windows, so it collects both gradients
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0, 11, 0], [0, 0, 1000], [100, 0, 0]])


@pytest.mark.parametrize("case", POOL2D_CASES, ids=_id)
def test_maxpool2d_output_shape(case):
    n, h, w, c, pool, strides, padding = case
    layer, x = _pool2d(case)
    ph, pw = (pool, pool) if isinstance(pool, int) else pool
    sh, sw = (ph, pw) if strides is None else ((strides, strides) if isinstance(strides, int) else strides)
    expected = ((-(-h // sh), -(-w // sw)) if padding == "same"
                else ((h - ph) // sh + 1, (w - pw) // sw + 1))
    assert layer.compute_output_shape((None, h, w, c)) == (None, *expected, c)
    assert layer.forward(x)[0].shape == (n, *expected, c)
    assert layer.count_params() == 0


# ---- parity with Keras ------------------------------------------------------

@pytest.mark.keras
@pytest.mark.parametrize("case", POOL2D_CASES, ids=_id)
def test_maxpool2d_forward_matches_keras(tfk, case):
    keras, _ = tfk
    layer, x = _pool2d(case)
    x = (x + np.random.default_rng(1).standard_normal(x.shape) * 0.01).astype(np.float32)
    _, _, _, _, pool, strides, padding = case
    ref = keras.layers.MaxPooling2D(pool, strides=strides, padding=padding)
    assert scaled_error(layer.forward(x)[0], np.asarray(ref(x))) < F32_TOL


@pytest.mark.keras
@pytest.mark.parametrize("case", POOL1D_CASES, ids=_id)
def test_maxpool1d_forward_matches_keras(tfk, case):
    keras, _ = tfk
    layer, x = _pool1d(case)
    x = x.astype(np.float32)
    _, _, _, pool, strides, padding = case
    ref = keras.layers.MaxPooling1D(pool, strides=strides, padding=padding)
    assert scaled_error(layer.forward(x)[0], np.asarray(ref(x))) < F32_TOL


@pytest.mark.keras
@pytest.mark.parametrize("case", [(2, 7, 5, 2, 3, 2, "same"), (2, 7, 5, 3, 2, None, "valid")], ids=_id)
def test_maxpool2d_backward_matches_keras(tfk, float64, case):
    keras, tf = tfk
    layer, x = _pool2d(case)
    _, _, _, _, pool, strides, padding = case
    ref = keras.layers.MaxPooling2D(pool, strides=strides, padding=padding, dtype="float64")
    w = np.random.default_rng(2).standard_normal(layer.compute_output_shape(x.shape))
    y_ref, (dx_ref,) = keras_gradients(tf, ref, x, w)
    y, cache = layer.forward(x, training=True)
    assert scaled_error(y, y_ref) < F64_TOL
    assert scaled_error(layer.backward(cache, w)[0], dx_ref) < F64_TOL


@pytest.mark.keras
def test_maxpool1d_backward_matches_keras(tfk, float64):
    keras, tf = tfk
    layer, x = _pool1d((2, 8, 2, 3, 2, "same"))
    ref = keras.layers.MaxPooling1D(3, strides=2, padding="same", dtype="float64")
    w = np.random.default_rng(2).standard_normal(layer.compute_output_shape(x.shape))
    y_ref, (dx_ref,) = keras_gradients(tf, ref, x, w)
    y, cache = layer.forward(x, training=True)
    assert scaled_error(y, y_ref) < F64_TOL
    assert scaled_error(layer.backward(cache, w)[0], dx_ref) < F64_TOL


# ---- errors -------------------------------------------------------------------

@pytest.mark.parametrize("make, kwargs, match", [
    (MaxPooling2D, dict(pool_size=0), "MaxPooling2D: pool_size"),
    (MaxPooling2D, dict(pool_size=(2, -1)), "MaxPooling2D: pool_size"),
    (MaxPooling2D, dict(pool_size=2, strides=0), "MaxPooling2D: strides"),
    (MaxPooling2D, dict(padding="causal"), "MaxPooling2D: padding"),
    (MaxPooling1D, dict(pool_size=-3), "MaxPooling1D: pool_size"),
    (MaxPooling1D, dict(pool_size=(2, 2)), "MaxPooling1D: pool_size"),
])
def test_bad_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


def test_pool_larger_than_input_and_wrong_rank():
    with pytest.raises(ValueError, match=r"'p1' \(MaxPooling2D\).*pool_size \(3, 3\).*\(None, 2, 5, 1\)"):
        MaxPooling2D(3, name="p1")(Input((2, 5, 1)))
    with pytest.raises(ValueError, match=r"'p2' \(MaxPooling1D\).*\(None, 1, 4\)"):
        MaxPooling1D(name="p2")(Input((1, 4)))
    with pytest.raises(ValueError, match=r"'p3' \(MaxPooling2D\).*rank 4.*\(None, 6, 4\)"):
        MaxPooling2D(name="p3")(Input((6, 4)))
    with pytest.raises(ValueError, match=r"'p4' \(MaxPooling1D\).*rank 3"):
        MaxPooling1D(name="p4").forward(np.zeros((2, 6, 6, 1)))
    assert MaxPooling2D(3, padding="same")(Input((2, 5, 1))).shape == (None, 1, 2, 1)
