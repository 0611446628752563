"""minidl: a from-scratch deep-learning library in NumPy, shaped like Keras.

``import minidl as keras``: ``minidl.Sequential``, ``minidl.Model``,
``minidl.Input``, ``minidl.layers``, ``minidl.ops``, ``minidl.losses``,
``minidl.optimizers``, ``minidl.metrics``, ``minidl.callbacks``, ... (the
README lists what of Keras's API is covered).
"""
from . import (activations, callbacks, config, datasets, gradcheck, initializers, layers, losses,
               metrics, models, ops, optimizers, preprocessing, regularizers, utils)
from .layers import Input
from .models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Model", "Sequential", "Input", "activations", "callbacks", "config", "datasets", "gradcheck",
           "initializers", "layers", "losses", "metrics", "models", "ops", "optimizers", "preprocessing",
           "regularizers", "utils"]
