"""Optimizers with Keras 3's names, defaults, update rules and options.

``optimizer.apply([(key, param, grad), ...])`` updates params in place (see
``base.Optimizer``); ``learning_rate`` is a number or a schedule from
``minidl.optimizers.schedules``.
"""
from __future__ import annotations

from . import schedules
from .base import Optimizer
from .rules import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, RMSprop
from .rules2 import Ftrl, Lion, Nadam

_CLASSES = (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion, Ftrl)
_BY_NAME = {cls.__name__.lower(): cls for cls in _CLASSES}

__all__ = ["Optimizer", "schedules", "get", "serialize", "deserialize", *(cls.__name__ for cls in _CLASSES)]


def serialize(optimizer: Optimizer) -> dict:
    """``{"class_name": "Adam", "config": {...}}`` as Keras's ``optimizers.serialize``."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """Rebuild an optimizer from :func:`serialize`'s dict (class names case-insensitive)."""
    table = {**_BY_NAME, **{k.lower(): v for k, v in (custom_objects or {}).items()}}
    name = str(config.get("class_name", ""))
    if name.lower() not in table:
        raise ValueError(f"Unknown optimizer {name!r}; valid names: {sorted(_BY_NAME)}")
    return table[name.lower()].from_config(dict(config.get("config", {})), custom_objects)


def get(identifier) -> Optimizer:
    """Resolve a name (``"adam"``, Keras defaults), a serialized dict, or pass an Optimizer through."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() not in _BY_NAME:
            raise ValueError(f"Unknown optimizer {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return _BY_NAME[identifier.lower()]()
    raise TypeError(f"optimizer must be a name, a config dict or a minidl.optimizers.Optimizer, "
                    f"got {identifier!r}")
