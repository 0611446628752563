"""argparse value types shared by the command lines (``compare``, ``keras_ref``).

Each raises ``argparse.ArgumentTypeError`` with the value it got, so the
parser reports ``--epochs: expected a positive integer, got 0`` and exits 2.
"""
from __future__ import annotations

import argparse
from typing import Callable, TypeVar

T = TypeVar("T", int, float)


def _number(text: str, convert: Callable[[str], T], ok: Callable[[T], bool], what: str) -> T:
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
    return value


def positive_int(text: str) -> int:
    return _number(text, int, lambda v: v >= 1, "a positive integer")


def non_negative_int(text: str) -> int:
    return _number(text, int, lambda v: v >= 0, "a non-negative integer")


def seed(text: str) -> int:
    return _number(text, int, lambda v: v >= 0, "a non-negative integer seed")


def positive_seconds(text: str) -> float:
    return _number(text, float, lambda v: v > 0, "seconds > 0")
