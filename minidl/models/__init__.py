"""Models: a graph of layers (``graph``) plus a trainer (``trainer``, ``loops``),
with weight files (``saving``) and ``summary`` in modules of their own."""
from .functional import Model
from .sequential import Sequential
from .keras_format import load_model


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Model:
    """A model (new weights) from ``model.to_json()`` or Keras's ``to_json``."""
    import json
    from .config import model_from_config
    return model_from_config(json.loads(json_string), source="json", custom_objects=custom_objects)


__all__ = ["Model", "Sequential", "load_model", "model_from_json"]
