import numpy as np
import pytest

from minidl import config, initializers

SHAPES = [(3072, 100), (5, 5, 1, 30), (3, 16), (100,)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_like_keras(shape):
    keras_fans = pytest.importorskip("keras.src.initializers.random_initializers").compute_fans
    assert initializers.compute_fans(shape) == tuple(float(f) for f in keras_fans(shape))


@pytest.mark.parametrize("name,check", [
    ("glorot_uniform", lambda w, fi, fo: np.abs(w).max() <= np.sqrt(6 / (fi + fo))),
    ("he_uniform", lambda w, fi, fo: np.abs(w).max() <= np.sqrt(6 / fi)),
    ("glorot_normal", lambda w, fi, fo: np.abs(w).max() <= 2 * np.sqrt(2 / (fi + fo)) / 0.8796256610342398 + 1e-7),
    ("he_normal", lambda w, fi, fo: np.abs(w).max() <= 2 * np.sqrt(2 / fi) / 0.8796256610342398 + 1e-7),
])
def test_ranges(name, check):
    shape = (300, 200)
    w = initializers.get(name)(shape)
    assert check(w, *initializers.compute_fans(shape))


@pytest.mark.parametrize("name,variance", [("glorot_uniform", 2 / 500), ("glorot_normal", 2 / 500),
                                           ("he_uniform", 2 / 300), ("he_normal", 2 / 300)])
def test_variance_matches_the_scheme(name, variance):
    w = initializers.get(name)((300, 200))
    assert w.var() == pytest.approx(variance, rel=0.03)
    assert abs(w.mean()) < 0.01


def test_constant_zeros_ones_and_random_defaults():
    assert (initializers.get("zeros")((2, 3)) == 0).all()
    assert (initializers.get("ones")((2,)) == 1).all()
    assert (initializers.Constant(2.5)((3,)) == 2.5).all()
    u = initializers.RandomUniform()((1000,))
    assert u.min() >= -0.05 and u.max() <= 0.05
    assert initializers.RandomNormal()((20000,)).std() == pytest.approx(0.05, rel=0.03)


def test_seeded_initializer_gives_same_bits():
    a = initializers.GlorotUniform(seed=3)((4, 5))
    b = initializers.GlorotUniform(seed=3)((4, 5))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, initializers.GlorotUniform(seed=4)((4, 5)))


def test_unseeded_follows_global_seed():
    config.set_random_seed(9)
    a = initializers.HeNormal()((4, 5))
    config.set_random_seed(9)
    np.testing.assert_array_equal(a, initializers.HeNormal()((4, 5)))


def test_dtype_follows_floatx(float64):
    assert initializers.get("glorot_uniform")((2, 2)).dtype == np.float64


def test_unknown_name():
    with pytest.raises(ValueError, match=r"Unknown initializer 'xavier'; valid names: \[.*'glorot_uniform'"):
        initializers.get("xavier")
