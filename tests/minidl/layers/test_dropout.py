"""Dropout: inverted dropout statistics, seeding, the frozen mask, parity with Keras, errors."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from minidl import gradcheck
from minidl.layers import Dropout
from layer_checks import GRAD_TOL, tfk  # noqa: F401

RATES = [0.1, 0.2, 0.25, 0.5, 0.75, 0.8]


def _drop_statistics(y: np.ndarray, rate: float) -> None:
    """On an all-ones input: a rate-sized share of zeros (within 5 standard
    deviations of the binomial) and 1/(1-rate) everywhere else."""
    zeros = np.mean(y == 0)
    sigma = np.sqrt(rate * (1 - rate) / y.size)
    assert abs(zeros - rate) < 5 * sigma, (zeros, rate)
    np.testing.assert_allclose(y[y != 0], 1 / (1 - rate), rtol=1e-6)


@pytest.mark.parametrize("rate", RATES)
def test_training_drops_rate_and_scales_survivors(rate):
    layer = Dropout(rate, seed=3)
    y, _ = layer.forward(np.ones((200, 500), np.float32), training=True)
    assert y.dtype == np.float32
    _drop_statistics(y, rate)


@pytest.mark.parametrize("rate", [0.0, *RATES])
def test_inference_is_identity(rate):
    x = np.random.default_rng(0).standard_normal((4, 5, 3)).astype(np.float32)
    layer = Dropout(rate)
    y, cache = layer.forward(x, training=False)
    np.testing.assert_array_equal(y, x)
    dy = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    dx, grads = layer.backward(cache, dy)
    np.testing.assert_array_equal(dx, dy)
    assert grads == {}
    np.testing.assert_array_equal(layer(x), x)


def test_rate_zero_is_identity_in_training():
    x = np.random.default_rng(0).standard_normal((6, 7)).astype(np.float32)
    layer = Dropout(0.0)
    y, cache = layer.forward(x, training=True)
    np.testing.assert_array_equal(y, x)
    dx, grads = layer.backward(cache, x)
    np.testing.assert_array_equal(dx, x)
    assert grads == {}


def test_same_seed_same_masks_and_a_new_mask_each_call():
    x = np.ones((50, 40), np.float32)
    a, b, c = Dropout(0.5, seed=7), Dropout(0.5, seed=7), Dropout(0.5, seed=8)
    first_a, first_b = a.forward(x, training=True)[0], b.forward(x, training=True)[0]
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(first_a, c.forward(x, training=True)[0])
    second_a = a.forward(x, training=True)[0]
    assert not np.array_equal(first_a, second_a)
    np.testing.assert_array_equal(second_a, b.forward(x, training=True)[0])


def test_backward_uses_the_forward_mask():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 20)).astype(np.float32) + 5  # never 0, so y == 0 marks a drop
    layer = Dropout(0.3, seed=1)
    y, cache = layer.forward(x, training=True)
    # a later forward draws a new mask; backward must still use its own forward's (the cache's)
    assert not np.array_equal(layer.forward(x, training=True)[0] == 0, y == 0)
    dy = rng.standard_normal(x.shape).astype(np.float32)
    dx, grads = layer.backward(cache, dy)
    assert grads == {}
    np.testing.assert_array_equal(dx == 0, y == 0)
    np.testing.assert_allclose(dx[y != 0], dy[y != 0] / 0.7, rtol=1e-6)


def test_frozen_mask_is_reused_until_the_shape_changes():
    layer = Dropout(0.5, seed=2)
    layer.freeze_mask = True
    x = np.ones((20, 30))
    first = layer.forward(x, training=True)[0]
    np.testing.assert_array_equal(layer.forward(x, training=True)[0], first)
    np.testing.assert_array_equal(layer.forward(x, training=False)[0], x)
    np.testing.assert_array_equal(layer.forward(x, training=True)[0], first)
    assert layer.forward(np.ones((20, 31)), training=True)[0].shape == (20, 31)


@pytest.mark.parametrize("shape", [(1, 5), (3, 4, 5), (2, 3, 3, 2)])
@pytest.mark.parametrize("rate", [0.25, 0.6])
def test_gradients_with_a_frozen_mask(float64, shape, rate):
    layer = Dropout(rate, seed=5)
    layer.freeze_mask = True
    x = np.random.default_rng(0).standard_normal(shape)
    assert gradcheck.check_layer(layer, x, training=True)["x"] < GRAD_TOL
    assert gradcheck.check_layer(layer, x, training=False)["x"] < GRAD_TOL


@pytest.mark.keras
@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5])
def test_keras_has_the_same_contract(tfk, rate):
    """The masks cannot match bit for bit (different generators); what must match
    is identity in inference and the drop share and scale in training."""
    keras, _ = tfk
    x = np.ones((200, 500), np.float32)
    np.testing.assert_array_equal(np.asarray(keras.layers.Dropout(rate)(x, training=False)),
                                  Dropout(rate).forward(x, training=False)[0])
    ref_y = np.asarray(keras.layers.Dropout(rate, seed=3)(x, training=True))
    y, _ = Dropout(rate, seed=3).forward(x, training=True)
    if rate == 0:
        np.testing.assert_array_equal(y, ref_y)
    else:
        _drop_statistics(ref_y, rate)
        _drop_statistics(y, rate)


@pytest.mark.parametrize("rate, error", [(-0.1, ValueError), (1.0, ValueError), (1.5, ValueError),
                                         ("0.5", TypeError), (None, TypeError), (True, TypeError)])
def test_bad_rate(rate, error):
    with pytest.raises(error, match="Dropout: rate"):
        Dropout(rate)


@pytest.mark.parametrize("rate, bits", [(0.5, 1), (0.25, 8), (0.3, 32), (1 - 2.0 ** -16, 16)])
def test_the_mask_is_the_generators_raw_words_low_bits_first(rate, bits):
    """Unit i keeps when bits [b·i, b·(i+1)) of the raw 64-bit stream, as an integer, are at
    least ceil(rate·2**b); checked one unit at a time with Python integers."""
    layer = Dropout(rate, seed=11)
    stream = copy.deepcopy(layer._rng).bit_generator.random_raw(-(-37 * bits // 64))
    y, words = layer.forward(np.ones((37,), np.float32), training=True)
    np.testing.assert_array_equal(words, stream)
    threshold = -(-int(rate * 2 ** bits * 2 ** 20) // 2 ** 20)  # ceil, exact in integers here
    value = sum(int(w) << (64 * j) for j, w in enumerate(stream))
    kept = [(value >> (bits * i)) & ((1 << bits) - 1) >= threshold for i in range(37)]
    np.testing.assert_array_equal(y != 0, kept)


def test_integer_input_in_training_is_refused_and_draws_nothing():
    """Keras refuses an integer input in training (its dropout needs floats); minidl says so by
    name, and the refused call draws no mask (the next mask is the one it would have been)."""
    layer, twin = Dropout(0.2, seed=4), Dropout(0.2, seed=4)
    with pytest.raises(TypeError, match=r"'dropout.*' \(Dropout\) expects a float input in training, got dtype int"):
        layer.forward(np.ones((3, 5), np.int64), training=True)
    np.testing.assert_array_equal(layer.forward(np.ones((3, 5), np.float32), training=True)[0],
                                  twin.forward(np.ones((3, 5), np.float32), training=True)[0])
    ids = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(layer.forward(ids, training=False)[0], ids)  # inference passes them, as Keras
