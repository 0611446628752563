"""``model.summary()``: each layer's name, type, output shape and parameter count."""
from __future__ import annotations

import numpy as np

from .. import config
from ..layers.node import format_shape


def _rows(model, functional: bool) -> list[tuple[str, str, str, str]]:
    rows = []
    if functional:
        for t in model.graph.inputs:
            rows.append((f"{t.layer.name} (InputLayer)", format_shape(t.shape), "0", "-"))
    counted: set[int] = set()
    for node in model.graph.nodes:
        layer = node.layer
        shapes = [t.shape for t in node.outputs]
        params = 0 if id(layer) in counted else layer.count_params()  # a shared layer's weights count once
        counted.add(id(layer))
        connected = ", ".join(t.node.layer.name for t in node.inputs)
        rows.append((f"{layer.name} ({type(layer).__name__})", format_shape(shapes[0] if len(shapes) == 1 else shapes),
                     f"{params:,}", connected))
    return rows


def print_summary(model, print_fn=print) -> None:
    """Print the table and the totals, as Keras's summary does."""
    model._require_graph("summary")
    functional = type(model).__name__ != "Sequential"
    rows = _rows(model, functional)
    headers = ("Layer (type)", "Output Shape", "Param #", "Connected to")
    cols = 4 if functional else 3
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:cols])]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(cells):
        parts = [f" {c:<{w}} " if i != 2 else f" {c:>{w}} " for i, (c, w) in enumerate(zip(cells, widths))]
        return "|" + "|".join(parts) + "|"

    total = model.count_params()
    trainable = sum(w.size for w in model.trainable_weights)
    size = np.dtype(config.floatx()).itemsize
    print_fn(f'Model: "{model.name}"')
    print_fn(line)
    print_fn(fmt(headers[:cols]))
    print_fn(line.replace("-", "="))
    for r in rows:
        print_fn(fmt(r[:cols]))
    print_fn(line)
    for label, count in (("Total", total), ("Trainable", trainable), ("Non-trainable", total - trainable)):
        print_fn(f" {label} params: {count:,} ({_bytes(count * size)})")


def _bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n} B"
