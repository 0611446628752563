"""Models: a graph of layers (``graph``) plus a trainer (``trainer``, ``loops``),
with weight files (``saving``) and ``summary`` in modules of their own."""
from .functional import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential"]
