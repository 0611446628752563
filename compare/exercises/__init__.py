"""Every exercise of the report, written once against the Keras API (``build(lib, variant)``).

``get(name)`` returns the :class:`~compare.exercises.base.Exercise`; ``NAMES``
lists them in the report's order: ej01 … ej10 and the previous practice's
p3, p4, p6, p7, p8.
"""
from __future__ import annotations

import importlib

from .base import Curve, Data, Exercise, FigureSpec, Published, accuracy, compile_model, lib_name

NAMES = ("ej01", "ej02", "ej03", "ej04", "ej05", "ej06", "ej07", "ej08", "ej09", "ej10",
         "p3", "p4", "p6", "p7", "p8")


def canonical(name: str) -> str:
    """``1``, ``08``, ``ej8``, ``EJ08`` -> ``ej01``, ``ej08``; any other name lower-cased."""
    key = name.lower()
    if key.isdigit():
        key = f"ej{int(key):02d}"
    elif key.startswith("ej") and key[2:].isdigit():
        key = f"ej{int(key[2:]):02d}"
    return key


def get(name: str) -> Exercise:
    """The exercise called ``name`` (``ej1``, ``1`` and ``08`` are read as ``ej01``, ``ej08``)."""
    key = canonical(name)
    if key not in NAMES:
        raise KeyError(f"unknown exercise {name!r}; choose from {', '.join(NAMES)}")
    return importlib.import_module(f"{__name__}.{key}").EXERCISE


__all__ = ["NAMES", "canonical", "get", "Exercise", "Data", "Curve", "FigureSpec", "Published", "accuracy",
           "compile_model", "lib_name"]
