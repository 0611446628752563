"""Add, Subtract, Multiply, Average, Maximum, Minimum, Dot and the functional forms."""
from __future__ import annotations

import numpy as np
import pytest

from layer_cases import case_tests
from layer_checks import tfk  # noqa: F401
from minidl import layers

CASES = [
    ("add", lambda lib: lib.layers.Add(), [(2, 3, 4)] * 3),
    ("add-broadcast", lambda lib: lib.layers.Add(), [(2, 3, 4), (2, 1, 4)]),
    ("subtract", lambda lib: lib.layers.Subtract(), [(2, 5)] * 2),
    ("multiply", lambda lib: lib.layers.Multiply(), [(2, 3, 4)] * 3),
    ("multiply-broadcast", lambda lib: lib.layers.Multiply(), [(2, 3, 4), (2, 3, 1)]),
    ("average", lambda lib: lib.layers.Average(), [(2, 3, 4)] * 3),
    ("maximum", lambda lib: lib.layers.Maximum(), [(2, 3, 4)] * 3),
    ("minimum", lambda lib: lib.layers.Minimum(), [(2, 5)] * 2),
    ("dot-2d", lambda lib: lib.layers.Dot(axes=1), [(3, 4), (3, 4)]),
    ("dot-2d-normalize", lambda lib: lib.layers.Dot(axes=-1, normalize=True), [(3, 4), (3, 4)]),
    ("dot-3d", lambda lib: lib.layers.Dot(axes=(2, 2)), [(2, 3, 4), (2, 5, 4)]),
    ("dot-3d-12", lambda lib: lib.layers.Dot(axes=(1, 2)), [(2, 5, 3), (2, 4, 5)]),
    ("dot-3d-normalize", lambda lib: lib.layers.Dot(axes=1, normalize=True), [(2, 4, 3), (2, 4, 2)]),
    ("dot-3d-2d", lambda lib: lib.layers.Dot(axes=(2, 1)), [(2, 3, 4), (2, 4)]),
]
test_gradients, test_matches_keras = case_tests(CASES)


def test_maximum_ties_go_to_the_first_input():
    x = np.ones((1, 3))
    layer = layers.Maximum()
    y, cache = layer.forward([x, x.copy()])
    dx, _ = layer.backward(cache, np.full((1, 3), 2.0))
    np.testing.assert_array_equal(dx[0], 2.0)
    np.testing.assert_array_equal(dx[1], 0.0)


@pytest.mark.parametrize("fn, cls, kwargs", [
    (layers.add, layers.Add, {}), (layers.subtract, layers.Subtract, {}),
    (layers.multiply, layers.Multiply, {}), (layers.average, layers.Average, {}),
    (layers.maximum, layers.Maximum, {}), (layers.minimum, layers.Minimum, {}),
    (layers.concatenate, layers.Concatenate, {"axis": 1}), (layers.dot, layers.Dot, {"axes": 1}),
])
def test_functional_forms_make_the_layer(fn, cls, kwargs):
    a, b = layers.Input((4,)), layers.Input((4,))
    out = fn([a, b], name=f"f_{cls.__name__.lower()}", **kwargs)
    assert out.shape == (None, 1 if cls is layers.Dot else 8 if cls is layers.Concatenate else 4)
    assert type(out.node.layer) is cls and out.node.layer.name == f"f_{cls.__name__.lower()}"


def test_merge_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"'s' \(Subtract\) needs exactly 2 inputs, got 3"):
        layers.Subtract(name="s")([layers.Input((3,))] * 3)
    with pytest.raises(ValueError, match=r"'a' \(Add\) needs inputs of broadcastable shapes.*\(None, 3\), \(None, 4\)"):
        layers.Add(name="a")([layers.Input((3,)), layers.Input((4,))])
    with pytest.raises(ValueError, match=r"'m' \(Multiply\) must be called on a list"):
        layers.Multiply(name="m")(layers.Input((3,)))
    with pytest.raises(ValueError, match=r"'d' \(Dot\) with axes=1 needs equal sizes.*\(None, 3\), \(None, 4\)"):
        layers.Dot(1, name="d")([layers.Input((3,)), layers.Input((4,))])
    with pytest.raises(ValueError, match="Dot: axes"):
        layers.Dot((1, 2, 3))
