"""Keras 3 configs: a layer or model as ``{"module", "class_name", "config", ...}``.

``serialize_layer`` / ``deserialize_layer`` write and read one layer in
Keras's form, so that Keras's ``config.json`` and minidl's are the same
file. ``model_config`` / ``model_from_config`` do a whole model: a
Sequential as its ``"layers"`` list, a functional model as Keras's
``"layers"`` (each with ``"inbound_nodes"``), ``"input_layers"`` and
``"output_layers"``.

Keras writes arguments minidl lacks (``kernel_constraint``,
``data_format``...). Each is dropped when it holds Keras's default and
refused, naming the layer and the argument, otherwise: a model must not
load with a silently different meaning.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from .. import layers as layers_module
from ..layers.node import snake_case
from .. import regularizers

#: Keras arguments minidl has no parameter for, with the only value it can honour
KERAS_DEFAULTS: dict[str, Any] = {
    "kernel_constraint": None, "bias_constraint": None, "beta_constraint": None, "gamma_constraint": None,
    "embeddings_constraint": None, "quantization_config": None, "lora_rank": None, "lora_alpha": None,
    "data_format": "channels_last", "dilation_rate": 1, "groups": 1, "noise_shape": None,
    "sparse": False, "ragged": False, "optional": False, "synchronized": False, "renorm": False,
    "renorm_clipping": None, "mask_zero": False, "input_length": None, "activity_regularizer": None,
    "seed": None, "dropout": 0.0, "recurrent_dropout": 0.0, "recurrent_constraint": None,
    "stateful": False, "unroll": False,
}
#: ignored whatever their value: only meaningful with an option minidl refuses above
_IGNORED = {"renorm_momentum", "lora_alpha"}


def layer_classes() -> dict[str, type]:
    """Keras class name -> minidl class, for every layer minidl exports (and the models)."""
    from .functional import Model
    from .sequential import Sequential
    table = {name: getattr(layers_module, name) for name in layers_module.__all__
             if isinstance(getattr(layers_module, name), type)
             and issubclass(getattr(layers_module, name), layers_module.Layer)}
    table.pop("Layer", None)
    table.pop("ActivatedLayer", None)
    return {**table, "Functional": Model, "Model": Model, "Sequential": Sequential}


def keras_class_name(layer) -> str:
    from .functional import Model
    from .sequential import Sequential
    if isinstance(layer, Model) and not isinstance(layer, Sequential) and type(layer) is Model:
        return "Functional"
    return type(layer).__name__


def _jsonable(value):
    """Tuples -> lists, NumPy scalars -> Python numbers (JSON has neither)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def serialize_layer(layer) -> dict:
    """One layer in Keras's form, with ``build_config`` when it is built."""
    from .functional import Model
    name = keras_class_name(layer)
    module = "keras.layers"
    if isinstance(layer, Model):  # where Keras 3 writes its two model classes from
        module = "keras.src.models.functional" if name == "Functional" else "keras"
    out = {"module": module, "class_name": name, "config": _jsonable(layer.get_config()),
           "registered_name": "Functional" if name == "Functional" else None}
    if layer.built and layer.input_shape is not None and not isinstance(layer, layers_module.InputLayer):
        out["build_config"] = {"input_shape": _jsonable(layer.input_shape)}
    return out


def _regularizer(value, where: str):
    if not isinstance(value, dict):
        return value
    table = {"L1": regularizers.L1, "L2": regularizers.L2, "L1L2": regularizers.L1L2}
    name = value.get("class_name")
    if name not in table:
        raise ValueError(f"{where}: unknown regularizer {name!r}; minidl has {sorted(table)}")
    return table[name](**value.get("config", {}))


def _initializer(value: dict, where: str) -> dict:
    """Keras 3.9+ writes ``input_axes``/``output_axes`` for VarianceScaling; minidl has only the defaults."""
    config = dict(value.get("config", {}))
    for key in ("input_axes", "output_axes"):
        if config.get(key, None) is not None:
            raise ValueError(f"{where}: initializer {value.get('class_name')} with {key}={config[key]!r} "
                             "is not supported by minidl")
        config.pop(key, None)
    return {**value, "config": config}


def clean_config(class_name: str, config: dict, source: str) -> dict:
    """Keras's config -> minidl's keyword arguments (see the module docstring)."""
    out = {}
    where = f"{source}: layer {config.get('name')!r} ({class_name})"
    for key, value in config.items():
        if key == "dtype" and isinstance(value, dict):  # a DTypePolicy
            value = value.get("config", {}).get("name")
            if value not in (None, "float16", "float32", "float64"):
                raise ValueError(f"{where}: dtype policy {value!r} is not supported")
        if key in _IGNORED:
            continue
        if key in KERAS_DEFAULTS and key not in _accepted(class_name):
            default = KERAS_DEFAULTS[key]
            if value == default or (isinstance(value, (list, tuple)) and set(value) == {default}):
                continue
            raise ValueError(f"{where}: argument {key}={value!r} is not supported by minidl "
                             f"(only {default!r})")
        if key.endswith("_regularizer"):
            value = _regularizer(value, where)
        if key.endswith("_initializer") and isinstance(value, dict):
            value = _initializer(value, where)
        if key in ("layer", "backward_layer") and isinstance(value, dict) and "class_name" in value:
            value = deserialize_layer(value, source)  # a wrapper's layer (Bidirectional, TimeDistributed)
        if isinstance(value, dict) and key == "activation":
            raise ValueError(f"{where}: activation {value.get('class_name')!r} is not one minidl knows")
        out[key] = value
    return out


def _accepted(class_name: str) -> set[str]:
    import inspect
    cls = layer_classes().get(class_name)
    names: set[str] = set()
    for klass in (cls.__mro__ if cls else ()):
        if "__init__" in vars(klass):
            names |= set(inspect.signature(vars(klass)["__init__"]).parameters)
    return names - {"self", "kwargs"}


def deserialize_layer(spec: dict, source: str = "config", custom_objects: dict | None = None):
    """A layer (or nested model) from Keras's dict; an unknown class is refused by name."""
    if not isinstance(spec, dict) or "class_name" not in spec:
        raise ValueError(f"{source}: a layer entry needs a 'class_name', got {spec!r}")
    name = spec["class_name"]
    table = {**layer_classes(), **(custom_objects or {})}
    if name not in table:
        raise ValueError(f"{source}: layer class {name!r} (layer {spec.get('config', {}).get('name')!r}) "
                         f"is not one minidl has; minidl's layers: {sorted(table)}")
    cls = table[name]
    config = spec.get("config", {})
    if name in ("Functional", "Model", "Sequential"):
        return model_from_config(spec, source, custom_objects)
    return cls.from_config(clean_config(name, config, source))


# ---- whole models ------------------------------------------------------------------
def model_config(model) -> dict:
    """``model.get_config()``: Sequential's ``layers`` list, or Keras's functional graph."""
    from .sequential import Sequential
    base = {"name": model.name, "trainable": model.trainable}
    if isinstance(model, Sequential):
        entries = []
        if model._input is not None:
            entries.append(serialize_layer(model._input.layer))
        entries += [serialize_layer(layer) for layer in model.layers]
        base["layers"] = entries
        if model.graph is not None:
            base["build_input_shape"] = _jsonable(model.graph.inputs[0].shape)
        return base
    graph = model._require_graph("get_config")
    node_index = _node_indices(graph)
    entries = []
    for layer in graph.all_layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        nodes = [n for n in graph.nodes if n.layer is layer]
        entry["inbound_nodes"] = [_node_spec(n, node_index) for n in nodes]
        entries.append(entry)
    base["layers"] = entries
    base["input_layers"] = [_history(t, node_index) for t in graph.inputs]
    outs = [_history(t, node_index) for t in graph.outputs]
    base["output_layers"] = outs[0] if model._single_output else outs
    return base


def _node_indices(graph) -> dict[int, int]:
    """Node id -> its index among its layer's nodes (Keras's ``keras_history`` middle entry)."""
    return {id(n): n.layer._inbound_nodes.index(n) for n in [*(t.node for t in graph.inputs), *graph.nodes]}


def _history(t, node_index) -> list:
    return [t.node.layer.name, node_index[id(t.node)], t.index]


def _node_spec(node, node_index) -> dict:
    tensors = [{"class_name": "__keras_tensor__",
                "config": {"shape": _jsonable(t.shape), "dtype": t.dtype, "keras_history": _history(t, node_index)}}
               for t in node.inputs]
    return {"args": [tensors if node.structure == "list" else tensors[0]], "kwargs": _jsonable(node.call_kwargs)}


def model_from_config(spec: dict, source: str = "config", custom_objects: dict | None = None):
    """Rebuild a model from Keras's dict (``{"class_name", "config"}``) or a bare config."""
    from .functional import Model
    from .sequential import Sequential
    class_name = spec.get("class_name", "Functional") if "config" in spec else (
        "Functional" if "input_layers" in spec else "Sequential")
    config = spec["config"] if "config" in spec else spec
    if class_name == "Sequential":
        layers = [deserialize_layer(e, source, custom_objects) for e in config.get("layers", [])]
        model = Sequential(layers, name=config.get("name"))
        if model.graph is None and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
    if class_name not in ("Functional", "Model"):
        raise ValueError(f"{source}: model class {class_name!r} is not one minidl has "
                         "(Functional, Sequential)")
    return _functional_from_config(config, source, custom_objects)


def _functional_from_config(config: dict, source: str, custom_objects) -> Any:
    from .functional import Model
    made: dict[str, Any] = {}
    outputs: dict[tuple, Any] = {}  # (layer name, node index, tensor index) -> tensor
    pending = list(config["layers"])
    for entry in pending:
        name = entry.get("name") or entry["config"]["name"]
        if entry["class_name"] == "InputLayer":
            cfg = clean_config("InputLayer", entry["config"], source)
            layer = layers_module.InputLayer(**cfg)
            made[name] = layer
            outputs[(name, 0, 0)] = layer.tensor
        else:
            made[name] = deserialize_layer(entry, source, custom_objects)
    # Keras lists layers in an order where a node's inputs may come later: retry until done.
    todo = [(e.get("name") or e["config"]["name"], i, n) for e in pending for i, n in
            enumerate(e.get("inbound_nodes", []))]
    while todo:
        left = []
        for name, index, node in todo:
            args = _resolve(node["args"][0], outputs)
            if args is None:
                left.append((name, index, node))
                continue
            # Keras records mask=None / training=None on some calls: no meaning without masks
            kwargs = {k: v for k, v in node.get("kwargs", {}).items() if not (k in ("mask", "training") and v is None)}
            result = made[name](args, **kwargs)
            for k, t in enumerate(result if isinstance(result, list) else [result]):
                outputs[(name, index, k)] = t
        if len(left) == len(todo):
            raise ValueError(f"{source}: the functional graph cannot be wired: nodes of "
                             f"{sorted({n for n, _, _ in left})} wait on tensors that never appear")
        todo = left

    def tensors(spec):
        if spec and isinstance(spec[0], str):
            return outputs[tuple(spec)]
        return [outputs[tuple(s)] for s in spec]
    return Model(tensors(config["input_layers"]), tensors(config["output_layers"]), name=config.get("name"))


def _resolve(arg, outputs):
    if isinstance(arg, list):
        items = [_resolve(a, outputs) for a in arg]
        return None if any(i is None for i in items) else items
    key = tuple(arg["config"]["keras_history"])
    return outputs.get(key)
