"""Rescaling and Normalization: gradients, parity with Keras (adapt included), weights, errors."""
from __future__ import annotations

import numpy as np
import pytest

from layer_cases import case_tests, float64_both, scaled_error
from layer_checks import tfk  # noqa: F401
from minidl import layers

# Keras turns a Python scale into a float32 tensor before casting it, so 1/255 differs
# from the float64 1/255 by ~4e-10 relative: the cases use constants exact in float32.
CASES = [
    ("rescaling", lambda lib: lib.layers.Rescaling(1 / 128), (2, 3, 4)),
    ("rescaling-offset", lambda lib: lib.layers.Rescaling(2.0, offset=-1.0), (2, 5)),
    ("normalization-given", lambda lib: lib.layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[4.0, 0.25, 9.0]),
     (4, 3)),
    ("normalization-scalar", lambda lib: lib.layers.Normalization(mean=3.0, variance=2.0), (4, 3)),
    ("normalization-invert", lambda lib: lib.layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0],
                                                                  invert=True), (4, 2)),
    ("normalization-initial", lambda lib: lib.layers.Normalization(axis=1), (4, 3, 2)),
]
test_gradients, test_matches_keras = case_tests(CASES)


@pytest.mark.keras
@pytest.mark.parametrize("axis, batches", [(-1, False), (-1, True), (None, False), ((1, 2), True)])
def test_adapt_matches_keras(tfk, axis, batches):
    keras, _ = tfk
    rng = np.random.default_rng(3)
    data = rng.standard_normal((12, 3, 2)) * [[2.0, 0.5]] + 1.0
    fed = [data[:5], data[5:]] if batches else data
    with float64_both(keras):
        ml, kl = layers.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
        ml.adapt(fed)
        kl.adapt(fed)
        assert [w.shape for w in ml.get_weights()] == [tuple(w.shape) for w in kl.get_weights()]
        assert [w.name for w in kl.weights] == list(ml.state) == ["mean", "variance", "count"]
        for a, b in zip(ml.get_weights(), kl.get_weights()):
            assert scaled_error(a, np.asarray(b)) < 1e-12
        x = rng.standard_normal((4, 3, 2))
        assert scaled_error(ml(x), np.asarray(kl(x))) < 1e-12
        ml2 = layers.Normalization(axis=axis)
        ml2.build((None, 3, 2))
        ml2.set_weights(kl.get_weights())
        assert scaled_error(ml2(x), np.asarray(kl(x))) < 1e-12


def test_normalization_has_no_trainable_weights_and_errors_are_clear():
    layer = layers.Normalization()
    layer(layers.Input((3,)))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    with pytest.raises(ValueError, match="Normalization: give both mean and variance"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="Normalization: mean and variance need one shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match=r"'n' \(Normalization\) was built for sizes \(3,\).*\(None, 4\)"):
        n = layers.Normalization(name="n")
        n.adapt(np.ones((5, 3)))
        n.adapt(np.ones((5, 4)))
