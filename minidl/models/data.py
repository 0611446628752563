"""Checking and arranging the arrays given to fit / evaluate / predict.

Inputs come as one array, a list (one array per model input) or a dict by
input name; targets likewise by output. Everything is checked before the
model changes: numeric dtypes, no NaN or infinity, one sample count, and
each input's shape against its ``Input``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..layers.node import SymbolicTensor, format_shape


def all_finite(arr: np.ndarray) -> bool:
    """``np.isfinite(arr).all()`` a block of rows at a time: no boolean temporary
    the size of the data set."""
    rows = max(1, (1 << 20) // max(1, arr[0].size))
    return all(np.isfinite(arr[s:s + rows]).all() for s in range(0, arr.shape[0], rows))


def check_array(what: str, a) -> np.ndarray:
    """Refuse non-numeric arrays, arrays without samples and non-finite values."""
    if a is None:
        raise ValueError(f"{what} is missing (got None)")
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{what} cannot be read as one array (ragged rows?): {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape}): need at least one sample")
    if arr.dtype.kind == "f" and not all_finite(arr):
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{what} contains {bad} NaN or infinite value(s)")
    return arr


def arrange(model: str, what: str, data, tensors: Sequence[SymbolicTensor], names: Sequence[str]) -> list:
    """One entry per tensor from an array, a list or a dict keyed by ``names``."""
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(names))
        missing = [n for n in names if n not in data]
        if unknown or missing:
            raise ValueError(f"Model {model!r}: {what} is a dict with keys {sorted(data)}, "
                             f"expected the keys {list(names)}")
        return [data[n] for n in names]
    if isinstance(data, (list, tuple)):
        if len(tensors) == 1:  # a list of rows for a single input, or [array]
            return [data[0]] if len(data) == 1 and np.ndim(data[0]) >= 1 else [data]
        if len(data) != len(tensors):
            raise ValueError(f"Model {model!r} has {len(tensors)} {'inputs' if what.startswith('x') else 'outputs'} "
                             f"({list(names)}), got {len(data)} arrays for {what}")
        return list(data)
    if len(tensors) != 1:
        raise ValueError(f"Model {model!r} has {len(tensors)} {'inputs' if what.startswith('x') else 'outputs'} "
                         f"({list(names)}): give {what} as a list or a dict of arrays")
    return [data]


def prepare_inputs(model: str, what: str, data, inputs: Sequence[SymbolicTensor],
                   names: Sequence[str]) -> list[np.ndarray]:
    """Checked arrays, one per model input, each cast to its Input's dtype."""
    arrays = arrange(model, what, data, inputs, names)
    out = []
    for i, (a, t) in enumerate(zip(arrays, inputs)):
        label = what if len(arrays) == 1 else f"{what}[{names[i]!r}]"
        arr = check_array(label, a)
        if np.dtype(t.dtype).kind in "iu" and arr.dtype.kind == "f":
            if not np.array_equal(arr, np.round(arr)):
                raise ValueError(f"{label} feeds the integer input {names[i]!r} ({t.dtype}) but holds "
                                 "non-integral values")
        arr = _cast(label, arr, np.dtype(t.dtype), names[i])
        if arr.ndim != len(t.shape) or any(e is not None and e != d for e, d in zip(t.shape[1:], arr.shape[1:])):
            raise ValueError(f"Model {model!r} input {names[i]!r} expects shape {format_shape(t.shape)}, "
                             f"got {label} of shape {arr.shape}")
        out.append(arr)
    same_count(model, what, out)
    return out


def _cast(label: str, arr: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    """``arr`` as ``dtype``, refusing integers a float input cannot hold exactly
    (ids above 2**24 in float32 would silently read another Embedding row)."""
    if arr.dtype.kind in "iu" and dtype.kind == "f" and arr.size:
        exact = 2 ** (np.finfo(dtype).nmant + 1)
        big = max(abs(int(arr.min())), abs(int(arr.max())))
        if big > exact:
            raise ValueError(f"{label} holds the integer {big}, which the {dtype} input {name!r} cannot hold "
                             f"exactly (beyond 2**{np.finfo(dtype).nmant + 1}); declare the Input with "
                             "dtype='int64' (e.g. for Embedding ids) or pass floats")
    return arr.astype(dtype, copy=False)


def prepare_targets(model: str, what: str, data, outputs: Sequence[SymbolicTensor], names: Sequence[str],
                    keep_integer: Sequence[bool], floatx: str) -> list[np.ndarray | None]:
    """Checked target arrays, one per output (None where that output has no loss)."""
    arrays = arrange(model, what, data, outputs, names)
    out = []
    for i, (a, keep) in enumerate(zip(arrays, keep_integer)):
        if a is None:
            out.append(None)
            continue
        label = what if len(arrays) == 1 else f"{what}[{names[i]!r}]"
        arr = check_array(label, a)
        out.append(arr if keep else arr.astype(floatx, copy=False))
    same_count(model, what, [a for a in out if a is not None])
    return out


def check_before_build(model: str, what: Sequence[str], x, y, sample_weight) -> None:
    """The checks a Sequential's first data must pass before the model builds from
    its shape: numeric, finite, non-empty x and y (single arrays) with one sample count."""
    if isinstance(x, dict) or (isinstance(x, (list, tuple)) and len(x) > 1 and isinstance(x[0], np.ndarray)):
        return  # Sequential refuses several inputs itself, before building
    n_x = check_array(what[0], x).shape[0]
    counts = {what[0]: n_x}
    if not isinstance(y, dict):
        counts[what[1]] = check_array(what[1], y).shape[0]
    if sample_weight is not None and not isinstance(sample_weight, (list, tuple, dict)):
        counts["sample_weight"] = check_array("sample_weight", sample_weight).shape[0]
    if len(set(counts.values())) > 1:
        raise ValueError(f"Model {model!r}: " + ", ".join(f"{k} has {n} samples" for k, n in counts.items())
                         + "; they must agree")


def same_count(model: str, what: str, arrays: Sequence[np.ndarray]) -> int:
    counts = sorted({a.shape[0] for a in arrays})
    if len(counts) > 1:
        raise ValueError(f"Model {model!r}: the arrays of {what} have different numbers of samples {counts}")
    return counts[0] if counts else 0


def take(arrays: Sequence[np.ndarray | None], index) -> list[np.ndarray | None]:
    return [None if a is None else a[index] for a in arrays]
