"""compare: the report's exercise-2 setups trained in minidl and in Keras side by side.

``specs`` declares each setup as plain data; ``build`` turns a spec into a
minidl model and a Keras model with the same layers and weight order; ``run``
trains both in lockstep (same initial weights, same batches, same precision)
and writes histories, figures (``plots``) and a divergence table
(``divergence``). ``python -m compare --help`` for the command line.
"""
from .specs import DEFAULT_SUITE, SETUPS, Spec, get_spec

__all__ = ["SETUPS", "DEFAULT_SUITE", "Spec", "get_spec"]
