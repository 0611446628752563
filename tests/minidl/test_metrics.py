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


# ---- stateful metrics against Keras's: three batches, with and without weights -----
def _data(kind, rng, n=16):
    if kind == "binary":
        return rng.integers(0, 2, (n, 1)).astype(np.float32), rng.uniform(size=(n, 1)).astype(np.float32)
    if kind == "multilabel":
        return rng.integers(0, 2, (n, 3)).astype(np.float32), rng.uniform(size=(n, 3)).astype(np.float32)
    if kind == "onehot":
        return np.eye(6, dtype=np.float32)[rng.integers(0, 6, n)], rng.uniform(size=(n, 6)).astype(np.float32)
    if kind == "sparse":
        return rng.integers(0, 6, (n, 1)).astype(np.float32), rng.uniform(size=(n, 6)).astype(np.float32)
    if kind == "exact":
        return rng.integers(0, 3, (n, 2)).astype(np.float32), rng.integers(0, 3, (n, 2)).astype(np.float32)
    return rng.normal(size=(n, 3)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)


METRIC_CASES = [
    ("Accuracy", {}, "exact"), ("BinaryAccuracy", {}, "binary"), ("BinaryAccuracy", {"threshold": 0.3}, "multilabel"),
    ("CategoricalAccuracy", {}, "onehot"), ("SparseCategoricalAccuracy", {}, "sparse"),
    ("TopKCategoricalAccuracy", {"k": 3}, "onehot"),
    ("Precision", {}, "binary"), ("Precision", {"thresholds": [0.2, 0.7]}, "multilabel"),
    ("Precision", {"top_k": 2}, "multilabel"), ("Recall", {"class_id": 1}, "multilabel"),
    ("Recall", {"thresholds": 0.3}, "binary"),
    ("AUC", {}, "binary"), ("AUC", {"curve": "PR"}, "multilabel"), ("AUC", {"num_thresholds": 7}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "majoring", "thresholds": [0.25, 0.5, 0.75]}, "binary"),
    ("AUC", {"from_logits": True, "summation_method": "minoring"}, "regression_binary"),
    ("TruePositives", {}, "binary"), ("TrueNegatives", {"thresholds": [0.1, 0.6]}, "multilabel"),
    ("FalsePositives", {}, "multilabel"), ("FalseNegatives", {}, "binary"),
    ("MeanSquaredError", {}, "regression"), ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"), ("RootMeanSquaredError", {}, "regression"),
]


@pytest.mark.keras
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name,kwargs,kind", METRIC_CASES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(METRIC_CASES)])
def test_stateful_metric_matches_keras(name, kwargs, kind, weighted):
    keras = pytest.importorskip("keras")
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    rng = np.random.default_rng(len(name) + 3 * weighted)
    for batch in range(3):
        if kind == "regression_binary":
            t, p = _data("binary", rng)
            p = rng.normal(size=p.shape).astype(np.float32) * 3
        else:
            t, p = _data(kind, rng)
        w = rng.uniform(0, 2, size=t.shape[0]).astype(np.float32) if weighted else None
        ours.update_state(t, p, sample_weight=w)
        theirs.update_state(t, p, sample_weight=w)
        np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=2e-5, atol=1e-6)
    ours.reset_state()
    theirs.reset_state()
    t, p = _data("binary" if kind == "regression_binary" else kind, rng)
    ours.update_state(t, p)
    theirs.update_state(t, p)
    np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=2e-5, atol=1e-6)


@pytest.mark.keras
def test_mean_matches_keras_with_per_element_weights():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(5)
    ours, theirs = metrics.Mean(), keras.metrics.Mean()
    for _ in range(3):
        v, w = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
        ours.update_state(v, w)
        theirs.update_state(v, w)
        np.testing.assert_allclose(ours.result(), float(theirs.result()), rtol=1e-6)
    v = rng.normal(size=(5,))
    ours.update_state(v)
    theirs.update_state(v)
    np.testing.assert_allclose(ours.result(), float(theirs.result()), rtol=1e-6)


@pytest.mark.parametrize("identifier,cls,name", [
    ("mae", metrics.MeanAbsoluteError, "mae"), ("MSE", metrics.MeanSquaredError, "MSE"),
    ("precision", metrics.Precision, "precision"), ("AUC", metrics.AUC, "AUC"),
    ("recall", metrics.Recall, "recall"), ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy,
                                           "top_k_categorical_accuracy"),
    ("RootMeanSquaredError", metrics.RootMeanSquaredError, "RootMeanSquaredError"),
])
def test_get_resolves_keras_names(identifier, cls, name):
    m = metrics.get(identifier, (4, 1), (4, 1))
    assert type(m) is cls and m.name == name


def test_get_accuracy_classes_and_callables():
    assert type(metrics.get("acc", (8,), (8, 10))) is metrics.SparseCategoricalAccuracy
    assert type(metrics.get("accuracy", (8, 1), (8, 1))) is metrics.BinaryAccuracy
    m = metrics.get(lambda t, p: np.abs(t - p).max(axis=-1), (4, 1), (4, 1))
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "<lambda>"
    p = metrics.Precision(thresholds=[0.3, 0.6])
    assert metrics.get(p, (4, 1), (4, 1)) is p


def test_calling_a_metric_updates_its_state_and_returns_the_result_as_keras():
    keras = pytest.importorskip("keras")
    y_true, y_pred = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[2.0, 2.0], [1.0, -3.0]])
    ours, theirs = metrics.get("mse", (2, 2), (2, 2)), keras.metrics.MeanSquaredError()
    assert ours(y_true, y_pred) == pytest.approx(float(theirs(y_true, y_pred))) == pytest.approx(2.75)
    assert ours(y_true[:1], y_pred[:1]) == pytest.approx(float(theirs(y_true[:1], y_pred[:1])))
    assert ours.result() == pytest.approx(2.0)  # (0.5 + 5.0 + 0.5) / 3


def test_serialize_round_trip():
    m = metrics.AUC(num_thresholds=11, curve="PR")
    back = metrics.deserialize(metrics.serialize(m))
    assert type(back) is metrics.AUC and back.get_config() == m.get_config()


def test_bad_thresholds():
    with pytest.raises(ValueError, match=r"Precision: thresholds must be in \[0, 1\], got \[0.5, 1.5\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
