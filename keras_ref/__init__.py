"""Keras solutions of the ten exercises of "Práctica 2: Introducción a Keras".

The networks and data pipelines are those of :mod:`compare.exercises`, each
written once against the Keras API with the library as an argument; this
package is their Keras-only face: :func:`build_model` returns the compiled
Keras model, :func:`run` trains it (``compare.lockstep`` with
``framework="keras"``, same result JSON and figures), and ``python -m
keras_ref`` is the command line.
"""
from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from compare.exercises import NAMES, get  # noqa: E402

EXERCISES: dict[str, str] = {n: get(n).title for n in NAMES if n.startswith("ej")}
"""Short exercise name -> title (the report's ten exercises)."""
DEFAULT_OUT = os.path.join("results", "keras_ref")


def build_model(exercise: str, variant: str | None = None) -> Any:
    """The compiled Keras model of ``exercise`` (``ej01`` ... ``ej10``, ``p3`` ...); default: first variant."""
    import keras
    ex = get(exercise)
    variant = variant or next(iter(ex.variants))
    ex.check_variant(variant)
    return ex.build(keras, variant)


def run(exercise: str, epochs: int | None = None, quick: bool = False, seeds: int = 1,
        data_dir: str | None = None, out: str = DEFAULT_OUT, variants: list[str] | None = None,
        time_limit: float | None = None, resume: bool = False, progress: bool = False,
        limit: int | None = None) -> dict[str, Any]:
    """Train ``exercise`` in Keras only; returns the result document (also written under ``out``)."""
    from compare import lockstep
    return lockstep.run_exercise(get(exercise), lockstep.Options(
        out=out, framework="keras", quick=quick, epochs=epochs, seeds=seeds, data_dir=data_dir,
        variants=variants, time_limit=time_limit, resume=resume, progress=progress, limit=limit))


__all__ = ["EXERCISES", "DEFAULT_OUT", "build_model", "run"]
