"""Keras solutions of the ten exercises of "Práctica 2: Introducción a Keras".

One module per exercise (``ej01_boston`` ... ``ej10_cifar_nets``); each has a
model builder and ``run(epochs=None, quick=False, seed=0, data_dir=None,
out=...)``.  Shared helpers live in :mod:`keras_ref.common` and
:mod:`keras_ref.figures`; the command line is ``python -m keras_ref``.
"""
from __future__ import annotations

import os

# Quiet TensorFlow's C++ logging and pin the backend before Keras is imported
# anywhere in this package; users can still override both from the shell.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

EXERCISES: dict[str, str] = {
    "ej01": "ej01_boston",
    "ej02": "ej02_compare",
    "ej03": "ej03_imdb_dense",
    "ej04": "ej04_imdb_conv1d",
    "ej05": "ej05_logistic_map",
    "ej06": "ej06_pima",
    "ej07": "ej07_denoising",
    "ej08": "ej08_mnist",
    "ej09": "ej09_permuted_mnist",
    "ej10": "ej10_cifar_nets",
}
"""Short exercise name -> module name inside :mod:`keras_ref`."""

__all__ = ["EXERCISES"]
