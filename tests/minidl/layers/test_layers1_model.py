"""A functional model built from issue 10's layers trains like Keras from the same
weights (float64, SGD, same batches): forward, backward and the graph wiring together."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from layer_cases import float64_both

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

LR = 0.125  # exact in float32


def mixed_model(lib):
    L = lib.layers
    inp = lib.Input((6, 4), name="x")
    h = L.LayerNormalization(name="ln")(inp)
    a = L.Dense(4, activation="tanh", name="da")(h)
    b = L.LeakyReLU(negative_slope=0.25, name="leaky")(L.Dense(4, name="db")(h))
    m = L.concatenate([L.add([a, b]), L.multiply([a, b]), L.maximum([a, b])], name="cat")
    m = L.ZeroPadding1D(1, name="pad")(m)
    m = L.AveragePooling1D(2, name="avg")(m)
    m = L.Cropping1D((1, 0), name="crop")(m)
    m = L.PReLU(name="prelu")(m)
    g1 = L.GlobalAveragePooling1D(name="gap")(m)
    g2 = L.GlobalMaxPooling1D(name="gmp")(m)
    d = L.Dot(axes=1, name="dot")([L.Dense(3, name="p1")(g1), L.Dense(3, name="p2")(g2)])
    r = L.Reshape((3, 4), name="reshape")(L.Dense(12, name="dr")(g1))
    r = L.Permute((2, 1), name="perm")(r)
    r = L.GlobalAveragePooling1D(name="gap2")(L.ReLU(negative_slope=0.125, name="relu")(r))
    out = L.Dense(3, name="head")(L.concatenate([L.subtract([g1, g2]), d, r], name="cat2"))
    return lib.Model(inp, L.Softmax(name="softmax")(out))


def test_mixed_model_trains_like_keras():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((12, 6, 4))
    y = np.eye(3)[rng.integers(0, 3, 12)]
    with float64_both(keras):
        mm, km = mixed_model(minidl), mixed_model(keras)
        assert [w.shape for w in mm.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
        # PReLU's alphas start at 0: give every weight a random value so each layer matters
        mm.set_weights([w + rng.uniform(-0.3, 0.3, w.shape) for w in mm.get_weights()])
        km.set_weights(mm.get_weights())
        np.testing.assert_allclose(mm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-12, atol=1e-14)
        mm.compile(minidl.optimizers.SGD(LR), "categorical_crossentropy")
        km.compile(keras.optimizers.SGD(LR), "categorical_crossentropy")
        hm = mm.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0).history
        hk = km.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0).history
    for a, b in zip(mm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(hm["loss"], hk["loss"], rtol=1e-10)
