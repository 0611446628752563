import numpy as np
import pytest

from minidl import activations, gradcheck, layers

NAMES = ["linear", "sigmoid", "tanh", "relu", "softmax"]


def _away_from_kinks(rng, shape):
    x = rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return x


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(1, 3), (4, 5), (2, 3, 4)])
def test_gradient(float64, name, shape):
    x = _away_from_kinks(np.random.default_rng(0), shape)
    errors = gradcheck.check_layer(layers.Activation(name), x)
    assert errors["x"] < 1e-6, errors


@pytest.mark.parametrize("name", NAMES)
def test_get_by_name_and_instance(name):
    act = activations.get(name)
    assert act.name == name
    assert activations.get(act) is act


def test_none_is_linear():
    assert activations.get(None) is activations.linear


def test_reference_values():
    x = np.array([[-3.0, 0.0, 2.0]])
    np.testing.assert_allclose(activations.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(activations.tanh(x), np.tanh(x))
    np.testing.assert_array_equal(activations.relu(x), [[0.0, 0.0, 2.0]])
    e = np.exp(x)
    np.testing.assert_allclose(activations.softmax(x), e / e.sum(), rtol=1e-15)


def test_sigmoid_and_softmax_do_not_overflow():
    x = np.array([[-1000.0, 0.0, 1000.0]])
    with np.errstate(over="raise"):
        s = activations.sigmoid(x)
        p = activations.softmax(x)
    np.testing.assert_allclose(s, [[0.0, 0.5, 1.0]])
    np.testing.assert_allclose(p, [[0.0, 0.0, 1.0]])


def test_float32_stays_float32():
    x = np.ones((2, 3), np.float32)
    for name in NAMES:
        assert activations.get(name)(x).dtype == np.float32, name


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown activation 'swish'.*relu"):
        activations.get("swish")


def test_plain_callable_without_derivative_is_refused():
    with pytest.raises(TypeError, match="without a derivative"):
        activations.get(lambda x: x)
