"""Reverse-mode differentiation of functions written with ``minidl.ops``.

API (the base Layer and the trainer call these):

``outputs, tape = record(fn, inputs, weights)``
    ``inputs``: an ndarray or a list/tuple of them; ``weights``: {key: ndarray}, recognised
    BY IDENTITY when ``fn`` reads them (e.g. from ``self``). Runs ``fn(wrapped_inputs)``
    with each input wrapped in a :class:`~minidl.ops.tensor.Tensor` whose operators
    (+ - * / ** @, unary -, indexing, comparisons, .T, reshape) go through the ops.
    Returns plain ndarrays with fn's structure (array, or list/tuple of arrays).
    Pitfall: NumPy calls on a weight (``self.kernel.T``, ``np.dot``) are not recorded;
    use the ops (``ops.transpose(self.kernel)``, ``ops.matmul``).

``dx, grads = backprop(tape, dy, need_dx=True)``
    ``dy`` like the outputs; ``dx`` like the inputs (None when ``need_dx`` is False;
    zeros for inputs that did not reach an output); ``grads``: {key: gradient} for
    every weight (zeros where unused). A tape may be replayed several times.

``value, grad = value_and_grad(fn, *arrays, argnum=1, dvalue=None)``
    For losses ``fn(y_true, y_pred)``: ``value`` is fn's (plain) result, ``grad`` the
    gradient of Σ(value·dvalue) w.r.t. ``arrays[argnum]`` (``dvalue`` default: ones,
    i.e. the gradient of the sum). ``argnum`` may be a tuple: then grad is a tuple.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from . import tape as _tape
from .tape import Tape, Tensor, unbroadcast


def _plain(out, tape: Tape):
    """fn's result as plain arrays; records which tape values the outputs are."""
    if isinstance(out, (list, tuple)):
        tape.output_structure = type(out)
        items = list(out)
    else:
        tape.output_structure = "array"
        items = [out]
    tape.output_indices = [o.index if isinstance(o, Tensor) and o.tape is tape else None for o in items]
    values = [o.value if isinstance(o, Tensor) else np.asarray(o) for o in items]
    return values[0] if tape.output_structure == "array" else tape.output_structure(values)


def record(fn: Callable, inputs, weights: dict[str, np.ndarray] | None = None):
    """Run ``fn`` on wrapped ``inputs`` recording every op; returns (plain outputs, tape)."""
    tape = Tape(weights or {})
    single = not isinstance(inputs, (list, tuple))
    arrays = [inputs] if single else list(inputs)
    wrapped = [tape.leaf(np.asarray(a)) for a in arrays]
    tape.input_indices = [t.index for t in wrapped]
    tape.input_arrays = [t.value for t in wrapped]
    tape.inputs_single = single
    previous = _tape._active
    _tape._active = (previous or []) + [tape]
    try:
        out = fn(wrapped[0] if single else (type(inputs)(wrapped) if isinstance(inputs, tuple) else wrapped))
    finally:
        _tape._active = previous
    return _plain(out, tape), tape


def _accumulate(grads: list, index: int, g) -> None:
    grads[index] = g if grads[index] is None else grads[index] + g  # never in place: g may alias


def _run_node(node, grads: list, values: list) -> None:
    out_index, vjp, raw, kwargs, parents = node
    g = grads[out_index]
    grads[out_index] = None  # freed: each value's cotangent is complete once its node runs
    cots = vjp(g, values[out_index], *raw, **kwargs)
    for parent, cot, arg in zip(parents, cots, raw):
        if cot is None or parent is None:
            continue
        if isinstance(parent, list):
            for p, c, a in zip(parent, cot, arg):
                if p is not None and c is not None:
                    _accumulate(grads, p, unbroadcast(np.asarray(c), np.shape(a)))
        else:
            _accumulate(grads, parent, unbroadcast(np.asarray(cot), np.shape(arg)))


def backprop(tape: Tape, dy, need_dx: bool = True):
    """Cotangents of the recorded inputs and weights given the outputs' ``dy`` (see module doc)."""
    dys = [dy] if tape.output_structure == "array" else list(dy)
    if len(dys) != len(tape.output_indices):
        raise ValueError(f"backprop: {len(dys)} output gradients for {len(tape.output_indices)} outputs")
    grads: list = [None] * len(tape.values)
    for index, d in zip(tape.output_indices, dys):
        if index is not None and d is not None:
            _accumulate(grads, index, np.asarray(d))
    previous, _tape._active = _tape._active, None  # VJPs call ops: none of it is recorded
    try:
        for node in reversed(tape.nodes):
            if grads[node[0]] is not None:
                _run_node(node, grads, tape.values)
    finally:
        _tape._active = previous
    weight_grads = {}
    for key, w in tape.weights.items():
        i = tape.weight_index.get(key)
        g = None if i is None else grads[i]
        weight_grads[key] = np.zeros_like(w) if g is None else np.asarray(g, dtype=w.dtype).reshape(w.shape)
    if not need_dx:
        return None, weight_grads
    dx = [np.zeros_like(a) if grads[i] is None else np.asarray(grads[i]).reshape(a.shape)
          for i, a in zip(tape.input_indices, tape.input_arrays)]
    return (dx[0] if tape.inputs_single else dx), weight_grads


def value_and_grad(fn: Callable, *arrays, argnum: int | Sequence[int] = 1, dvalue=None):
    """(fn(*arrays) as a plain array, d Σ(value·dvalue) / d arrays[argnum]) — see module doc."""
    nums = (argnum,) if isinstance(argnum, int) else tuple(argnum)

    def wrapped(ts):
        args = list(arrays)
        for k, t in zip(nums, ts):
            args[k] = t
        return fn(*args)

    value, tape = record(wrapped, [arrays[k] for k in nums], {})
    seed = np.ones_like(value) if dvalue is None else np.asarray(dvalue)
    dx, _ = backprop(tape, seed)
    return value, (dx[0] if isinstance(argnum, int) else tuple(dx))
