"""ReLU, LeakyReLU, ELU, Softmax and PReLU: gradients, parity with Keras, errors."""
from __future__ import annotations

import pytest

from layer_cases import case_tests
from layer_checks import tfk  # noqa: F401
from minidl import layers

# Constants exact in float32: Keras casts Python numbers to float32 in some ops even in float64.
CASES = [
    ("relu", lambda lib: lib.layers.ReLU(), (3, 4, 5)),
    ("relu-all-args", lambda lib: lib.layers.ReLU(max_value=1.25, negative_slope=0.125, threshold=0.25), (3, 4, 5)),
    ("relu-slope", lambda lib: lib.layers.ReLU(negative_slope=0.25), (3, 7)),
    ("relu6", lambda lib: lib.layers.ReLU(max_value=0.875), (3, 7)),
    ("leaky-default", lambda lib: lib.layers.LeakyReLU(), (3, 4, 5)),
    ("leaky-0.05", lambda lib: lib.layers.LeakyReLU(negative_slope=0.0625), (4, 6)),
    ("elu", lambda lib: lib.layers.ELU(), (3, 4, 5)),
    ("elu-alpha", lambda lib: lib.layers.ELU(alpha=0.5), (3, 6)),
    ("softmax", lambda lib: lib.layers.Softmax(), (3, 4, 5)),
    ("softmax-axis1", lambda lib: lib.layers.Softmax(axis=1), (3, 4, 5)),
    ("softmax-axes", lambda lib: lib.layers.Softmax(axis=(1, 2)), (2, 3, 4)),
    ("prelu", lambda lib: lib.layers.PReLU(), (3, 4, 5)),
    ("prelu-shared", lambda lib: lib.layers.PReLU(shared_axes=[1, 2]), (3, 4, 5, 2)),
]
# TF's leaky_relu takes its slope as a float32 attribute: the default 0.3 becomes
# float32(0.3) there, ~1e-8 away from ours (the exact Python value); the others to 1e-12
test_gradients, test_matches_keras = case_tests(CASES, tols={"leaky-default": 1e-7})


@pytest.mark.parametrize("make, match", [
    (lambda: layers.ReLU(max_value=-1), "ReLU: max_value"),
    (lambda: layers.ReLU(negative_slope=-0.1), "ReLU: negative_slope"),
    (lambda: layers.ReLU(threshold=None), "ReLU: threshold"),
    (lambda: layers.LeakyReLU(negative_slope=-1), "LeakyReLU: negative_slope"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_softmax_axis_outside_the_input():
    with pytest.raises(ValueError, match=r"'sm' \(Softmax\).*axis=3.*\(None, 4, 5\)"):
        layers.Softmax(axis=3, name="sm")(layers.Input((4, 5)))


def test_leaky_relu_accepts_keras2_alpha():
    assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
