import numpy as np
import pytest

from minidl import Input, gradcheck, layers, regularizers


def _x(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "softmax"])
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 3), (5, 4), (2, 3, 4)])
def test_dense_gradient(float64, activation, use_bias, shape):
    layer = layers.Dense(3, activation=activation, use_bias=use_bias)
    errors = gradcheck.check_layer(layer, _x(shape))
    assert max(errors.values()) < 1e-6, errors


def test_dense_relu_gradient_away_from_kink(float64):
    layer = layers.Dense(4, activation="relu", bias_initializer="ones")
    errors = gradcheck.check_layer(layer, np.abs(_x((6, 3))) * 0.1)
    assert max(errors.values()) < 1e-6, errors


def test_dense_gradient_with_regularizers(float64):
    layer = layers.Dense(3, activation="tanh", kernel_regularizer=regularizers.L2(0.1),
                         bias_regularizer=regularizers.L1(0.05), bias_initializer="ones",
                         activity_regularizer=regularizers.L2(0.2))
    errors = gradcheck.check_layer(layer, _x((4, 5)))
    assert max(errors.values()) < 1e-6, errors


def test_dense_matches_numpy_reference(float64):
    layer = layers.Dense(3, activation="sigmoid")
    x = _x((4, 5))
    y = layer(x)
    w, b = layer.get_weights()
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-(x @ w + b))), rtol=1e-14)


def test_dense_weight_layout_is_keras():
    layer = layers.Dense(7)
    layer(np.zeros((2, 3)))
    assert [w.shape for w in layer.get_weights()] == [(3, 7), (7,)]
    assert layer.get_weights()[0].dtype == np.float32


def test_concatenate_gradient(float64):
    errors = gradcheck.check_layer(layers.Concatenate(), [_x((3, 2)), _x((3, 4), 1)])
    assert errors["x"] < 1e-6 and errors["x1"] < 1e-6


def test_concatenate_axis(float64):
    a, b = _x((2, 3, 4)), _x((2, 5, 4), 1)
    out = layers.Concatenate(axis=1)([a, b])
    np.testing.assert_array_equal(out, np.concatenate([a, b], axis=1))


def test_flatten_row_major(float64):
    x = _x((2, 3, 4, 5))
    np.testing.assert_array_equal(layers.Flatten()(x), x.reshape(2, 60))
    assert gradcheck.check_layer(layers.Flatten(), x)["x"] < 1e-6


def test_gradcheck_detects_a_wrong_gradient(float64):
    """The checker itself must fail on a wrong backward."""
    class Broken(layers.Dense):
        def backward_linear(self, cache, dz, need_dx=True):
            dx, grads = super().backward_linear(cache, dz, need_dx)
            grads["kernel"] = grads["kernel"] * 1.01
            return dx, grads

    errors = gradcheck.check_layer(Broken(2), _x((3, 4)))
    assert errors["kernel"] > 1e-3
    assert errors["x"] < 1e-6


# ---- bad input -------------------------------------------------------------

def test_dense_wrong_input_width():
    inp = Input((3,))
    dense = layers.Dense(2, name="hidden")
    dense(inp)
    with pytest.raises(ValueError, match=r"'hidden' \(Dense\) was built for inputs with last axis 3, got \(None, 4\)"):
        dense(Input((4,)))
    with pytest.raises(ValueError, match=r"'hidden' \(Dense\) was built for inputs with last axis 3, got \(None, 5\)"):
        dense(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"'hidden' \(Dense\) expects inputs of shape \(batch, \.\.\., 3\), got \(2, 5\)"):
        dense.forward(np.zeros((2, 5)))


def test_concatenate_mismatched_shapes():
    with pytest.raises(ValueError, match=r"Concatenate\) on axis -1 needs inputs that agree on every other axis, "
                                         r"got shapes \(None, 2, 3\), \(None, 4, 3\)"):
        layers.Concatenate()([Input((2, 3)), Input((4, 3))])


@pytest.mark.parametrize("units", [0, -3, 2.5, "4"])
def test_dense_bad_units(units):
    with pytest.raises(ValueError, match="Dense: units must be a positive integer"):
        layers.Dense(units)


def test_set_weights_shape_mismatch():
    layer = layers.Dense(2, name="out")
    layer(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"'out' weight 'kernel' has shape \(3, 2\), got an array of shape \(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
