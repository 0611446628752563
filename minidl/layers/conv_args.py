"""Arguments the transposed, depthwise and separable conv layers share with Keras but
support only in part: ``data_format`` (channels last only), ``dilation_rate`` (1 only)
and the weight constraints (None only). Each is refused at construction with a
message naming the layer type, the argument and the value received, so a Keras
config that uses them fails loudly instead of computing something else.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .window_args import normalize_tuple


def check_data_format(layer_type: str, data_format: Any) -> str:
    """None or 'channels_last' -> 'channels_last' (what Keras's config then holds)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer_type}: only data_format='channels_last' is supported, got {data_format!r}")
    return "channels_last"


def check_dilation(layer_type: str, dilation_rate: Any, rank: int) -> tuple[int, ...]:
    """1 or a tuple of 1s -> (1,) * rank; other rates are not implemented."""
    rates = normalize_tuple(layer_type, "dilation_rate", dilation_rate, rank)
    if any(r != 1 for r in rates):
        raise ValueError(f"{layer_type}: dilation_rate other than 1 is not supported, got {dilation_rate!r}")
    return rates


def check_no_constraints(layer_type: str, **constraints: Any) -> None:
    """Weight constraints are not implemented: only None is accepted."""
    given = sorted(name for name, value in constraints.items() if value is not None)
    if given:
        raise NotImplementedError(f"{layer_type}: weight constraints are not supported, got {', '.join(given)}")


def check_output_padding(layer_type: str, output_padding: Any, strides: tuple[int, ...]) -> tuple[int, ...] | None:
    """None, or an int / ``len(strides)`` ints each in [0, stride) (Keras's rule)."""
    if output_padding is None:
        return None
    rank = len(strides)
    values = output_padding if isinstance(output_padding, (tuple, list)) else (output_padding,) * rank
    if len(values) != rank or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in values):
        raise ValueError(f"{layer_type}: output_padding must be None, a non-negative int or a tuple of "
                         f"{rank} of them, got {output_padding!r}")
    if any(v >= s for v, s in zip(values, strides)):
        raise ValueError(f"{layer_type}: output_padding must be strictly less than strides on every axis, "
                         f"got output_padding={output_padding!r} with strides={strides}")
    return tuple(int(v) for v in values)
