import numpy as np
import pytest

from minidl import gradcheck, regularizers


def _weights(seed=0, shape=(5, 4)):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 1.0, shape) * rng.choice([-1.0, 1.0], shape)  # away from |w| = 0


@pytest.mark.parametrize("reg", [regularizers.L1(0.03), regularizers.L2(0.05), regularizers.L1L2(0.01, 0.02)],
                         ids=repr)
def test_gradient(reg):
    w = _weights()
    err = gradcheck.check_array(lambda: reg(w), w, reg.gradient(w))
    assert err < 1e-6


def test_values_follow_keras_definitions():
    w = _weights()
    assert regularizers.L2(0.05)(w) == pytest.approx(0.05 * np.sum(w ** 2), rel=1e-14)
    assert regularizers.L1(0.03)(w) == pytest.approx(0.03 * np.sum(np.abs(w)), rel=1e-14)
    assert regularizers.L1L2(0.01, 0.02)(w) == pytest.approx(0.01 * np.abs(w).sum() + 0.02 * (w ** 2).sum())


def test_keras_defaults():
    assert regularizers.get("l2").l2 == 0.01
    assert regularizers.get("l1").l1 == 0.01
    assert regularizers.L1L2().l1 == 0.0 and regularizers.L1L2().l2 == 0.0


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_factor(bad):
    with pytest.raises(ValueError, match="l2 must be"):
        regularizers.L2(bad)


def test_unknown_name():
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'"):
        regularizers.get("l3")
