"""Backend dispatch shared by the kernel modules.

The Numba implementations live in :mod:`minidl.kernels.nb`; importing them
imports Numba (about 0.4 s) and loads compiled code from its cache, so they are
imported on the first call that needs them, never by ``import minidl``.
"""
from __future__ import annotations

import functools
import importlib
from types import ModuleType

import numpy as np

from .. import config

#: dtypes the Numba kernels are compiled for; anything else goes to the reference
NUMBA_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


@functools.cache
def nb(name: str) -> ModuleType:
    """The Numba module ``minidl.kernels.nb.<name>``, imported on first use."""
    return importlib.import_module(f"{__package__}.nb.{name}")


def use_numba(*arrays: np.ndarray | None) -> bool:
    """True when the backend is Numba and every given array shares one float dtype
    the kernels are compiled for (mixed or other dtypes fall back to the reference)."""
    if config.backend() != "numba":
        return False
    dtype = None
    for a in arrays:
        if a is None:
            continue
        if dtype is None:
            dtype = a.dtype
            if dtype not in NUMBA_DTYPES:
                return False
        elif a.dtype != dtype:
            return False
    return True

