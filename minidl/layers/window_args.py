"""Argument checks shared by the windowed layers (conv, pooling, upsampling).

Keras accepts an int or a tuple for ``kernel_size``/``strides``/``pool_size``/
``size`` and a case-insensitive padding name; these normalise them and
raise a ValueError naming the layer type otherwise.
"""
from __future__ import annotations

from typing import Any

from ..kernels.padding import PADDINGS
from .base import check_positive_int


def normalize_tuple(layer_type: str, arg: str, value: Any, n: int) -> tuple[int, ...]:
    """An int or an n-sequence of positive ints -> an n-tuple of ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{layer_type}: {arg} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(check_positive_int(layer_type, arg, v) for v in value)
    return (check_positive_int(layer_type, arg, value),) * n


def normalize_padding(layer_type: str, padding: Any) -> str:
    """'valid' or 'same' in any case -> lower case."""
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"{layer_type}: padding must be one of {PADDINGS}, got {padding!r}")
    return padding.lower()
