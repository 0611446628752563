"""Helpers: atomic writes, results JSON, folds, figures, the report table."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from keras_ref import ej06_pima, ej09_permuted_mnist, figures, report
from keras_ref.common import (RunRecord, atomic_write_json, dataset_label, normalized, pick_epochs,
                              results_path, write_results)
from keras_ref.mnist_nets import permute_pixels


def test_atomic_json_leaves_no_temp_and_nulls_nan(tmp_path):
    path = atomic_write_json(tmp_path / "a" / "r.json", {"x": math.nan, "y": np.float32(1.5)})
    assert json.loads(path.read_text()) == {"x": None, "y": 1.5}
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]


def test_pick_epochs():
    assert pick_epochs(None, False, 100, 2) == 100
    assert pick_epochs(None, True, 100, 2) == 2
    assert pick_epochs(7, True, 100, 2) == 7
    with pytest.raises(ValueError):
        pick_epochs(0, False, 100, 2)


def test_labels_say_synthetic_and_lossy():
    assert "SYNTHETIC" in dataset_label({"name": "cifar100", "source": "synthetic"})
    assert dataset_label({"name": "cifar10", "source": "data-dir", "lossy": True}) == "lossy CIFAR-10"
    assert dataset_label({"name": "mnist", "source": "data-dir", "lossy": False}) == "MNIST"


def test_normalized_divides_by_max():
    np.testing.assert_allclose(normalized([2.0, 4.0, 1.0]), [0.5, 1.0, 0.25])


def test_kfold_sizes_match_sklearn_and_partition():
    folds = ej06_pima.kfold(768, 5, seed=0)
    assert [len(v) for _, v in folds] == [154, 154, 154, 153, 153]
    vals = np.concatenate([v for _, v in folds])
    assert sorted(vals.tolist()) == list(range(768))
    for tr, va in folds:
        assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == 768


def test_replace_zeros_uses_training_fold_mean():
    train = np.array([[0.0, 0.0, 1.0, 5, 0.0, 2.0, 0, 0], [1, 4.0, 3.0, 0, 6.0, 0.0, 0, 0]])
    other = np.array([[9, 0.0, 0.0, 0, 0.0, 0.0, 0, 0]])
    tr, ot = ej06_pima.replace_zeros(train, other)
    assert tr[0, 1] == 4.0 and ot[0, 1] == 4.0 and ot[0, 2] == 2.0 and ot[0, 4] == 6.0
    assert tr[0, 0] == 0.0 and tr[1, 3] == 0.0  # columns not treated as missing stay


def test_permutation_is_fixed_and_invertible():
    p = ej09_permuted_mnist.permutation(3)
    np.testing.assert_array_equal(p, ej09_permuted_mnist.permutation(3))
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    y = permute_pixels(x, p)
    assert not np.allclose(x, y)
    np.testing.assert_array_equal(y.reshape(2, 784)[:, np.argsort(p)], x.reshape(2, 784))


def test_figure_names_carry_the_report_number(tmp_path):
    path = figures.curves(tmp_path, 4, "Some Curve!", "t", {"a": [1.0, 0.5]}, "loss")
    assert path.name == "fig04_some_curve.png" and path.stat().st_size > 1000
    with pytest.raises(ValueError):
        figures.figure_path(tmp_path, 0, "x")


def _record(tmp_path, exercise, key, acc, status=True):
    rec = RunRecord(exercise=exercise, title="t", seed=0, quick=False, setup={},
                    data={"name": "mnist", "source": "data-dir", "lossy": False},
                    params={key: {"total": 6000, "trainable": 6000, "non_trainable": 0}})
    rec.add_history(key, {"accuracy": [0.5, 0.9], "val_accuracy": [0.6, acc],
                          "loss": [1, 0.5], "val_loss": [1, 0.4]}, epochs=3)
    write_results(rec, tmp_path, final=status)
    return rec


def test_report_table_side_by_side(tmp_path):
    _record(tmp_path, "ej08_mnist", "conv", 0.97)
    path, text = report.write_report(tmp_path)
    assert path.name == "REPORT.md" and path.read_text() == text
    row = next(line for line in text.splitlines() if line.startswith("| ej08_mnist | conv"))
    assert "97.00 %" in row and "97.90 %" in row and "2 / 3" in row and "6,000" in row


def test_report_marks_unfinished_runs(tmp_path):
    _record(tmp_path, "ej08_mnist", "dense", 0.9, status=False)
    assert "full (running)" in report.build_report(tmp_path)
    assert results_path(tmp_path, "ej08_mnist", False, 0).is_file()


def test_report_without_results(tmp_path):
    assert "No results files" in report.build_report(tmp_path)
