"""Helpers shared by the layer tests: the Keras/TF fixture, the error measure
and Keras's gradients through ``tf.GradientTape``.

Importing TensorFlow costs seconds, so it happens once, in a module-scoped
fixture, and only for the tests marked ``keras``.
"""
from __future__ import annotations

import numpy as np
import pytest

GRAD_TOL = 1e-6        # central differences, float64
F32_TOL = 1e-5         # forward parity with Keras, float32
F64_TOL = 1e-10        # gradient parity with Keras, float64


@pytest.fixture(scope="module")
def tfk():
    """(keras, tensorflow), or skip when they are not installed."""
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the gradient parity tests use tf.GradientTape")
    return keras, tf


@pytest.fixture
def keras64(tfk, float64):
    """(keras, tf) with both libraries in float64 (Keras's dtype policy too) for one test."""
    keras, _ = tfk
    previous = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    yield tfk
    keras.config.set_floatx(previous[0])
    keras.config.set_dtype_policy(previous[1])


def scaled_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """max |actual − expected| / max |expected|: relative to the array's scale,
    so outputs that cancel to ~0 are not judged by their own tiny size."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    return float(np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-300))


def keras_gradients(tf, layer, x: np.ndarray, w: np.ndarray, training: bool = False):
    """Keras's output and d(Σ y·w)/d[x, *trainable_weights] as NumPy arrays."""
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=training)
        loss = tf.reduce_sum(y * tf.constant(w, dtype=y.dtype))
    grads = tape.gradient(loss, [xt, *layer.trainable_weights])
    return np.asarray(y), [np.asarray(g) for g in grads]


def distinct_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values at least 0.1 apart, so no max-pool window has a tie (or a near one
    that a 1e-6 finite-difference step could flip)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.1
