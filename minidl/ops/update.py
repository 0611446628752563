"""Optimizer updates with an L2 weight penalty folded in: one pass per weight.

The trainer used to add each penalty's gradient into the weight's gradient
(``grad += 2·l2·w``, one pass) before the optimizer's update (more passes).
These ops take ``l2`` instead: the NumPy references below are exactly that
composition (``g = grad + 2·l2·param``, then the optimizer's rule, the same
operations in the same order as ``minidl.optimizers``'s SGD and Adam), so
the Numba kernels, which do it element by element in one pass, give the same
bits. ``grad`` is never modified; ``param`` and the slots are updated in place.
``l2 == 0`` skips the penalty term (no ``+ 0·param``, which could flip a zero's sign).

``backup`` (the trainer's guard, ``Optimizer.apply_guarded``): arrays of param's
shape and dtype, one for param then one per slot the update changes, into which the old
values are copied before the update; the op then returns whether every new param value is
finite (the Numba kernels do the copy and the check in the update's own pass).
"""
from __future__ import annotations

import math

import numpy as np

from .tape import defop


def all_finite(a: np.ndarray) -> bool:
    """Every element finite? A finite sum proves it without a boolean temporary;
    a non-finite sum may be an overflow of finite values, so then look element-wise.
    The guard calls this under ``np.errstate(over="ignore")`` (entering one costs
    more than the sum of a small weight, so not here)."""
    if math.isfinite(float(a.sum())):
        return True
    return bool(np.isfinite(a).all())


def _save(backup, *arrays) -> None:
    if backup is not None:
        for b, a in zip(backup, arrays):
            np.copyto(b, a)


def with_l2(param: np.ndarray, grad: np.ndarray, l2: float) -> np.ndarray:
    """grad + 2·l2·param (a new array), as ``regularizers.L2.add_gradient`` adds it; grad when l2 is 0."""
    if not l2:
        return grad
    g = grad.copy()
    g += (2 * l2) * param  # the regularizer's expression: the Python float meets param's dtype
    return g


@defop("sgd_update")
def sgd_update(param, grad, lr: float, l2: float = 0.0, momentum_slot=None, momentum: float = 0.0,
               nesterov: bool = False, backup=None) -> bool | None:
    """In place: g = grad + 2·l2·param, then Keras's SGD step at learning rate ``lr``:
    w -= lr·g; with momentum, m = momentum·m − lr·g; w += m (Nesterov: w += momentum·m − lr·g).

    param, grad, momentum_slot: one shape and float dtype; momentum_slot only when momentum > 0.
    backup: (param's,) or, with momentum, (param's, momentum_slot's) (see the module doc)."""
    if backup is not None:  # (tested here: no argument tuple and call per weight unguarded)
        _save(backup, param, *((momentum_slot,) if momentum else ()))
    f = param.dtype.type
    if l2:
        grad = with_l2(param, grad, l2)
    lr = f(lr)
    if momentum:
        mom = f(momentum)
        m = momentum_slot
        m[...] = m * mom - grad * lr
        param += (m * mom - grad * lr) if nesterov else m
    else:
        param -= grad * lr
    return None if backup is None else all_finite(param)


@defop("adam_update")
def adam_update(param, grad, m, v, lr: float, iteration: int, l2: float = 0.0, beta_1: float = 0.9,
                beta_2: float = 0.999, epsilon: float = 1e-7, backup=None) -> bool | None:
    """In place: g = grad + 2·l2·param, then Keras's Adam step ``iteration + 1`` (no amsgrad):
    α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m += (g−m)(1−β₁); v += (g²−v)(1−β₂); w −= α·m/(√v + ε).

    param, grad, m, v: one shape and float dtype; backup: (param's, m's, v's) (see the module doc)."""
    _save(backup, param, m, v)
    f = param.dtype.type
    grad = with_l2(param, grad, l2)
    alpha = adam_alpha(param.dtype, lr, iteration, beta_1, beta_2)
    m += (grad - m) * f(1 - beta_1)
    v += (np.square(grad) - v) * f(1 - beta_2)
    param -= (m * alpha) / (np.sqrt(v) + f(epsilon))
    return None if backup is None else all_finite(param)


def adam_alpha(dtype: np.dtype, lr: float, iteration: int, beta_1: float, beta_2: float) -> np.floating:
    """Adam's step size α at step ``iteration + 1`` in ``dtype`` (the reference's expression)."""
    f = np.dtype(dtype).type
    step = f(iteration + 1)
    return f(lr) * np.sqrt(1 - f(beta_2) ** step) / (1 - f(beta_1) ** step)
