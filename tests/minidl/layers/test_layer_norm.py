"""LayerNormalization: gradients, parity with Keras (weights gamma then beta), errors."""
from __future__ import annotations

import pytest

from layer_cases import case_tests
from layer_checks import tfk  # noqa: F401
from minidl import layers

CASES = [
    ("last", lambda lib: lib.layers.LayerNormalization(), (3, 6)),
    ("last-3d", lambda lib: lib.layers.LayerNormalization(), (2, 4, 5)),
    ("axis1", lambda lib: lib.layers.LayerNormalization(axis=1), (2, 4, 5)),
    ("axes", lambda lib: lib.layers.LayerNormalization(axis=[1, 2]), (2, 3, 4)),
    ("eps", lambda lib: lib.layers.LayerNormalization(epsilon=0.5), (3, 6)),
    ("no-center", lambda lib: lib.layers.LayerNormalization(center=False), (3, 6)),
    ("no-scale", lambda lib: lib.layers.LayerNormalization(scale=False), (3, 6)),
    ("bare", lambda lib: lib.layers.LayerNormalization(center=False, scale=False), (3, 6)),
]
test_gradients, test_matches_keras = case_tests(CASES)


def test_weights_and_errors():
    layer = layers.LayerNormalization(axis=[1, 2])
    layer(layers.Input((3, 4)))
    assert list(layer.params) == ["gamma", "beta"] and layer.params["gamma"].shape == (3, 4)
    with pytest.raises(ValueError, match=r"'ln' \(LayerNormalization\).*axis=3.*\(None, 3\)"):
        layers.LayerNormalization(axis=3, name="ln")(layers.Input((3,)))
    with pytest.raises(ValueError, match=r"'ln2' \(LayerNormalization\) was built for.*\(None, 5\)"):
        ln = layers.LayerNormalization(name="ln2")
        ln(layers.Input((4,)))
        ln(layers.Input((5,)))
    with pytest.raises(ValueError, match="LayerNormalization: epsilon"):
        layers.LayerNormalization(epsilon=0)
