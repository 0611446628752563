"""Global settings: float precision, kernel backend and the seeded random source.

Mirrors ``keras.config``: ``set_floatx("float64")`` makes every layer built
afterwards keep float64 weights and every model cast its inputs to float64.
"""
from __future__ import annotations

import os

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_BACKENDS = ("numba", "numpy")
_BACKEND = os.environ.get("MINIDL_BACKEND", "numba").lower()
if _BACKEND not in _BACKENDS:
    raise ValueError(f"MINIDL_BACKEND={_BACKEND!r} is not one of {_BACKENDS}")
_RNG = np.random.default_rng()


def floatx() -> str:
    """The default float dtype name: ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float32"`` or ``"float64"``)."""
    global _FLOATX
    if value not in ("float32", "float64"):
        raise ValueError(f"set_floatx: unknown float type {value!r}; use 'float32' or 'float64'")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor Keras uses to clip probabilities (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def backend() -> str:
    """The kernel backend: ``"numba"`` (compiled kernels) or ``"numpy"`` (the reference)."""
    return _BACKEND


def set_backend(value: str) -> None:
    """Switch between the Numba kernels and the NumPy reference kernels."""
    global _BACKEND
    if value not in _BACKENDS:
        raise ValueError(f"set_backend: unknown backend {value!r}; choose from {_BACKENDS}")
    _BACKEND = value


def set_random_seed(seed: int) -> None:
    """Seed the global generator used by every unseeded initializer, shuffle and dropout.

    Like ``keras.utils.set_random_seed``: the same seed gives the same bits.
    """
    global _RNG
    _RNG = np.random.default_rng(seed)


def rng() -> np.random.Generator:
    """The global random generator (see :func:`set_random_seed`)."""
    return _RNG


def make_rng(seed: int | None) -> np.random.Generator:
    """A generator of its own for ``seed``, or one drawn from the global generator."""
    if seed is None:
        return np.random.default_rng(_RNG.integers(2**63))
    return np.random.default_rng(seed)
