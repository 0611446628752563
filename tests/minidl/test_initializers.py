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


NEW = ["TruncatedNormal", "LecunNormal", "LecunUniform", "Orthogonal", "Identity", "VarianceScaling",
       "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "RandomNormal", "RandomUniform", "Constant",
       "Zeros", "Ones"]


@pytest.mark.keras
@pytest.mark.parametrize("name", NEW)
def test_config_defaults_match_keras(name):
    keras = pytest.importorskip("keras")
    ours, theirs = getattr(initializers, name)().get_config(), getattr(keras.initializers, name)().get_config()
    # Keras 3.15's variance-scaling family also has input_axes/output_axes (not in minidl)
    assert set(theirs) - set(ours) <= {"input_axes", "output_axes"}
    # Keras's Identity leaves gain out of its config (so it does not round-trip); minidl keeps it
    assert {k: ours[k] for k in theirs if k in ours} == {k: theirs[k] for k in theirs if k in ours}


@pytest.mark.keras
@pytest.mark.parametrize("identifier", ["truncated_normal", "lecun_normal", "LecunUniform", "orthogonal",
                                        "identity", "normal", "uniform", "zero", "one", "OrthogonalInitializer"])
def test_get_resolves_keras_names(identifier):
    keras = pytest.importorskip("keras")
    assert type(initializers.get(identifier)).__name__ == type(keras.initializers.get(identifier)).__name__


@pytest.mark.parametrize("name", NEW)
def test_serialize_round_trip_and_seeded_bits(name):
    cls = getattr(initializers, name)
    kwargs = {"seed": 5} if "seed" in cls().get_config() else {}
    init = cls(**kwargs)
    back = initializers.deserialize(initializers.serialize(init))
    assert type(back) is cls and back.get_config() == init.get_config()
    np.testing.assert_array_equal(init((6, 4)), back((6, 4)))
    assert initializers.get(initializers.serialize(init)).get_config() == init.get_config()


def test_truncated_normal_and_lecun_statistics():
    w = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=1)((200, 100))
    assert np.abs(w - 1.0).max() <= 1.0 and w.mean() == pytest.approx(1.0, abs=0.01)
    assert w.std() == pytest.approx(0.5 * 0.8796256610342398, rel=0.03)
    assert initializers.LecunNormal(seed=2)((400, 200)).var() == pytest.approx(1 / 400, rel=0.05)
    u = initializers.LecunUniform(seed=2)((400, 200))
    assert np.abs(u).max() <= np.sqrt(3 / 400) and u.var() == pytest.approx(1 / 400, rel=0.05)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 3, 2, 5)])
def test_orthogonal_columns_or_rows_are_orthonormal(shape):
    w = initializers.Orthogonal(gain=2.0, seed=3)(shape).astype(np.float64).reshape(-1, shape[-1])
    small = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-5)


@pytest.mark.keras
def test_identity_matches_keras():
    keras = pytest.importorskip("keras")
    np.testing.assert_array_equal(initializers.Identity(gain=0.5)((3, 5)),
                                  np.asarray(keras.initializers.Identity(gain=0.5)((3, 5))))
    with pytest.raises(ValueError, match=r"Identity: only 2-D shapes can be initialized, got \(2, 2, 2\)"):
        initializers.Identity()((2, 2, 2))


def test_variance_scaling_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"VarianceScaling: mode must be one of .*got 'fan_middle'"):
        initializers.VarianceScaling(mode="fan_middle")
    with pytest.raises(ValueError, match=r"VarianceScaling: scale must be a positive number, got -1"):
        initializers.VarianceScaling(scale=-1)
