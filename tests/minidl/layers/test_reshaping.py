"""Reshape, Permute, RepeatVector, ZeroPadding1D/2D, Cropping1D/2D: gradients, Keras parity, errors."""
from __future__ import annotations

import pytest

from layer_cases import case_tests
from layer_checks import tfk  # noqa: F401
from minidl import layers

CASES = [
    ("reshape", lambda lib: lib.layers.Reshape((4, 3)), (2, 3, 4)),
    ("reshape-minus1", lambda lib: lib.layers.Reshape((-1, 2)), (2, 3, 4)),
    ("reshape-flat", lambda lib: lib.layers.Reshape((12,)), (2, 3, 4)),
    ("permute", lambda lib: lib.layers.Permute((2, 1)), (2, 3, 4)),
    ("permute-3", lambda lib: lib.layers.Permute((3, 1, 2)), (2, 3, 4, 5)),
    ("repeat", lambda lib: lib.layers.RepeatVector(3), (2, 5)),
    ("zeropad1d", lambda lib: lib.layers.ZeroPadding1D(), (2, 5, 3)),
    ("zeropad1d-asym", lambda lib: lib.layers.ZeroPadding1D((0, 2)), (2, 5, 3)),
    ("zeropad2d", lambda lib: lib.layers.ZeroPadding2D(), (2, 3, 4, 2)),
    ("zeropad2d-int", lambda lib: lib.layers.ZeroPadding2D(2), (2, 3, 4, 2)),
    ("zeropad2d-full", lambda lib: lib.layers.ZeroPadding2D(((1, 0), (2, 3))), (2, 3, 4, 2)),
    ("crop1d", lambda lib: lib.layers.Cropping1D(), (2, 6, 3)),
    ("crop1d-asym", lambda lib: lib.layers.Cropping1D((2, 0)), (2, 6, 3)),
    ("crop2d-default", lambda lib: lib.layers.Cropping2D(), (2, 5, 4, 2)),
    ("crop2d-int", lambda lib: lib.layers.Cropping2D(1), (2, 5, 4, 2)),
    ("crop2d-full", lambda lib: lib.layers.Cropping2D(((1, 2), (0, 1))), (2, 5, 4, 2)),
]
test_gradients, test_matches_keras = case_tests(CASES)


def test_unknown_sizes_stay_unknown():
    assert layers.Reshape((-1, 2)).compute_output_shape((None, None, 4)) == (None, None, 2)
    assert layers.ZeroPadding1D(2).compute_output_shape((None, None, 3)) == (None, None, 3)
    assert layers.Cropping2D(1).compute_output_shape((None, None, 5, 2)) == (None, None, 3, 2)


def test_config_padding_and_cropping_as_keras():
    assert layers.ZeroPadding2D(2).get_config()["padding"] == ((2, 2), (2, 2))
    assert layers.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert layers.Cropping2D(1).get_config()["cropping"] == ((1, 1), (1, 1))


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Reshape((-1, -1)), "Reshape: target_shape"),
    (lambda: layers.Reshape((0, 2)), "Reshape: target_shape"),
    (lambda: layers.Permute((0, 1)), "Permute: dims"),
    (lambda: layers.RepeatVector(0), "RepeatVector: n"),
    (lambda: layers.ZeroPadding1D(-1), "ZeroPadding1D: padding"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), "ZeroPadding2D: padding"),
    (lambda: layers.Cropping2D(((1, 1), (1, -1))), "Cropping2D: 2nd entry of cropping"),
    (lambda: layers.ZeroPadding2D(data_format="channels_first"), "channels_last"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"'r' \(Reshape\).*\(None, 3, 4\).*\(5, 2\)"):
        layers.Reshape((5, 2), name="r")(layers.Input((3, 4)))
    with pytest.raises(ValueError, match=r"'r2' \(Reshape\).*not a multiple of 5"):
        layers.Reshape((-1, 5), name="r2")(layers.Input((3, 4)))
    with pytest.raises(ValueError, match=r"'c' \(Cropping1D\).*\(None, 3, 2\)"):
        layers.Cropping1D((2, 1), name="c")(layers.Input((3, 2)))
    with pytest.raises(ValueError, match=r"'p' \(Permute\).*rank 3.*\(None, 3, 4, 5\)"):
        layers.Permute((2, 1), name="p")(layers.Input((3, 4, 5)))
    with pytest.raises(ValueError, match=r"'rv' \(RepeatVector\).*rank 2"):
        layers.RepeatVector(2, name="rv")(layers.Input((3, 4)))
