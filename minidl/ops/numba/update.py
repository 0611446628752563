"""Numba-backend optimizer updates with the L2 penalty folded in (``minidl.ops.update``).

One pass over each weight reads grad and param (and the slots) and writes param
(and the slots): the separate penalty-gradient pass, its write into the gradient
and the update rule's temporaries are gone. Arguments that are not one float dtype
and C-contiguous, or tiny (``tuning.SMALL``), take the NumPy reference. Elementwise,
so the bits do not depend on the blocks or the thread count.

With ``backup`` (the trainer's guard against non-finite weights) the guarded kernels
copy the old values out in the same pass and say whether every new weight is finite:
one read of each weight instead of a copy pass, the update and a checking sum.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import registry, update
from . import tuning
from .jit import update as k
from .threads import run, split


def _flat_ok(*arrays) -> bool:
    first = arrays[0]
    return all(a is not None and a.dtype == first.dtype and a.shape == first.shape and a.flags.c_contiguous
               and a.dtype in registry.NUMBA_DTYPES for a in arrays) and first.size >= tuning.SMALL \
        and all(a.flags.writeable for a in arrays[:1] + arrays[2:])


def _blocks(kernel, args, size: int) -> bool:
    """Run ``kernel(*args, lo, hi)`` over blocks; True when every block returned a true value
    (the guarded kernels' "all finite"; the unguarded ones return None, which the callers ignore)."""
    # a few loads and stores per element (~0.1 ns each): a block of GRAIN elements is
    # ~5 µs of work against ~20 µs to hand it to another thread, hence 8 GRAINs
    blocks = split(size, 8 * tuning.GRAIN)
    if len(blocks) == 1:
        return kernel(*args, 0, size)
    results = [None] * len(blocks)

    def task(i: int, lo: int, hi: int) -> None:
        results[i] = kernel(*args, lo, hi)
    run([partial(task, i, lo, hi) for i, (lo, hi) in enumerate(blocks)])
    return all(results)


@registry.register("sgd_update", "numba")
def sgd_update(param, grad, lr, l2=0.0, momentum_slot=None, momentum=0.0, nesterov=False, backup=None):
    """See :func:`minidl.ops.update.sgd_update`."""
    slots = (momentum_slot,) if momentum else ()
    if not _flat_ok(param, grad, *slots, *(backup or ())):
        return update.sgd_update.reference(param, grad, lr, l2, momentum_slot, momentum, nesterov, backup)
    f = param.dtype.type
    p, g = param.reshape(-1), grad.reshape(-1)
    two_l2 = f(2 * l2) if l2 else f(0)
    saved = [b.reshape(-1) for b in backup] if backup is not None else None
    if momentum:
        args = (p, g, two_l2, f(lr), f(momentum), momentum_slot.reshape(-1), bool(nesterov))
        if saved:
            return bool(_blocks(k.sgd_momentum_guarded_rows, (*args, *saved), p.size))
        _blocks(k.sgd_momentum_rows, args, p.size)
    elif saved:
        return bool(_blocks(k.sgd_guarded_rows, (p, g, two_l2, f(lr), *saved), p.size))
    elif l2:
        _blocks(k.sgd_l2_rows, (p, g, two_l2, f(lr)), p.size)
    else:
        _blocks(k.sgd_rows, (p, g, f(lr)), p.size)
    return None


@registry.register("adam_update", "numba")
def adam_update(param, grad, m, v, lr, iteration, l2=0.0, beta_1=0.9, beta_2=0.999, epsilon=1e-7, backup=None):
    """See :func:`minidl.ops.update.adam_update`."""
    if not _flat_ok(param, grad, m, v, *(backup or ())):
        return update.adam_update.reference(param, grad, m, v, lr, iteration, l2, beta_1, beta_2, epsilon, backup)
    f = param.dtype.type
    alpha = update.adam_alpha(param.dtype, lr, iteration, beta_1, beta_2)
    args = (param.reshape(-1), grad.reshape(-1), f(2 * l2) if l2 else f(0), alpha, f(1 - beta_1),
            f(1 - beta_2), f(epsilon), m.reshape(-1), v.reshape(-1))
    if backup is not None:
        return bool(_blocks(k.adam_guarded_rows, (*args, *(b.reshape(-1) for b in backup)), param.size))
    _blocks(k.adam_rows, args, param.size)
    return None
