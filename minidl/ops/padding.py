"""Output sizes and 'same' padding along one spatial axis, as TensorFlow computes them.

Shared by the conv and pooling kernels and by the layers' shape inference,
so that a layer's declared output shape and its kernel's output always agree.
"""
from __future__ import annotations

PADDINGS = ("valid", "same")


def output_length(n: int, k: int, s: int, padding: str) -> int:
    """Cells along an axis of length ``n`` for a window ``k`` and stride ``s``.

    'valid': ``(n - k) // s + 1`` (<= 0 when the window does not fit);
    'same': ``ceil(n / s)``.
    """
    if padding == "same":
        return -(-n // s)
    if padding == "valid":
        return (n - k) // s + 1
    raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")


def pad_amounts(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(before, after) padding of an axis of length ``n``.

    'same' pads ``max((ceil(n/s) - 1)·s + k - n, 0)`` cells in total, the odd
    one at the end, which is TF's split (and so Keras's on the TF backend).
    """
    if padding == "valid":
        return 0, 0
    total = max((output_length(n, k, s, "same") - 1) * s + k - n, 0)
    return total // 2, total - total // 2
