"""Exercise 2: the previous practice's problems in Keras (figures 4-9).

The setups (CIFAR-10 MSE and CCE networks of P-3/P-4, XOR of P-6) are
declared once, for minidl and Keras alike, in ``compare.specs`` (another
part of this project).  This module is the thin Keras side: it imports those
specs and builds/trains the Keras model a spec describes.  Until
``compare.specs`` exists, :func:`run` raises :class:`CompareSpecsMissing`
(a ``NotImplementedError``) saying so.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from .common import DEFAULT_OUT

EXERCISE = "ej02_compare"


class CompareSpecsMissing(NotImplementedError):
    """``compare.specs`` (the declarative exercise-2 setups) is not available yet."""


def specs_module() -> ModuleType:
    """Import ``compare.specs`` or raise :class:`CompareSpecsMissing`."""
    try:
        return importlib.import_module("compare.specs")
    except ImportError as exc:
        raise CompareSpecsMissing(
            "exercise 2 (figures 4-9) is built from compare.specs, which has not landed "
            f"in this repository yet ({exc}); the Keras side will follow its spec format"
        ) from exc


def build_model(spec_name: str):  # noqa: ANN201 - returns a keras.Model once specs exist
    """Build the Keras model of the named ``compare.specs`` setup."""
    specs = specs_module()
    raise CompareSpecsMissing(
        f"compare.specs ({getattr(specs, '__file__', '?')}) exists but keras_ref.ej02_compare "
        f"has not been wired to its format yet; cannot build {spec_name!r}")


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0) -> dict:
    """Run the exercise-2 setups from ``compare.specs`` (not available yet: raises)."""
    specs = specs_module()
    raise CompareSpecsMissing(
        f"compare.specs ({getattr(specs, '__file__', '?')}) exists but keras_ref.ej02_compare "
        "has not been wired to its format yet")
