"""Every exercise builds the same network in both libraries, with the report's parameter counts."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
import minidl  # noqa: E402

from compare.exercises import NAMES, get  # noqa: E402
from compare.exercises import datasets as ds  # noqa: E402


@pytest.mark.parametrize("name", NAMES)
def test_both_libraries_build_the_same_weights(name):
    ex = get(name)
    for variant in ex.default_variants(quick=False):
        m, k = ex.build(minidl, variant), ex.build(keras, variant)
        assert m.count_params() == k.count_params(), variant
        assert [w.shape for w in m.get_weights()] == [tuple(w.shape) for w in k.get_weights()], variant
        k.set_weights(m.get_weights())  # the lockstep runner's first step


@pytest.mark.parametrize("name, variant, total, non_trainable", [
    ("ej03", "final", 1_003_561, 200), ("ej04", "sgd", 599_277, 0), ("ej08", "dense", 79_510, 0),
    ("ej08", "conv", 6_000, 0), ("ej10", "vgg_cifar100", 6_151_892, 0),
    ("ej10", "alexnet_cifar100", 4_334_824, 1_536)])
def test_report_parameter_tables(name, variant, total, non_trainable):
    for lib in (minidl, keras):
        model = get(name).build(lib, variant)
        assert model.count_params() == total
    k = get(name).build(keras, variant)
    assert sum(int(np.prod(w.shape)) for w in k.non_trainable_weights) == non_trainable


def test_names_and_variants():
    assert get("8") is get("ej08") is get("EJ8")
    with pytest.raises(KeyError, match="unknown exercise 'ej11'"):
        get("ej11")
    with pytest.raises(ValueError, match="unknown variant 'resnet'"):
        get("ej10").check_variant("resnet")
    p7 = get("p7")
    assert "n7_h9" in p7.variants and "n0_h1" not in p7.variants
    d = p7.data("n3_h2", False, None)
    assert d.x_train.shape == (8, 3) and set(np.ravel(d.y_train)) == {-1.0, 1.0}
    assert p7.build(minidl, "n6_h10").count_params() == 6 * 10 + 10 + 11


def test_augmentation_is_numpy_and_seeded():
    from compare.exercises.ej10 import augment
    x = np.random.default_rng(0).random((5, 32, 32, 3))
    a = augment(x, np.random.default_rng(1))
    b = augment(x, np.random.default_rng(1))
    assert a.shape == x.shape and np.array_equal(a, b) and not np.array_equal(a, x)
    assert set(np.unique(a)) <= set(np.unique(x))  # nearest pixel: no new values


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 3, 6])
def test_pad_sequences_matches_keras(padding, truncating, maxlen):
    seqs = [[1, 2, 3, 4, 5], [6, 7], [], [8, 9, 10]]
    ours = ds.pad_sequences(seqs, maxlen=maxlen, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(ours, keras.utils.pad_sequences(seqs, maxlen=maxlen, padding=padding,
                                                                  truncating=truncating))


def test_count_vectors_and_labels():
    cv = ds.count_vectors([[1, 1, 3], []], 5)
    np.testing.assert_array_equal(cv, [[0, 2, 0, 1, 0], [0, 0, 0, 0, 0]])
    with pytest.raises(ValueError, match="outside"):
        ds.count_vectors([[7]], 5)
    assert ds.label({"name": "cifar10", "lossy": True}) == "lossy CIFAR-10"
    assert ds.label({"name": "mnist", "source": "synthetic"}).startswith("SYNTHETIC")
    assert "quick run" in ds.label({"name": "mnist"}, quick=True)
