"""The ±1 accuracy (NumPy and keras.ops alike), the divergence measures and the Markdown table."""
from __future__ import annotations

import numpy as np
import pytest

from compare import divergence
from compare.data import one_hot, standardize, xor_arrays
from compare.metrics import keras_pm1_accuracy, pm1_accuracy

Y_TRUE = np.array([[1.0], [1.0], [-1.0], [-1.0], [1.0], [-1.0]])
Y_PRED = np.array([[0.9], [0.6], [-0.71], [0.8], [-0.9], [-0.7]])
EXPECTED = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 0.0])  # |y| > 0.7 with the right sign; 0.7 itself is not


def test_pm1_accuracy_numpy():
    np.testing.assert_array_equal(pm1_accuracy(Y_TRUE, Y_PRED), EXPECTED)


@pytest.mark.keras
def test_pm1_accuracy_keras_ops_matches_numpy():
    keras = pytest.importorskip("keras")
    got = keras.ops.convert_to_numpy(keras_pm1_accuracy(keras.ops.convert_to_tensor(Y_TRUE, "float32"),
                                                        keras.ops.convert_to_tensor(Y_PRED, "float32")))
    np.testing.assert_array_equal(got, EXPECTED)


def test_xor_data():
    x, y = xor_arrays("pm1")
    np.testing.assert_array_equal(y[:, 0], x[:, 0] * x[:, 1])
    x01, y01 = xor_arrays("01")
    np.testing.assert_array_equal(x01, (x + 1) / 2)
    np.testing.assert_array_equal(y01, (y + 1) / 2)
    with pytest.raises(ValueError, match="preprocessing='x'"):
        xor_arrays("x")


def test_standardize_uses_training_statistics():
    rng = np.random.default_rng(0)
    a, b = rng.normal(3, 2, (50, 2, 2)), rng.normal(3, 2, (20, 2, 2))
    sa, sb = standardize(a, b)
    np.testing.assert_allclose(sa.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(sa.std(axis=0), 1, rtol=1e-12)
    flat = a.reshape(50, -1)
    np.testing.assert_allclose(sb, (b.reshape(20, -1) - flat.mean(0)) / flat.std(0))
    np.testing.assert_array_equal(one_hot(np.array([[2], [0]]), 3), [[0, 0, 1], [1, 0, 0]])


def test_weight_difference():
    a = [np.array([[1.0, -2.0]]), np.zeros(2)]
    b = [np.array([[1.0, -2.001]]), np.array([0.0, 1e-9])]
    rel, ab = divergence.weight_difference(a, b)
    # first array 0.001 / 2; the zero bias array: 1e-9 / tiny scale dominates -> reported as such
    assert ab == pytest.approx(0.001)
    assert rel > 1e200
    rel, _ = divergence.weight_difference(a[:1], b[:1])
    assert rel == pytest.approx(0.0005)
    assert divergence.weight_difference(a, a) == (0.0, 0.0)
    with pytest.raises(ValueError, match="length"):
        divergence.weight_difference(a, b[:1])


def test_rows_summary_markdown():
    rows = [divergence.epoch_row(e, {"loss": 1.0, "accuracy": 0.5}, {"loss": 1.0 + 1e-9 * e, "accuracy": 0.5},
                                 1e-12 * e, 1e-12, (0.1, 0.2)) for e in (1, 2)]
    s = divergence.summarize(rows)
    assert s["max_loss_rel_diff"] == pytest.approx(2e-9)
    assert s["loss_rel_diff_epoch_1"] == pytest.approx(1e-9)
    assert s["max_weights_rel_diff"] == pytest.approx(2e-12)
    md = divergence.markdown(rows, "# t")
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == 4 and len({line.count("|") for line in table}) == 1  # columns line up
    assert divergence.relative(0.0, 1.0) == float("inf") and divergence.relative(2.0, 2.0) == 0.0
