"""Loss values against independent NumPy formulas, and gradients by central differences."""
import numpy as np
import pytest

from minidl import gradcheck, losses


def _probs(rng, n, k):
    p = rng.uniform(0.05, 1.0, (n, k))
    return p / p.sum(axis=1, keepdims=True)


def _onehot(rng, n, k):
    return np.eye(k)[rng.integers(0, k, n)]


def _cases():
    rng = np.random.default_rng(0)
    n, k = 6, 4
    yield "mse", losses.MeanSquaredError(), rng.normal(size=(n, k)), rng.normal(size=(n, k))
    yield "mae", losses.MeanAbsoluteError(), rng.normal(size=(n, k)), rng.normal(size=(n, k)) + 3.0
    yield "cce", losses.CategoricalCrossentropy(), _onehot(rng, n, k), _probs(rng, n, k)
    yield "cce-unnormalized", losses.CategoricalCrossentropy(), _onehot(rng, n, k), rng.uniform(0.1, 2, (n, k))
    yield "cce-soft-targets", losses.CategoricalCrossentropy(), _probs(rng, n, k), _probs(rng, n, k)
    yield "cce-logits", losses.CategoricalCrossentropy(from_logits=True), _onehot(rng, n, k), rng.normal(size=(n, k))
    yield "scce", losses.SparseCategoricalCrossentropy(), rng.integers(0, k, n), _probs(rng, n, k)
    yield "scce-logits", losses.SparseCategoricalCrossentropy(from_logits=True), rng.integers(0, k, (n, 1)), \
        rng.normal(size=(n, k))
    yield "bce", losses.BinaryCrossentropy(), rng.integers(0, 2, (n, 1)).astype(float), rng.uniform(0.05, 0.95, (n, 1))
    yield "bce-multi", losses.BinaryCrossentropy(), rng.integers(0, 2, (n, 3)).astype(float), rng.uniform(0.05, 0.95, (n, 3))
    yield "bce-logits", losses.BinaryCrossentropy(from_logits=True), rng.integers(0, 2, (n, 1)).astype(float), \
        rng.normal(size=(n, 1)) * 3


CASES = list(_cases())


@pytest.mark.parametrize("name,loss,y_true,y_pred", CASES, ids=[c[0] for c in CASES])
def test_gradient(name, loss, y_true, y_pred):
    assert gradcheck.check_loss(loss, y_true, y_pred) < 1e-6


def _reference(name, y_true, y_pred):
    """Independent formulas, written from the Keras documentation."""
    eps = 1e-7
    if name == "mse":
        return np.mean(np.mean((y_true - y_pred) ** 2, axis=-1))
    if name == "mae":
        return np.mean(np.mean(np.abs(y_true - y_pred), axis=-1))
    if name.startswith("cce") and "logits" not in name:
        p = np.clip(y_pred / y_pred.sum(-1, keepdims=True), eps, 1 - eps)
        return np.mean(-np.sum(y_true * np.log(p), axis=-1))
    if name == "cce-logits":
        logp = y_pred - np.log(np.sum(np.exp(y_pred), -1, keepdims=True))
        return np.mean(-np.sum(y_true * logp, axis=-1))
    if name.startswith("scce"):
        labels = np.ravel(y_true)
        if "logits" in name:
            logp = y_pred - np.log(np.sum(np.exp(y_pred), -1, keepdims=True))
        else:
            logp = np.log(np.clip(y_pred, eps, 1 - eps))
        return np.mean(-logp[np.arange(len(labels)), labels])
    if name.startswith("bce") and "logits" not in name:
        p = np.clip(y_pred, eps, 1 - eps)
        return np.mean(np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1))
    if name == "bce-logits":
        p = 1 / (1 + np.exp(-y_pred))
        return np.mean(np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1))
    raise KeyError(name)


@pytest.mark.parametrize("name,loss,y_true,y_pred", CASES, ids=[c[0] for c in CASES])
def test_value_against_reference(name, loss, y_true, y_pred):
    assert loss(y_true, y_pred) == pytest.approx(_reference(name, y_true, y_pred), rel=1e-12)


def test_clipping_gradient_is_zero_where_clipped():
    loss = losses.BinaryCrossentropy()
    y_pred = np.array([[0.0], [0.5], [1.0]])
    g = loss.gradient(np.array([[1.0], [1.0], [0.0]]), y_pred)
    assert g[0, 0] == 0 and g[2, 0] == 0 and g[1, 0] != 0
    assert np.isfinite(loss(np.array([[1.0], [1.0], [0.0]]), y_pred))


def test_rank_difference_of_one_is_resolved_like_keras():
    loss = losses.MeanSquaredError()
    y_pred = np.array([[1.0], [2.0]])
    assert loss(np.array([0.0, 0.0]), y_pred) == pytest.approx(2.5)


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true shape \(4, 2\) does not match y_pred shape \(4, 3\)"):
        losses.MeanSquaredError()(np.zeros((4, 2)), np.zeros((4, 3)))


def test_sparse_labels_out_of_range():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))


def test_string_aliases_and_unknown_name():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("binary_crossentropy"), losses.BinaryCrossentropy)
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge_loss_v2'; valid names: \[.*'mse'"):
        losses.get("hinge_loss_v2")
