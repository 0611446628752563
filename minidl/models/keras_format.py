"""Keras 3's ``.keras`` files and ``.weights.h5`` files, through h5py.

A ``.keras`` file is a zip of ``metadata.json``, ``config.json`` (the
model's config, see ``models.config``, plus ``compile_config``) and
``model.weights.h5``. In the h5 file each layer's weights are
``layers/<key>/vars/0, 1, ...`` in the layer's weight order, ``<key>`` the
snake_case class name made unique by position (``dense``, ``dense_1``),
not the layer's name, as Keras's ``saving_lib`` walks ``model.layers``; a
nested model opens its own ``layers`` group. A compiled model's optimizer
is ``optimizer/vars``: iterations, learning rate, then the slots of each
trainable weight.
"""
from __future__ import annotations

import datetime
import io
import inspect
import json
import os
import warnings
import zipfile
from typing import Any

import numpy as np

from ..layers.node import snake_case
from .config import model_from_config, serialize_layer

KERAS_VERSION = "3.15.1"  # the format minidl writes (and is tested against)

#: Keras's optimizer variables per trainable weight, in its order -> minidl's slot names
_OPTIMIZER_SLOTS = {"Adam": ("m", "v"), "SGD": ("momentum",)}


def _h5py():
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is a dependency
        raise ImportError("minidl needs h5py for .keras and .weights.h5 files: pip install h5py") from None
    return h5py


# ---- walking the layers as Keras does ---------------------------------------------------
def _children(model) -> list[tuple[str, Any]]:
    """(h5 key, layer) for ``model.layers``, keys unique as Keras's ``_get_unique_name``."""
    from .config import keras_class_name
    used: dict[str, int] = {}
    out = []
    for layer in model.layers:
        base = snake_case(keras_class_name(layer))
        if base in used:
            used[base] += 1
            key = f"{base}_{used[base]}"
        else:
            used[base] = 0
            key = base
        out.append((key, layer))
    return out


def _weight_groups(layer) -> list[tuple[str, list]]:
    """(path below the layer's group, weight arrays) as Keras nests them: an RNN's
    weights under ``cell``, a Bidirectional's under ``forward_layer``/``backward_layer``,
    a TimeDistributed's under ``layer``; every other layer's directly."""
    from ..layers.recurrent import _Recurrent
    from ..layers.wrappers import Bidirectional, TimeDistributed
    if isinstance(layer, _Recurrent):
        return [("cell", layer.weights)]
    if isinstance(layer, Bidirectional):
        return [(f"{side}/{path}", ws) for side, sub in (("forward_layer", layer.forward_layer),
                                                          ("backward_layer", layer.backward_layer))
                for path, ws in _weight_groups(sub)]
    if isinstance(layer, TimeDistributed):
        return [(f"layer/{path}".rstrip("/"), ws) for path, ws in _weight_groups(layer.layer)]
    return [("", layer.weights)]


def _group_at(group, path: str, create: bool):
    for part in [p for p in path.split("/") if p]:
        group = (group.require_group(part) if create else group.get(part)) if group is not None else None
    return group


def _write_layers(group, model, seen: set[int]) -> None:
    from .functional import Model
    layers = group.create_group("layers")
    for key, layer in _children(model):
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        sub = layers.create_group(key)
        own = sub.create_group("vars")
        own.attrs["name"] = layer.name
        if isinstance(layer, Model):
            _write_layers(sub, layer, seen)
            continue
        for path, weights in _weight_groups(layer):
            target = own if not path else _group_at(sub, path, create=True).require_group("vars")
            for i, w in enumerate(weights):
                target.create_dataset(str(i), data=w)


def _read_layers(group, model, path: str, seen: set[int], assign: list) -> None:
    """Collect (layer, arrays) into ``assign``; checks counts and shapes, writes nothing."""
    from .functional import Model
    layers = group.get("layers")
    for key, layer in _children(model):
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        sub = None if layers is None else layers.get(key)
        if isinstance(layer, Model):
            if sub is None:
                raise ValueError(f"{path}: no weights for nested model {layer.name!r} (group layers/{key})")
            _read_layers(sub, layer, path, seen, assign)
            continue
        arrays = []
        for where, weights in _weight_groups(layer):
            vars_path = f"{where}/vars" if where else "vars"
            stored = _group_at(sub, vars_path, create=False)
            n = 0 if stored is None else len(stored.keys())
            if n != len(weights):
                raise ValueError(f"{path}: layer {layer.name!r} ({type(layer).__name__}) expects "
                                 f"{len(weights)} weight arrays under layers/{key}/{vars_path}, the file has {n}")
            arrays += [np.asarray(stored[str(i)]) for i in range(n)]
        for i, (w, a) in enumerate(zip(layer.weights, arrays)):
            if w.shape != a.shape:
                raise ValueError(f"{path}: layer {layer.name!r} weight {i} has shape {w.shape}, "
                                 f"the file has {a.shape}")
        assign.append((layer, arrays))


def write_weights_h5(model, target, with_optimizer: bool = True) -> None:
    """Every weight (and the optimizer's state, if compiled) to an h5 file or file object."""
    h5py = _h5py()
    with h5py.File(target, "w") as f:
        f.create_group("vars").attrs["name"] = model.name
        _write_layers(f, model, set())
        if with_optimizer and getattr(model, "optimizer", None) is not None:
            _write_optimizer(f, model)


def read_weights_h5(model, source, path: str) -> None:
    """Load every weight from an h5 file; all arrays are checked before any is written."""
    h5py = _h5py()
    try:
        f = h5py.File(source, "r")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable weights file (HDF5): {exc}") from None
    with f:
        assign: list = []
        _read_layers(f, model, path, set(), assign)
        for layer, arrays in assign:
            layer.set_weights(arrays)
        if "optimizer" in f and getattr(model, "optimizer", None) is not None:
            _read_optimizer(f["optimizer"], model, path)


# ---- optimizer state ------------------------------------------------------------------------
def _trainable_keys(model) -> list[tuple[tuple[str, str], np.ndarray]]:
    return [((layer.name, key), w) for layer in model._trainable_layers() for key, w in layer.params.items()]


def _write_optimizer(f, model) -> None:
    opt = model.optimizer
    group = f.create_group("optimizer").create_group("vars")
    group.attrs["name"] = opt.name
    group.create_dataset("0", data=np.int64(opt.iterations))
    group.create_dataset("1", data=np.float32(opt.learning_rate))
    names = _slot_names(opt)
    if names is None:
        return  # Keras then warns and keeps its fresh optimizer state
    i = 2
    for key, w in _trainable_keys(model):
        for name in names:
            slot = opt._slots.get(key, {}).get(name)
            group.create_dataset(str(i), data=np.zeros_like(w) if slot is None else slot)
            i += 1


def _slot_names(opt) -> tuple[str, ...] | None:
    """minidl's slot names in Keras's variable order, or None where minidl does not map them
    (SGD without momentum has no slots; AMSGrad adds a third)."""
    kind = type(opt).__name__
    if kind == "SGD" and not getattr(opt, "momentum", 0):
        return ()
    if kind == "Adam" and getattr(opt, "amsgrad", False):
        return None
    return _OPTIMIZER_SLOTS.get(kind)


def _read_optimizer(group, model, path: str) -> None:
    opt = model.optimizer
    stored = group.get("vars")
    names = _slot_names(opt)
    keys = _trainable_keys(model)
    if stored is None or len(stored.keys()) < 2:
        return
    expected = 2 + len(keys) * len(names or ())
    if names is None or len(stored.keys()) != expected:
        warnings.warn(f"{path}: optimizer state of {type(opt).__name__} not loaded (minidl reads "
                      f"{sorted(_OPTIMIZER_SLOTS)} with {expected} variables, the file has "
                      f"{len(stored.keys())}); the optimizer starts fresh", stacklevel=3)
        return
    opt.iterations = int(np.asarray(stored["0"]))
    slots: dict = {}
    i = 2
    for key, w in keys:
        for name in names:
            slots.setdefault(key, {})[name] = np.asarray(stored[str(i)]).astype(w.dtype)
            i += 1
    opt._slots = slots


# ---- .keras ----------------------------------------------------------------------------------
def _compile_config(model) -> dict | None:
    if getattr(model, "optimizer", None) is None:
        return None
    from .. import optimizers
    loss, loss_weights, metrics = model._compile_args
    return {"optimizer": optimizers.serialize(model.optimizer), "loss": _serialize_loss(loss),
            "loss_weights": loss_weights, "metrics": metrics, "weighted_metrics": None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _serialize_loss(loss):
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, (list, tuple)):
        return [_serialize_loss(l) for l in loss]
    if isinstance(loss, dict):
        return {k: _serialize_loss(v) for k, v in loss.items()}
    from .. import losses
    if isinstance(loss, losses.Loss) and not isinstance(loss, losses.LossFunctionWrapper):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    raise ValueError(f"cannot save the loss {loss!r} in a .keras file: use a name or a minidl Loss")


def _deserialize_loss(loss, path: str):
    if isinstance(loss, (list, tuple)):
        return [_deserialize_loss(l, path) for l in loss]
    if isinstance(loss, dict) and "class_name" not in loss:
        return {k: _deserialize_loss(v, path) for k, v in loss.items()}
    if isinstance(loss, dict):
        from .. import losses
        cls = getattr(losses, loss["class_name"], None)
        if not (isinstance(cls, type) and issubclass(cls, losses.Loss)):
            raise ValueError(f"{path}: loss {loss['class_name']!r} is not one minidl has")
        accepted = inspect.signature(cls.__init__).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        config = {k: v for k, v in loss.get("config", {}).items()
                  if k != "dtype" and (takes_any or k in accepted)}  # Keras writes keys minidl has no use for
        return cls(**config)
    return loss


def save_model(model, path: str | os.PathLike) -> None:
    """``model.save("m.keras")``: Keras 3's zip, written atomically."""
    from ..io import atomic_write
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"save writes Keras's .keras format: the path must end in .keras, got {path!r}")
    spec = serialize_layer(model)
    compile_config = _compile_config(model)
    if compile_config is not None:
        spec["compile_config"] = compile_config
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = io.BytesIO()
    write_weights_h5(model, weights)

    def write(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w") as z:
            z.writestr("metadata.json", json.dumps(metadata))
            z.writestr("config.json", json.dumps(spec))
            z.writestr("model.weights.h5", weights.getvalue())
    atomic_write(path, write)


def load_model(path: str | os.PathLike, custom_objects: dict | None = None, compile: bool = True):
    """Read a ``.keras`` file (written by Keras 3 or minidl) into a minidl model."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no file {path!r}")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = {"config.json", "model.weights.h5"} - names
            if missing:
                raise ValueError(f"load_model: {path!r} is not a .keras file: it lacks {sorted(missing)}")
            spec = json.loads(z.read("config.json"))
            weights = z.read("model.weights.h5")
    except (zipfile.BadZipFile, EOFError, OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"load_model: {path!r} is not a readable .keras file (truncated or damaged?): "
                         f"{exc}") from None
    model = model_from_config(spec, source=path, custom_objects=custom_objects)
    compile_config = spec.get("compile_config") if compile else None
    if compile_config:
        _compile(model, compile_config, path)
    read_weights_h5(model, io.BytesIO(weights), path)
    return model


def _compile(model, compile_config: dict, path: str) -> None:
    from .. import optimizers
    try:
        optimizer = optimizers.deserialize(compile_config["optimizer"])
    except ValueError as exc:
        warnings.warn(f"{path}: optimizer not restored ({exc}); using rmsprop", stacklevel=3)
        optimizer = "rmsprop"
    model.compile(optimizer=optimizer, loss=_deserialize_loss(compile_config.get("loss"), path),
                  loss_weights=compile_config.get("loss_weights"), metrics=compile_config.get("metrics"))
