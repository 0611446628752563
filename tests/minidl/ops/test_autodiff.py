"""The tape (record / backprop / value_and_grad), the Tensor operators and the registry."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import config, ops
from minidl.ops import autodiff, registry, tape


class Affine:
    """A user layer's ``call``: weights read from self, Python operators, ops."""

    def __init__(self, rng):
        self.kernel = rng.standard_normal((4, 3))
        self.bias = rng.standard_normal(3)
        self.unused = rng.standard_normal(2)

    def call(self, x):
        z = x @ self.kernel + self.bias
        return ops.tanh(z) * 2 - 1


def test_user_function_gradients_equal_hand_derived():
    rng = np.random.default_rng(0)
    layer = Affine(rng)
    x = rng.standard_normal((5, 4))
    weights = {"kernel": layer.kernel, "bias": layer.bias, "unused": layer.unused}
    y, t = autodiff.record(layer.call, x, weights)
    z = x @ layer.kernel + layer.bias
    np.testing.assert_allclose(y, np.tanh(z) * 2 - 1)
    assert isinstance(y, np.ndarray)
    dy = rng.standard_normal(y.shape)
    dx, grads = autodiff.backprop(t, dy)
    dz = dy * 2 * (1 - np.tanh(z) ** 2)
    np.testing.assert_allclose(dx, dz @ layer.kernel.T)
    np.testing.assert_allclose(grads["kernel"], x.T @ dz)
    np.testing.assert_allclose(grads["bias"], dz.sum(axis=0))
    np.testing.assert_array_equal(grads["unused"], np.zeros(2))
    dx_none, grads2 = autodiff.backprop(t, dy, need_dx=False)  # a tape replays
    assert dx_none is None
    np.testing.assert_allclose(grads2["kernel"], grads["kernel"])


def test_operators_and_ndarray_on_the_left_defer_to_the_tensor():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3,))

    def fn(x):
        a = w * x          # ndarray * Tensor -> Tensor.__rmul__
        b = 1.0 / (x ** 2 + 1)
        c = -a[0:2].sum() + (x.T).mean()
        return [a - b, c * x.reshape(3, 1)]

    x = rng.standard_normal(3)
    (o1, o2), t = autodiff.record(fn, x, {"w": w})
    dy1, dy2 = np.ones(3), np.ones((3, 3))
    dx, grads = autodiff.backprop(t, [dy1, dy2])
    # d/dx of sum(w·x - 1/(x²+1)) + sum over (c·x_i) broadcast 3 times
    c = -(w * x)[:2].sum() + x.mean()
    dc_dx = np.array([-w[0], -w[1], 0]) + 1 / 3
    want = w + 2 * x / (x ** 2 + 1) ** 2 + 3 * c + 3 * x.sum() * dc_dx
    np.testing.assert_allclose(dx, want)
    np.testing.assert_allclose(grads["w"], x + 3 * x.sum() * np.array([-x[0], -x[1], 0]))


def test_multiple_inputs_unused_input_and_integer_results():
    def fn(xs):
        a, b, _ = xs
        k = ops.argmax(a, axis=-1)     # integer: no gradient, plain array
        mask = a > 0                    # boolean: plain array
        assert isinstance(k, np.ndarray) and isinstance(mask, np.ndarray)
        return ops.where(mask, a, b)

    a, b, c = np.array([1.0, -1.0]), np.array([5.0, 6.0]), np.array([7.0])
    y, t = autodiff.record(fn, [a, b, c], {})
    dx, grads = autodiff.backprop(t, np.array([2.0, 3.0]))
    np.testing.assert_array_equal(dx[0], [2, 0])
    np.testing.assert_array_equal(dx[1], [0, 3])
    np.testing.assert_array_equal(dx[2], [0])
    assert grads == {}


def test_value_and_grad_of_a_plain_loss_function():
    def mse(y_true, y_pred):
        return ops.mean(ops.square(y_pred - y_true), axis=-1)

    rng = np.random.default_rng(2)
    t, p = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    value, grad = ops.value_and_grad(mse, t, p, argnum=1)
    np.testing.assert_allclose(value, ((p - t) ** 2).mean(axis=-1))
    np.testing.assert_allclose(grad, 2 * (p - t) / 3)
    value, (gt, gp) = ops.value_and_grad(mse, t, p, argnum=(0, 1), dvalue=np.full(4, 0.25))
    np.testing.assert_allclose(gp, 2 * (p - t) / 3 / 4)
    np.testing.assert_allclose(gt, -gp)


def test_no_tape_means_plain_numpy_and_no_recording():
    assert tape._active is None
    x = np.ones(3)
    assert type(ops.add(x, x)) is np.ndarray
    with pytest.raises(TypeError, match="cannot become a NumPy array"):
        autodiff.record(lambda t: np.asarray(t), x, {})
    assert tape._active is None  # restored after the error


def test_fused_ops_refuse_to_be_recorded():
    with pytest.raises(TypeError, match="not differentiable"):
        autodiff.record(lambda t: ops.bias_grad(t), np.ones((300, 2)), {})


def test_backend_selection(monkeypatch):
    x = np.ones((2, 12, 12, 1), np.float32)  # 288 elements: at least registry.SMALL
    k = np.ones((3, 3, 1, 2), np.float32)
    monkeypatch.setattr(config, "_BACKEND", "numba")
    assert registry.select("conv", (x, k)) == "numba"
    assert registry.select("conv", (x[:, :5, :5], k)) == "numpy"          # every array small
    assert registry.select("conv", (x, k.astype(np.float64))) == "numpy"   # mixed dtypes
    assert registry.select("conv", (x.astype(np.float16), k.astype(np.float16))) == "numpy"
    assert registry.select("add", (x, x)) == "numpy"                       # no kernel
    config.set_backend("numpy")
    assert registry.select("conv", (x, k)) == "numpy"
    np.testing.assert_array_equal(ops.conv(x, k), ops.conv.reference(x, k))


def test_a_new_backend_is_selected_by_its_array_type(monkeypatch):
    class FakeArray(np.ndarray):
        pass

    monkeypatch.setattr(registry, "_OWNERS", list(registry._OWNERS))
    monkeypatch.setattr(registry, "_TABLE", {n: dict(v) for n, v in registry._TABLE.items()})
    registry.add_backend("fake", owns=lambda a: isinstance(a, FakeArray))
    registry.register("matmul", "fake")(lambda a, b: "fake matmul")
    a = np.ones((2, 2)).view(FakeArray)
    assert ops.matmul(a, a) == "fake matmul"
    with pytest.raises(TypeError, match="no 'fake' implementation"):
        ops.conv(a, np.ones((1, 1, 2, 1)))
