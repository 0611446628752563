import numpy as np
import pytest

from minidl import metrics


def test_binary_accuracy_uses_strict_threshold():
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.9], [0.5], [0.5], [0.1]])
    np.testing.assert_array_equal(metrics.binary_accuracy(y_true, y_pred), [[1], [1], [0], [1]])
    np.testing.assert_array_equal(metrics.binary_accuracy(y_true, y_pred, threshold=0.4), [[1], [0], [1], [1]])


def test_categorical_and_sparse_accuracy():
    y_pred = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    np.testing.assert_array_equal(metrics.categorical_accuracy(np.array([[0, 1, 0], [0, 0, 1]]), y_pred), [1, 0])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(np.array([1, 0]), y_pred), [1, 1])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(np.array([[2], [0]]), y_pred), [0, 1])


def test_regression_metrics_per_sample():
    t, p = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[2.0, 2.0], [1.0, -3.0]])
    np.testing.assert_allclose(metrics.mean_squared_error(t, p), [0.5, 5.0])
    np.testing.assert_allclose(metrics.mean_absolute_error(t, p), [0.5, 2.0])


@pytest.mark.parametrize("y_true_shape,y_pred_shape,expected", [
    ((8, 1), (8, 1), "binary_accuracy"),
    ((8,), (8, 10), "sparse_categorical_accuracy"),
    ((8, 1), (8, 10), "sparse_categorical_accuracy"),
    ((8, 10), (8, 10), "categorical_accuracy"),
])
def test_accuracy_resolves_like_keras(y_true_shape, y_pred_shape, expected):
    m = metrics.get("accuracy", y_true_shape, y_pred_shape)
    assert m.name == "accuracy"
    assert m.fn.__name__ == expected


def test_names_and_callables_keep_their_keys():
    assert metrics.get("mse", (4, 1), (4, 1)).name == "mse"
    assert metrics.get("mean_absolute_error", (4, 1), (4, 1)).name == "mean_absolute_error"

    def pm1_accuracy(y_true, y_pred):
        return (np.sign(y_pred) == y_true).mean(axis=-1)

    assert metrics.get(pm1_accuracy, (4, 1), (4, 1)).name == "pm1_accuracy"


def test_unknown_metric():
    with pytest.raises(ValueError, match=r"Unknown metric 'f1'"):
        metrics.get("f1", (4, 1), (4, 1))


@pytest.mark.keras
def test_values_match_keras_metric_functions():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    p = rng.uniform(size=(20, 4)).astype(np.float32)
    t = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 20)]
    pairs = [(metrics.categorical_accuracy, keras.metrics.categorical_accuracy),
             (metrics.binary_accuracy, keras.metrics.binary_accuracy),
             (metrics.mean_squared_error, keras.metrics.mean_squared_error),
             (metrics.mean_absolute_error, keras.metrics.mean_absolute_error)]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(t, p), np.asarray(theirs(t, p)), rtol=1e-6)
    labels = rng.integers(0, 4, 20)
    np.testing.assert_allclose(metrics.sparse_categorical_accuracy(labels, p),
                               np.asarray(keras.metrics.sparse_categorical_accuracy(labels, p)))
