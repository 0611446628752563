"""AveragePooling1D/2D and the global poolings: gradients and parity with Keras."""
from __future__ import annotations

import pytest

from layer_cases import case_tests
from layer_checks import tfk  # noqa: F401
from minidl import layers

CASES = [
    ("avg2d", lambda lib: lib.layers.AveragePooling2D(2), (2, 4, 5, 2)),
    ("avg2d-same", lambda lib: lib.layers.AveragePooling2D(3, strides=2, padding="same"), (2, 7, 5, 2)),
    ("avg2d-rect", lambda lib: lib.layers.AveragePooling2D((2, 3), strides=(1, 2)), (1, 6, 7, 2)),
    ("avg1d", lambda lib: lib.layers.AveragePooling1D(2), (2, 9, 3)),
    ("avg1d-same", lambda lib: lib.layers.AveragePooling1D(3, strides=2, padding="same"), (2, 8, 2)),
    ("gap1d", lambda lib: lib.layers.GlobalAveragePooling1D(), (2, 5, 3)),
    ("gap1d-keep", lambda lib: lib.layers.GlobalAveragePooling1D(keepdims=True), (2, 5, 3)),
    ("gap2d", lambda lib: lib.layers.GlobalAveragePooling2D(), (2, 4, 3, 2)),
    ("gap2d-keep", lambda lib: lib.layers.GlobalAveragePooling2D(keepdims=True), (2, 4, 3, 2)),
    ("gmp1d", lambda lib: lib.layers.GlobalMaxPooling1D(), (2, 5, 3)),
    ("gmp1d-keep", lambda lib: lib.layers.GlobalMaxPooling1D(keepdims=True), (2, 5, 3)),
    ("gmp2d", lambda lib: lib.layers.GlobalMaxPooling2D(), (2, 4, 3, 2)),
    ("gmp2d-keep", lambda lib: lib.layers.GlobalMaxPooling2D(keepdims=True), (2, 4, 3, 2)),
]
test_gradients, test_matches_keras = case_tests(CASES)


def test_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"'a' \(AveragePooling2D\).*pool_size \(3, 3\).*\(None, 2, 5, 1\)"):
        layers.AveragePooling2D(3, name="a")(layers.Input((2, 5, 1)))
    with pytest.raises(ValueError, match=r"'g' \(GlobalMaxPooling2D\).*rank 4.*\(None, 6, 4\)"):
        layers.GlobalMaxPooling2D(name="g")(layers.Input((6, 4)))
    with pytest.raises(ValueError, match="AveragePooling1D: pool_size"):
        layers.AveragePooling1D(0)
