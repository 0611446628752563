"""Numba-backend optimizer updates with the L2 penalty folded in (``minidl.ops.update``).

One pass over each weight reads grad and param (and the slots) and writes param
(and the slots): the separate penalty-gradient pass, its write into the gradient
and the update rule's temporaries are gone. Arguments that are not one float dtype
and C-contiguous, or tiny (``tuning.SMALL``), take the NumPy reference. Elementwise,
so the bits do not depend on the blocks or the thread count.
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


def _blocks(kernel, args, size: int) -> None:
    # a few loads and stores per element (~0.1 ns each): a block of GRAIN elements is
    # ~5 µs of work against ~20 µs to hand it to another thread, hence 8 GRAINs
    blocks = split(size, 8 * tuning.GRAIN)
    if len(blocks) == 1:
        kernel(*args, 0, size)
    else:
        run([partial(kernel, *args, lo, hi) for lo, hi in blocks])


@registry.register("sgd_update", "numba")
def sgd_update(param, grad, lr, l2=0.0, momentum_slot=None, momentum=0.0, nesterov=False) -> None:
    """See :func:`minidl.ops.update.sgd_update`."""
    slots = (momentum_slot,) if momentum else ()
    if not _flat_ok(param, grad, *slots):
        return update.sgd_update.reference(param, grad, lr, l2, momentum_slot, momentum, nesterov)
    f = param.dtype.type
    p, g = param.reshape(-1), grad.reshape(-1)
    if momentum:
        args = (k.sgd_momentum_rows, (p, g, f(2 * l2) if l2 else f(0), f(lr), f(momentum),
                                      momentum_slot.reshape(-1), bool(nesterov)))
    elif l2:
        args = (k.sgd_l2_rows, (p, g, f(2 * l2), f(lr)))
    else:
        args = (k.sgd_rows, (p, g, f(lr)))
    _blocks(*args, p.size)


@registry.register("adam_update", "numba")
def adam_update(param, grad, m, v, lr, iteration, l2=0.0, beta_1=0.9, beta_2=0.999, epsilon=1e-7) -> None:
    """See :func:`minidl.ops.update.adam_update`."""
    if not _flat_ok(param, grad, m, v):
        return update.adam_update.reference(param, grad, m, v, lr, iteration, l2, beta_1, beta_2, epsilon)
    f = param.dtype.type
    alpha = update.adam_alpha(param.dtype, lr, iteration, beta_1, beta_2)
    _blocks(k.adam_rows, (param.reshape(-1), grad.reshape(-1), f(2 * l2) if l2 else f(0), alpha, f(1 - beta_1),
                          f(1 - beta_2), f(epsilon), m.reshape(-1), v.reshape(-1)), param.size)
