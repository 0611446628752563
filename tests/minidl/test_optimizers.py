"""Optimizer updates against the update rules written out by hand."""
import numpy as np
import pytest

from minidl import optimizers


def _steps(opt, grads, w0):
    w = w0.copy()
    for g in grads:
        opt.apply([("w", w, g)])
    return w


GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.7]), np.array([-0.4, 0.2, 0.9])]
W0 = np.array([1.0, -2.0, 0.5])


def test_plain_sgd():
    expected = W0 - 0.1 * sum(GRADS)
    np.testing.assert_allclose(_steps(optimizers.SGD(0.1), GRADS, W0), expected, rtol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_keras_form(nesterov):
    lr, mu = 0.1, 0.9
    w, m = W0.copy(), np.zeros(3)
    for g in GRADS:
        m = mu * m - lr * g
        w = w + (mu * m - lr * g if nesterov else m)
    np.testing.assert_allclose(_steps(optimizers.SGD(lr, momentum=mu, nesterov=nesterov), GRADS, W0), w,
                               rtol=1e-14)


def test_adam_bias_correction_and_epsilon_outside_sqrt():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w, m, v = W0.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - alpha * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(_steps(optimizers.Adam(lr), GRADS, W0), w, rtol=1e-13)


def test_rmsprop():
    lr, rho, eps = 0.01, 0.9, 1e-7
    w, v = W0.copy(), np.zeros(3)
    for g in GRADS:
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / np.sqrt(v + eps)
    np.testing.assert_allclose(_steps(optimizers.RMSprop(lr), GRADS, W0), w, rtol=1e-13)


def test_updates_stay_in_the_weight_dtype():
    w = W0.astype(np.float32)
    for opt in (optimizers.SGD(0.1, momentum=0.9), optimizers.Adam(), optimizers.RMSprop()):
        opt.apply([("w", w, GRADS[0].astype(np.float32))])
        assert w.dtype == np.float32


def test_keras_defaults():
    assert optimizers.SGD().learning_rate == 0.01
    adam = optimizers.get("adam")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="SGD: learning_rate must be a positive number"):
        optimizers.SGD(lr)
