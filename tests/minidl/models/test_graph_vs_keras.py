"""The graph and the trainer against Keras, from the same weights on the same batches (float64):
a custom layer with only build/call, a loss written as a plain function, two outputs with
per-output losses and loss_weights, a shared layer, a model nested in another."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from tests.keras_compat.helpers import float64_both

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

LR = 0.125  # exact in float32: Keras rounds Python constants to float32 even in float64


def antirectifier_class(lib):
    """keras.io's antirectifier example, written once for either library."""
    class Antirectifier(lib.layers.Layer):
        def __init__(self, units: int, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(2 * input_shape[-1], self.units), initializer="he_uniform",
                                          name="kernel", trainable=True)

        def call(self, inputs):
            inputs = inputs - lib.ops.mean(inputs, axis=-1, keepdims=True)
            pos = lib.ops.relu(inputs)
            neg = lib.ops.relu(-inputs)
            return lib.ops.matmul(lib.ops.concatenate([pos, neg], axis=-1), self.kernel)

    return Antirectifier


def custom_layer_model(lib):
    inp = lib.Input((5,))
    h = antirectifier_class(lib)(4, name="anti")(inp)
    return lib.Model(inp, lib.layers.Dense(3, activation="softmax", name="out")(h))


def weighted_mse(lib):
    def loss(y_true, y_pred):
        return lib.ops.mean(lib.ops.square(y_pred - y_true) * lib.ops.exp(y_true), axis=-1)
    return loss


def two_output_model(lib):
    inp = lib.Input((4,), name="x")
    h = lib.layers.Dense(6, activation="tanh", name="trunk")(inp)
    a = lib.layers.Dense(2, name="regression")(h)
    b = lib.layers.Dense(3, activation="softmax", name="classes")(h)
    return lib.Model(inp, [a, b])


def shared_layer_model(lib):
    left, right = lib.Input((3,), name="left"), lib.Input((3,), name="right")
    shared = lib.layers.Dense(4, activation="tanh", name="shared")
    merged = lib.layers.Concatenate(name="cat")([shared(left), shared(right)])
    return lib.Model([left, right], lib.layers.Dense(1, name="out")(merged))


def nested_model(lib):
    inner_in = lib.Input((4,), name="inner_in")
    inner = lib.Model(inner_in, lib.layers.Dense(5, activation="sigmoid", name="inner_dense")(inner_in),
                      name="inner")
    inp = lib.Input((4,), name="outer_in")
    h = inner(inp)
    h2 = inner(lib.layers.Dense(4, name="pre")(inp))  # the nested model used twice: shared too
    out = lib.layers.Dense(2, name="head")(lib.layers.Concatenate(name="cat")([h, h2]))
    return lib.Model(inp, out)


def _fit_both(build, x, y, loss, loss_weights=None, epochs=3, batch_size=4):
    with float64_both():
        mm, km = build(minidl), build(keras)
        assert [w.shape for w in mm.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
        km.set_weights(mm.get_weights())
        mm.compile(minidl.optimizers.SGD(LR), loss(minidl) if callable(loss) and not isinstance(loss, str)
                   else loss, loss_weights=loss_weights)
        km.compile(keras.optimizers.SGD(LR), loss(keras) if callable(loss) and not isinstance(loss, str)
                   else loss, loss_weights=loss_weights)
        hm = mm.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
        hk = km.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
        return mm, km, hm.history, hk.history


def _assert_same(mm, km, hm, hk, tol=1e-10):
    for a, b in zip(mm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=tol, atol=tol)
    assert set(hm) == set(hk), (sorted(hm), sorted(hk))
    for key in hk:
        np.testing.assert_allclose(hm[key], hk[key], rtol=tol, atol=tol, err_msg=key)


def _data(rng, n, *shapes):
    return [rng.standard_normal((n, *s)) for s in shapes]


def test_custom_layer_with_only_build_and_call_trains_like_keras():
    rng = np.random.default_rng(0)
    (x,) = _data(rng, 12, (5,))
    y = np.eye(3)[rng.integers(0, 3, 12)]
    _assert_same(*_fit_both(custom_layer_model, x, y, "categorical_crossentropy"))


def test_loss_written_as_a_plain_function_trains_like_keras():
    rng = np.random.default_rng(1)
    x, y = _data(rng, 12, (5,), (3,))
    _assert_same(*_fit_both(lambda lib: lib.Sequential([lib.Input((5,)), lib.layers.Dense(3, activation="tanh")]),
                            x, y, weighted_mse))


def test_two_outputs_with_per_output_losses_and_loss_weights_train_like_keras():
    rng = np.random.default_rng(2)
    x, y_reg = _data(rng, 12, (4,), (2,))
    y_cls = np.eye(3)[rng.integers(0, 3, 12)]
    _assert_same(*_fit_both(two_output_model, x, [y_reg, y_cls], ["mse", "categorical_crossentropy"],
                            loss_weights=[0.5, 2.0]))


def test_shared_layer_sums_its_gradients_like_keras():
    rng = np.random.default_rng(3)
    left, right, y = _data(rng, 12, (3,), (3,), (1,))
    mm, km, hm, hk = _fit_both(shared_layer_model, [left, right], y, "mse")
    assert len(mm.get_weights()) == 4  # the shared Dense counted once
    _assert_same(mm, km, hm, hk)


def test_nested_model_trains_like_keras():
    rng = np.random.default_rng(4)
    x, y = _data(rng, 12, (4,), (2,))
    _assert_same(*_fit_both(nested_model, x, y, "mse"))


def test_custom_layer_gradient_check():
    from minidl import gradcheck
    with float64_both():
        layer = antirectifier_class(minidl)(3)
        x = np.random.default_rng(5).standard_normal((4, 6))
        errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", "kernel"} and max(errors.values()) < 1e-7, errors


def test_predict_of_a_two_output_model_matches_keras():
    rng = np.random.default_rng(6)
    (x,) = _data(rng, 7, (4,))
    with float64_both():
        mm, km = two_output_model(minidl), two_output_model(keras)
        km.set_weights(mm.get_weights())
        for a, b in zip(mm.predict(x, batch_size=3), km.predict(x, batch_size=3, verbose=0)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def add_loss_model(lib):
    """keras.io's "making new layers" guide: a layer that adds a loss from its inputs."""
    class ActivityRegularization(lib.layers.Layer):
        def call(self, inputs):
            self.add_loss(0.125 * lib.ops.mean(lib.ops.square(inputs)))
            return inputs

    inp = lib.Input((4,))
    h = ActivityRegularization(name="act_reg")(lib.layers.Dense(3, activation="tanh", name="hidden")(inp))
    return lib.Model(inp, lib.layers.Dense(2, name="out")(h))


def test_add_loss_in_a_custom_layer_trains_like_keras():
    rng = np.random.default_rng(7)
    x, y = _data(rng, 12, (4,), (2,))
    mm, km, hm, hk = _fit_both(add_loss_model, x, y, "mse")
    _assert_same(mm, km, hm, hk)
    with float64_both():
        plain_mse = float(np.mean(np.square(mm.predict(x, verbose=0) - y)))
        loss = mm.evaluate(x, y, batch_size=12)
        np.testing.assert_allclose(loss, km.evaluate(x, y, batch_size=12, verbose=0), rtol=1e-10)
    assert loss > plain_mse + 1e-3  # the added loss is part of the loss
