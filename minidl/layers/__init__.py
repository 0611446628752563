"""Layers with Keras's names, arguments and weight layouts (channels last)."""
from .base import ActivatedLayer, Layer, SymbolicTensor
from .core import Activation, Dense, Flatten, Input, InputLayer
from .merge import Concatenate

__all__ = ["Layer", "ActivatedLayer", "SymbolicTensor", "Input", "InputLayer", "Dense",
           "Activation", "Flatten", "Concatenate"]
