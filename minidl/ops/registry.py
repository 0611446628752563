"""The one place that decides which implementation of an op runs: a table keyed by
(op name, backend).

Backends:

* ``"numpy"`` — the readable reference every op has (registered by ``defop``);
* ``"numba"`` — compiled kernels for some ops (``minidl/ops/numba``), imported on
  the first call that selects them;
* more can be added (see below) without touching a layer, loss or the trainer.

Selection, per call (:func:`select`):

1. an *array-owning* backend whose array type appears among the arguments wins
   (e.g. a CuPy array selects the ``"cupy"`` column; its kernels must then exist);
2. otherwise ``config.backend()`` (``MINIDL_BACKEND`` / ``config.set_backend``)
   if it implements the op and accepts the arguments' dtypes (Numba: every float
   array argument in one of float32 / float64, all the same);
3. otherwise the NumPy reference.

Adding a backend (say CuPy):

1. ``registry.add_backend("cupy", accepts=lambda floats: True,
   owns=lambda a: isinstance(a, cupy.ndarray))``;
2. register implementations: ``@registry.register("matmul", "cupy")`` on a function
   with the reference's signature (or ``registry.declare_lazy("cupy", {"matmul":
   "mypkg.cupy_gemm"})`` so that module, which calls ``register`` when imported, is
   loaded on first use);
3. ops without a CuPy implementation raise a clear error when given CuPy arrays
   (the reference would silently copy to the host).
Nothing else changes: layers call ``minidl.ops``, and ``minidl.ops`` calls
:func:`implementation`.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

import numpy as np

from .. import config

#: op name -> {backend: implementation, or the module name that registers it on import}
_TABLE: dict[str, dict[str, Callable | str]] = {}
#: backend -> predicate on the dtypes of the float array arguments
_ACCEPTS: dict[str, Callable[[list[np.dtype]], bool]] = {}
#: (backend, predicate on one argument) for backends with their own array type
_OWNERS: list[tuple[str, Callable[[Any], bool]]] = []

NUMBA_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _numba_accepts(dtypes: list[np.dtype]) -> bool:
    """A float dtype the kernels are compiled for (``_float_dtypes`` already refused mixed ones)."""
    return bool(dtypes) and dtypes[0] in NUMBA_DTYPES


def add_backend(name: str, accepts: Callable[[list[np.dtype]], bool] | None = None,
                owns: Callable[[Any], bool] | None = None) -> None:
    """Declare a backend: ``accepts(float_dtypes)`` says whether it takes a call's
    arguments when it is the configured backend; ``owns(arg)`` marks its array type."""
    _ACCEPTS[name] = accepts or (lambda dtypes: True)
    if owns is not None:
        _OWNERS.append((name, owns))


def register(name: str, backend: str = "numpy") -> Callable[[Callable], Callable]:
    """Decorator: ``fn`` implements op ``name`` on ``backend`` (same signature as the reference)."""
    def deco(fn: Callable) -> Callable:
        _TABLE.setdefault(name, {})[backend] = fn
        return fn
    return deco


def declare_lazy(backend: str, modules: dict[str, str]) -> None:
    """``{op name: module}``: importing the module registers the op on ``backend``."""
    for name, module in modules.items():
        _TABLE.setdefault(name, {}).setdefault(backend, module)


def table(name: str) -> dict[str, Callable | str]:
    """The live {backend: implementation} dict of one op (``defop`` keeps a reference)."""
    return _TABLE.setdefault(name, {})


#: below this many elements in every float argument a compiled kernel does not pay: NumPy's
#: ufuncs on XOR's 1×2 layers take ~1.5 µs against ~5 µs for a kernel call and its checks
SMALL = 256


def _any_large_array(seq) -> bool:
    """Is an array in this list argument at least ``SMALL`` float elements (one level)? ``tape.defop``
    asks this of list arguments before it scans for a large array (XOR's ops end there)."""
    for x in seq:
        if isinstance(x, _ndarray) and x.size >= SMALL and x.dtype.kind == "f":
            return True
    return False


def _float_dtypes(args) -> list[np.dtype] | None:
    """The dtype of the float array arguments (lists of arrays opened) as a one-element list,
    or None when two of them differ (mixed precision) or all are small: both take the reference.
    Plain loops and no list per argument: this runs on every op call, where XOR's arithmetic
    (1×2 arrays) is cheaper still."""
    dtype = None
    large = False
    for a in args:
        if isinstance(a, _ndarray):
            if a.dtype.kind == "f":
                if dtype is None:
                    dtype = a.dtype
                elif a.dtype != dtype:
                    return None
                if not large:
                    large = a.size >= SMALL
        elif type(a) in _SEQUENCES:
            for x in a:
                if isinstance(x, _ndarray) and x.dtype.kind == "f":
                    if dtype is None:
                        dtype = x.dtype
                    elif x.dtype != dtype:
                        return None
                    if not large:
                        large = x.size >= SMALL
    return [dtype] if large else None


_ndarray = np.ndarray
_SEQUENCES = (list, tuple)


def _owner(name: str, impls: dict, args: tuple) -> str | None:
    for backend, owns in _OWNERS:
        if any(owns(a) for a in args):
            if backend not in impls:
                raise TypeError(f"minidl.ops.{name}: no {backend!r} implementation for "
                                f"{backend} arrays (implemented for: {sorted(impls)})")
            return backend
    return None


def _select(name: str, impls: dict, args: tuple) -> str:
    owner = _owner(name, impls, args) if _OWNERS else None
    if owner is not None:
        return owner
    backend = config._BACKEND
    if backend == "numpy" or backend not in impls:
        return "numpy"
    dtypes = _float_dtypes(args)
    return backend if dtypes is not None and _ACCEPTS[backend](dtypes) else "numpy"


def select(name: str, args: tuple) -> str:
    """The backend that runs op ``name`` on these arguments (see the module doc)."""
    return _select(name, _TABLE[name], args)


def implementation(name: str, args: tuple) -> Callable:
    """The function that runs op ``name`` on ``args`` (importing a lazy backend module once)."""
    impls = _TABLE[name]
    if len(impls) == 1:
        return impls["numpy"]
    backend = _select(name, impls, args)
    fn = impls[backend]
    if isinstance(fn, str):
        return _load(name, impls, fn)
    return fn


def _load(name: str, impls: dict, module: str) -> Callable:
    """Import the module that registers a lazy implementation, then return it."""
    backend = next(b for b, f in impls.items() if f == module)
    importlib.import_module(module)
    fn = impls[backend]
    if isinstance(fn, str):
        raise RuntimeError(f"module {fn} did not register op {name!r} for backend {backend!r}")
    return fn


def call(name: str, *args, **kwargs):
    """Run op ``name`` on the selected backend (no recording: the fused ops use this)."""
    return implementation(name, args)(*args, **kwargs)


add_backend("numpy")
add_backend("numba", accepts=_numba_accepts)
