"""How far apart minidl and Keras are, epoch by epoch.

Definitions (used in the tables, the README and the tests):

* relative loss difference: ``|L_minidl − L_keras| / |L_minidl|`` for the
  epoch's logged training loss (sample-weighted mean over the epoch's batches,
  penalties included, measured before each update, as both frameworks log it),
  and likewise for the validation loss;
* accuracy difference: ``|A_minidl − A_keras|`` (a fraction, not percent);
* relative weight difference: for each weight array ``max|W_m − W_k| /
  max(max|W_m|, max|W_k|)`` (its largest deviation on the array's own scale),
  then the largest over the arrays; an array that is zero in both to within
  ``ZERO`` (float32's subnormal range: a bias whose gradients cancel exactly in
  one library and leave 4e-38 in the other) has no relative difference, only
  the absolute one.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

ZERO = 1e-30


def weight_difference(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> tuple[float, float]:
    """(max relative, max absolute) difference between two ``get_weights`` lists."""
    if len(a) != len(b):
        raise ValueError(f"weight lists differ in length: {len(a)} vs {len(b)}")
    rel, ab = 0.0, 0.0
    for i, (wa, wb) in enumerate(zip(a, b)):
        wa, wb = np.asarray(wa, np.float64), np.asarray(wb, np.float64)
        if wa.shape != wb.shape:
            raise ValueError(f"weight {i}: shapes {wa.shape} and {wb.shape} differ")
        d = float(np.max(np.abs(wa - wb))) if wa.size else 0.0
        scale = max(float(np.max(np.abs(wa))), float(np.max(np.abs(wb)))) if wa.size else 0.0
        ab = max(ab, d)
        if d and scale >= ZERO:
            rel = max(rel, d / scale)
    return rel, ab


def relative(a: float, b: float) -> float:
    """``|a − b| / |a|`` (0 when equal, inf when only ``a`` is 0)."""
    if a == b:
        return 0.0
    return abs(a - b) / abs(a) if a != 0 else float("inf")


def epoch_row(epoch: int, hm: dict[str, float], hk: dict[str, float], weights_rel: float,
              weights_abs: float, seconds: tuple[float, float]) -> dict[str, Any]:
    """One table row from both frameworks' logs of one epoch (keys loss, accuracy, val_*)."""
    row: dict[str, Any] = {"epoch": epoch}
    for key in ("loss", "val_loss"):
        if key in hm and key in hk:
            row[f"{key}_minidl"], row[f"{key}_keras"] = hm[key], hk[key]
            row[f"{key}_abs_diff"] = abs(hm[key] - hk[key])
            row[f"{key}_rel_diff"] = relative(hm[key], hk[key])
    for key in ("accuracy", "val_accuracy"):
        if key in hm and key in hk:
            row[f"{key}_minidl"], row[f"{key}_keras"] = hm[key], hk[key]
            row[f"{key}_abs_diff"] = abs(hm[key] - hk[key])
    row["weights_rel_diff"], row["weights_abs_diff"] = weights_rel, weights_abs
    row["seconds_minidl"], row["seconds_keras"] = seconds
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Largest differences over all epochs, and over the first 1 and 5 epochs."""
    def worst(key: str, upto: int | None = None) -> float | None:
        values = [r[key] for r in rows[:upto] if key in r]
        return max(values) if values else None

    out: dict[str, Any] = {"epochs": len(rows)}
    for key in ("loss_rel_diff", "val_loss_rel_diff", "accuracy_abs_diff", "val_accuracy_abs_diff",
                "weights_rel_diff"):
        out[f"max_{key}"] = worst(key)
        out[f"max_{key}_first_5"] = worst(key, 5)
        out[f"{key}_epoch_1"] = rows[0].get(key) if rows else None
    return out


_COLUMNS = [("epoch", "epoch", "{}"), ("loss_minidl", "loss minidl", "{:.8g}"),
            ("loss_keras", "loss Keras", "{:.8g}"), ("loss_rel_diff", "rel Δ loss", "{:.2e}"),
            ("val_loss_rel_diff", "rel Δ val loss", "{:.2e}"),
            ("accuracy_minidl", "acc minidl", "{:.4f}"), ("accuracy_abs_diff", "abs Δ acc", "{:.2e}"),
            ("val_accuracy_minidl", "val acc minidl", "{:.4f}"),
            ("val_accuracy_abs_diff", "abs Δ val acc", "{:.2e}"),
            ("weights_rel_diff", "max rel Δ weights", "{:.2e}")]


def markdown(rows: list[dict[str, Any]], header: str) -> str:
    """The divergence table as Markdown, with the definitions above it."""
    cols = [c for c in _COLUMNS if any(c[0] in r for r in rows)] or _COLUMNS[:1]
    lines = [header, "",
             "rel Δ loss = |L_minidl − L_keras| / |L_minidl|; abs Δ acc = |A_minidl − A_keras| as a fraction; "
             "max rel Δ weights = max over arrays of max|W_m − W_k| / max|W_m|.", "",
             "| " + " | ".join(c[1] for c in cols) + " |",
             "|" + "|".join("---:" for _ in cols) + "|"]
    for r in rows:
        cells = [fmt.format(r[k]) if r.get(k) is not None else "–" for k, _, fmt in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
