"""Argument checks shared by the windowed layers (conv, pooling, upsampling).

Keras accepts an int or a tuple for ``kernel_size``/``strides``/``pool_size``/
``size`` and a case-insensitive padding name; these normalise them and
raise a ValueError naming the layer type otherwise.
"""
from __future__ import annotations

from typing import Any

from ..ops.padding import PADDINGS, output_length
from .base import Layer, Shape, check_positive_int, format_shape


def check_channels_last(layer_type: str, data_format: Any) -> str:
    """None or 'channels_last' -> 'channels_last' (what Keras's config then holds)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer_type}: only data_format='channels_last' is implemented, got {data_format!r}")
    return "channels_last"


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


def spatial_output_lengths(layer: Layer, input_shape: Shape, window: tuple[int, ...],
                           strides: tuple[int, ...], padding: str, window_arg: str,
                           window_noun: str) -> list[int | None]:
    """Output length of each spatial axis (``input_shape[1:-1]``) of a sliding window;
    a ValueError naming the layer when the window does not fit."""
    out = []
    for n, k, s in zip(input_shape[1:-1], window, strides):
        length = None if n is None else output_length(n, k, s, padding)
        if length is not None and length <= 0:
            raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) with {window_arg} {window} "
                             f"and padding 'valid' needs every spatial axis >= {window_noun}, "
                             f"got input shape {format_shape(input_shape)}")
        out.append(length)
    return out
