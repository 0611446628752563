"""UpSampling2D (nearest): gradient checks, parity with Keras, errors."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import gradcheck
from minidl.layers import Input, UpSampling2D
from layer_checks import F32_TOL, GRAD_TOL, scaled_error, tfk  # noqa: F401

# (batch, h, w, channels, size)
CASES = [
    (1, 3, 3, 1, 2),
    (2, 3, 5, 3, (2, 3)),
    (2, 1, 4, 2, (3, 1)),
    (1, 2, 2, 2, 1),
]


def _id(case) -> str:
    return "-".join(str(v) for v in case)


def _upsampling(case):
    n, h, w, c, size = case
    return UpSampling2D(size), np.random.default_rng(0).standard_normal((n, h, w, c))


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_gradients(float64, case):
    layer, x = _upsampling(case)
    assert gradcheck.check_layer(layer, x)["x"] < GRAD_TOL


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_nearest_repeats_each_cell(case):
    n, h, w, c, size = case
    sh, sw = (size, size) if isinstance(size, int) else size
    layer, x = _upsampling(case)
    y, _ = layer.forward(x)
    assert y.shape == layer.compute_output_shape(x.shape) == (n, h * sh, w * sw, c)
    for i in range(h * sh):
        for j in range(w * sw):
            np.testing.assert_array_equal(y[:, i, j], x[:, i // sh, j // sw])


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_forward_matches_keras(tfk, case):
    keras, _ = tfk
    layer, x = _upsampling(case)
    x = x.astype(np.float32)
    ref = keras.layers.UpSampling2D(case[-1])
    assert scaled_error(layer.forward(x)[0], np.asarray(ref(x))) < F32_TOL


@pytest.mark.parametrize("kwargs, match", [
    (dict(size=0), "UpSampling2D: size"),
    (dict(size=(2, -1)), "UpSampling2D: size"),
    (dict(size=(2, 2, 2)), "UpSampling2D: size"),
    (dict(interpolation="bilinear"), "UpSampling2D: only interpolation='nearest'"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        UpSampling2D(**kwargs)


def test_wrong_rank():
    with pytest.raises(ValueError, match=r"'u1' \(UpSampling2D\).*rank 4.*\(None, 5, 3\)"):
        UpSampling2D(name="u1")(Input((5, 3)))
