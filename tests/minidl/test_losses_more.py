"""The losses added for issue 10 against Keras 3 (float64): values with sample weights,
gradients by central differences and against TensorFlow's, Keras names, reductions,
and a Loss subclass with only ``call`` training like Keras's."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minidl
from minidl import gradcheck, losses
from tests.minidl.models.test_graph_vs_keras import _assert_same, _fit_both, float64_both


def _cases():
    rng = np.random.default_rng(3)
    n, k = 5, 4
    normal = lambda *s: rng.normal(size=s)  # noqa: E731
    pos = lambda *s: rng.uniform(0.05, 3.0, s)  # noqa: E731
    probs = lambda *s: (lambda u: u / u.sum(-1, keepdims=True))(rng.uniform(0.2, 1, s))  # noqa: E731
    onehot = np.eye(k)[rng.integers(0, k, n)]
    yield "hinge-binary", "Hinge", {}, rng.integers(0, 2, (n, k)).astype(float), normal(n, k)
    yield "hinge-pm1", "Hinge", {}, rng.choice([-1.0, 1.0], (n, k)), normal(n, k)
    yield "squared_hinge", "SquaredHinge", {}, rng.integers(0, 2, (n, k)).astype(float), normal(n, k)
    yield "categorical_hinge", "CategoricalHinge", {}, onehot, normal(n, k)
    yield "huber", "Huber", {}, normal(n, k), 2 * normal(n, k)
    yield "huber-delta", "Huber", {"delta": 0.4}, normal(n, k), normal(n, k)
    yield "kld", "KLDivergence", {}, probs(n, k), probs(n, k)
    yield "cosine", "CosineSimilarity", {}, normal(n, k), normal(n, k)
    yield "cosine-axis1", "CosineSimilarity", {"axis": 1}, normal(n, 3, k), normal(n, 3, k)
    yield "log_cosh", "LogCosh", {}, normal(n, k), 3 * normal(n, k)
    yield "poisson", "Poisson", {}, pos(n, k), pos(n, k)
    yield "mape", "MeanAbsolutePercentageError", {}, normal(n, k), normal(n, k)
    yield "msle", "MeanSquaredLogarithmicError", {}, pos(n, k), pos(n, k)
    yield "mse-3d", "MeanSquaredError", {}, normal(n, 2, k), normal(n, 2, k)
    yield "hinge-rank1", "Hinge", {}, rng.integers(0, 2, n).astype(float), normal(n, 1)


CASES = list(_cases())
IDS = [c[0] for c in CASES]


def _sample_weight(loss, y_true, y_pred):
    """One weight per per-sample value (Keras broadcasts no further than a trailing axis of 1)."""
    return np.random.default_rng(9).uniform(0.1, 2.0, loss.per_sample(y_true, y_pred).shape)


def _keras_value_and_grad(cls_name, kwargs, y_true, y_pred, sample_weight, reduction):
    with float64_both():
        loss = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
        p = tf.constant(y_pred)
        with tf.GradientTape() as tape:
            tape.watch(p)
            value = loss(tf.constant(y_true), p, sample_weight=sample_weight)
        return float(value), tape.gradient(value, p).numpy()


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
@pytest.mark.parametrize("name,cls_name,kwargs,y_true,y_pred", CASES, ids=IDS)
def test_value_and_gradient_equal_keras(name, cls_name, kwargs, y_true, y_pred, reduction):
    loss = getattr(losses, cls_name)(reduction=reduction, **kwargs)
    for sw in (None, _sample_weight(loss, y_true, y_pred)):
        value, grad = loss.value_and_grad(y_true, y_pred, sw)
        k_value, k_grad = _keras_value_and_grad(cls_name, kwargs, y_true, y_pred, sw, reduction)
        assert value == pytest.approx(k_value, rel=1e-12, abs=1e-15)
        assert loss(y_true, y_pred, sw) == pytest.approx(k_value, rel=1e-12, abs=1e-15)
        np.testing.assert_allclose(grad, k_grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name,cls_name,kwargs,y_true,y_pred", CASES, ids=IDS)
def test_gradient_by_central_differences(name, cls_name, kwargs, y_true, y_pred):
    assert gradcheck.check_loss(getattr(losses, cls_name)(**kwargs), y_true, y_pred) < 1e-7


@pytest.mark.parametrize("fn_name,kwargs", [
    ("mean_squared_error", {}), ("mean_absolute_error", {}), ("mean_absolute_percentage_error", {}),
    ("mean_squared_logarithmic_error", {}), ("huber", {"delta": 0.5}), ("log_cosh", {}),
    ("kl_divergence", {}), ("poisson", {}), ("hinge", {}), ("squared_hinge", {}), ("categorical_hinge", {}),
    ("cosine_similarity", {"axis": -1}), ("categorical_crossentropy", {"from_logits": True}),
    ("binary_crossentropy", {})])
def test_plain_functions_equal_keras(fn_name, kwargs):
    rng = np.random.default_rng(4)
    y_true, y_pred = rng.uniform(0.05, 0.95, (6, 3)), rng.uniform(0.05, 0.95, (6, 3))
    ours = getattr(losses, fn_name)(y_true, y_pred, **kwargs)
    with float64_both():
        theirs = np.asarray(getattr(keras.losses, fn_name)(y_true, y_pred, **kwargs))
    assert ours.shape == (6,)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("name,cls", [
    ("hinge", losses.Hinge), ("squared_hinge", losses.SquaredHinge), ("categorical_hinge", losses.CategoricalHinge),
    ("huber", losses.Huber), ("Huber", losses.Huber), ("kl_divergence", losses.KLDivergence),
    ("kld", losses.KLDivergence), ("KLDivergence", losses.KLDivergence), ("log_cosh", losses.LogCosh),
    ("logcosh", losses.LogCosh), ("poisson", losses.Poisson), ("mape", losses.MeanAbsolutePercentageError),
    ("mean_absolute_percentage_error", losses.MeanAbsolutePercentageError),
    ("msle", losses.MeanSquaredLogarithmicError), ("cosine_similarity", losses.CosineSimilarity),
    ("CosineSimilarity", losses.CosineSimilarity), ("MeanSquaredError", losses.MeanSquaredError)])
def test_keras_names(name, cls):
    assert type(losses.get(name)) is cls


def test_plain_function_resolves_to_its_class():
    assert type(losses.get(losses.huber)) is losses.Huber
    assert type(losses.get(losses.mean_squared_error)) is losses.MeanSquaredError


def test_default_names_are_keras_names():
    for cls_name in ["Hinge", "SquaredHinge", "CategoricalHinge", "Huber", "KLDivergence", "CosineSimilarity",
                     "LogCosh", "Poisson", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                     "MeanSquaredError", "CategoricalCrossentropy"]:
        assert getattr(losses, cls_name)().name == getattr(keras.losses, cls_name)().name, cls_name


@pytest.mark.parametrize("reduction", ["none", None, "mean_with_sample_weight", "average"])
def test_unsupported_reduction_is_refused(reduction):
    with pytest.raises(ValueError, match=r"huber_loss: reduction must be one of \['sum_over_batch_size', 'mean', 'sum'\]"):
        losses.Huber(reduction=reduction)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"Huber: delta must be a finite number >= 0, got -1"):
        losses.Huber(delta=-1)
    with pytest.raises(ValueError, match=r"CategoricalCrossentropy: label_smoothing=0.1 is not supported"):
        losses.CategoricalCrossentropy(label_smoothing=0.1)
    with pytest.raises(TypeError, match=r"CosineSimilarity: axis must be an int"):
        losses.CosineSimilarity(axis=1.5)


def _my_loss_class(lib):
    class ScaledLogCosh(lib.losses.Loss):
        """A user's loss: only ``call``, written with the library's ops."""

        def call(self, y_true, y_pred):
            d = y_pred - y_true
            return lib.ops.mean(lib.ops.log(lib.ops.exp(d) + lib.ops.exp(-d)) + 0.1 * lib.ops.square(d), axis=-1)
    return ScaledLogCosh


def test_loss_subclass_with_only_call_matches_keras_value_and_gradient():
    rng = np.random.default_rng(2)
    y_true, y_pred, sw = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.uniform(0.5, 2, 5)
    for reduction in ("sum_over_batch_size", "sum"):
        ours = _my_loss_class(minidl)(reduction=reduction)
        value, grad = ours.value_and_grad(y_true, y_pred, sw)
        with float64_both():
            theirs = _my_loss_class(keras)(reduction=reduction)
            p = tf.constant(y_pred)
            with tf.GradientTape() as tape:
                tape.watch(p)
                k_value = theirs(tf.constant(y_true), p, sample_weight=sw)
            k_grad = tape.gradient(k_value, p).numpy()
        assert ours.name == "scaled_log_cosh" and theirs.name.startswith("scaled_log_cosh")
        assert value == pytest.approx(float(k_value), rel=1e-12)
        np.testing.assert_allclose(grad, k_grad, rtol=1e-12, atol=1e-15)
        assert gradcheck.check_loss(ours, y_true, y_pred) < 1e-7


def test_loss_subclass_with_only_call_trains_like_keras():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 2))

    def build(lib):
        inputs = lib.Input((4,))
        hidden = lib.layers.Dense(5, activation="tanh")(inputs)
        return lib.Model(inputs, lib.layers.Dense(2)(hidden))

    mm, km, hm, hk = _fit_both(build, x, y, lambda lib: _my_loss_class(lib)())
    _assert_same(mm, km, hm, hk)


@pytest.mark.parametrize("loss", ["huber", "log_cosh", "hinge", "kl_divergence"])
def test_compile_by_name_trains_like_keras(loss):
    rng = np.random.default_rng(12)
    x = rng.normal(size=(12, 4))
    y = rng.dirichlet(np.ones(3), 12) if loss == "kl_divergence" else rng.integers(0, 2, (12, 3)).astype(float)

    def build(lib):
        inputs = lib.Input((4,))
        return lib.Model(inputs, lib.layers.Dense(3, activation="softmax" if loss == "kl_divergence" else None)(inputs))

    _assert_same(*_fit_both(build, x, y, loss))
