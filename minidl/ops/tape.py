"""Recording ops for reverse-mode differentiation: the tape, the Tensor wrapper and ``defop``.

Every public op is made by :func:`defop` from its NumPy reference and its VJP.
While no tape is active an op is its reference (or the registry's kernel): one
global read decides. While one is active (``autodiff.record``), an op whose
arguments include a :class:`Tensor` of that tape, or one of the tape's weights
(recognised by identity), runs on the unwrapped values and appends a node.

VJP convention: ``vjp(g, y, *args, **kwargs)`` gets the output's cotangent ``g``,
the output ``y`` and the op's (unwrapped) arguments, and returns one cotangent per
positional argument (None where none flows; a list for a list argument). Cotangents
of broadcast arguments are summed back to the argument's shape here, not in each VJP.
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from . import registry

#: the tapes being recorded, innermost last; None when none (the fast path's one check)
_active: list["Tape"] | None = None


class Tape:
    """Values (held, so ids stay unique) and the nodes that produced them."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.values: list[np.ndarray] = []
        self.nodes: list[tuple] = []          # (out index, vjp, raw args, kwargs, parents)
        self.weights = dict(weights)
        self._weight_ids = {id(w): key for key, w in weights.items()}
        self.weight_index: dict[str, int] = {}
        self.input_indices: list[int] = []
        self.input_arrays: list[np.ndarray] = []
        self.output_indices: list[int | None] = []
        self.output_structure: str = "array"

    def leaf(self, value: np.ndarray) -> "Tensor":
        self.values.append(value)
        return Tensor(value, len(self.values) - 1, self)

    def index_of(self, a) -> int | None:
        """The value index of an argument: a Tensor of this tape or a weight, else None."""
        if isinstance(a, Tensor):
            return a.index if a.tape is self else None
        if isinstance(a, np.ndarray):
            key = self._weight_ids.get(id(a))
            if key is not None:
                if key not in self.weight_index:
                    self.values.append(a)
                    self.weight_index[key] = len(self.values) - 1
                return self.weight_index[key]
        return None


def _unwrap(a):
    return a.value if isinstance(a, Tensor) else a


def _record(name: str, vjp: Callable | None, args: tuple, kwargs: dict):
    tape = _active[-1]
    raw, parents, tracked = [], [], False
    for a in args:
        if isinstance(a, (list, tuple)) and not isinstance(a, np.ndarray):
            idx = [tape.index_of(x) for x in a]
            raw.append(type(a)(_unwrap(x) for x in a))
            parents.append(idx)
            tracked |= any(i is not None for i in idx)
        else:
            i = tape.index_of(a)
            raw.append(_unwrap(a))
            parents.append(i)
            tracked |= i is not None
    out = registry.implementation(name, tuple(raw))(*raw, **kwargs)
    if isinstance(out, np.generic):  # full reductions give NumPy scalars
        out = np.asarray(out)
    if not tracked or not isinstance(out, np.ndarray) or out.dtype.kind not in "fc":
        return out  # a constant, or an integer / boolean result: no gradient flows
    if vjp is None:
        raise TypeError(f"minidl.ops.{name} is not differentiable; it cannot take part in a "
                        "recorded computation (use the ops it is made of)")
    t = tape.leaf(out)
    tape.nodes.append((t.index, vjp, raw, kwargs, parents))
    return t


_ndarray = np.ndarray
_sequences = registry._SEQUENCES


def defop(name: str, vjp: Callable | None = None) -> Callable[[Callable], Callable]:
    """Decorator: ``fn`` is op ``name``'s NumPy reference; returns the public op.

    ``vjp`` None: not differentiable (integer/boolean results, constants).
    """
    def deco(fn: Callable) -> Callable:
        registry.register(name, "numpy")(fn)
        impls = registry.table(name)

        @functools.wraps(fn)
        def op(*args, **kwargs):
            if _active is None:
                if len(impls) == 1:
                    return fn(*args, **kwargs)
                if not registry._OWNERS:  # registry's rule, inlined: no float argument of SMALL elements
                    for a in args:  # or more -> the NumPy reference (two calls less per op: ~15 on
                        if isinstance(a, _ndarray):  # XOR's step, where every array is small)
                            if a.size >= registry.SMALL and a.dtype.kind == "f":
                                break
                        elif type(a) in _sequences and registry._any_large_array(a):
                            break
                    else:
                        return impls["numpy"](*args, **kwargs)
                return registry.implementation(name, args)(*args, **kwargs)
            return _record(name, vjp, args, kwargs)

        op.vjp = vjp
        op.reference = fn
        op.op_name = name
        return op
    return deco


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the axes broadcasting added to an argument of ``shape``."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead > 0 else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


from .tensor import Tensor  # noqa: E402  (Tensor's operators call the ops defined with defop)
