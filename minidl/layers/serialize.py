"""Keras's serialized form of the initializers and regularizers a layer's ``get_config`` writes."""
from __future__ import annotations

from .. import initializers


def serialize_initializer(initializer) -> dict:
    """Keras's ``{"module", "class_name", "config", "registered_name"}`` for an initializer."""
    spec = initializers.serialize(initializer)
    # Keras's Zeros/Ones/Constant take no seed: write it only when one is set
    spec["config"] = {k: v for k, v in spec["config"].items() if not (k == "seed" and v is None)}
    return spec


def serialize_regularizer(regularizer) -> dict | None:
    """Keras's form of an L1/L2/L1L2 regularizer (None stays None)."""
    if regularizer is None:
        return None
    return {"module": "keras.regularizers", "class_name": type(regularizer).__name__,
            "config": {k: float(v) for k, v in regularizer.get_config().items()}, "registered_name": None}
