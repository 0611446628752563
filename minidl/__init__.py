"""minidl: a from-scratch deep-learning library in NumPy, shaped like Keras.

``import minidl as keras`` runs most Keras code for dense and convolutional
networks: ``minidl.Sequential``, ``minidl.Model``, ``minidl.Input``,
``minidl.layers``, ``minidl.losses``, ``minidl.optimizers``, ...
"""
from . import (activations, callbacks, config, datasets, gradcheck, initializers, layers, losses,
               metrics, optimizers, regularizers, utils)
from .layers import Input
from .models import Model, Sequential

__version__ = "0.1.0"

__all__ = ["Model", "Sequential", "Input", "activations", "callbacks", "config", "datasets", "gradcheck",
           "initializers", "layers", "losses", "metrics", "optimizers", "regularizers", "utils"]
