"""Per-epoch checkpoints of a lockstep run, written atomically, for ``--resume``.

One ``.npz`` per (variant, seed) holds everything that decides the next
epoch's bits: both models' weights (Keras: every variable, so the Dropout
seed-generator states too), both optimizers' state, minidl's Dropout
generators, the NumPy generators that draw the batch order and the
augmentation, and the histories so far.

minidl has no public optimizer-state or layer-generator API yet (the
contract's ``optimizer.get_state()/set_state()`` is to come): the two
``_minidl_*`` helpers below are the clearly named workaround, reading
``optimizer._slots``/``iterations`` and ``Dropout._rng``; switch them to
``get_state``/``set_state`` once minidl has them.
"""
from __future__ import annotations

import io
import json
import os
from typing import Any

import numpy as np

from minidl import io as minidl_io
from minidl.models.saving import describe_file

CHECKPOINT = "a checkpoint of python -m compare (an .npz with the models' arrays and a 'state' JSON)"
RESULT = "a result document of python -m compare (a JSON object with 'exercise', 'mode', 'precision', " \
         "'framework', 'status' and 'runs')"


class CorruptFile(ValueError):
    """A results or checkpoint file that cannot be used: names the file, what it should hold, what it holds."""

    def __init__(self, path: str, expected: str, found: str):
        self.path, self.expected, self.found = path, expected, found
        super().__init__(f"{path!r} should hold {expected}, but holds {found}")


def _json_error(exc: json.JSONDecodeError, text: str) -> str:
    if not text.strip():
        return "nothing (an empty file)"
    return f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"


def read_json(path: str, expected: str) -> Any:
    """The parsed JSON of ``path``; CorruptFile when it is not readable JSON."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except IsADirectoryError:
        raise CorruptFile(path, expected, "a folder") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptFile(path, expected, f"binary data starting with {raw[:8]!r}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptFile(path, expected, _json_error(exc, text)) from None


def read_result(path: str) -> dict[str, Any]:
    """A result.json written by ``compare.lockstep``, its top level checked."""
    doc = read_json(path, RESULT)
    if not isinstance(doc, dict):
        raise CorruptFile(path, RESULT, f"a JSON {_json_kind(doc)}")
    missing = [k for k in ("exercise", "mode", "precision", "framework", "status", "runs") if k not in doc]
    if missing:
        raise CorruptFile(path, RESULT, f"a JSON object without {missing}")
    if not isinstance(doc["runs"], dict) or not all(isinstance(r, dict) for r in doc["runs"].values()):
        raise CorruptFile(path, RESULT, f"'runs' as a {_json_kind(doc['runs'])}, not an object of runs")
    return doc


def longest_seeds(run: dict[str, Any]) -> list[dict[str, Any]]:
    """A variant's seeds that got furthest: a seed stopped early (resumable) would cut every
    curve and mean of its variant to its own length, so figures and tables leave it out
    until it catches up (the report's agreement table marks the run partial)."""
    seeds = run.get("seeds", [])
    most = max((rec.get("epochs_done", 0) for rec in seeds), default=0)
    return [rec for rec in seeds if rec.get("epochs_done", 0) == most]


def _json_kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


# Layer names are drawn from a process-wide counter (dense_3, ...), so a model rebuilt for a
# resume may name its layers differently: slots and generators are stored by layer index.
def _minidl_optimizer_state(model: Any) -> tuple[dict[str, np.ndarray], int]:
    opt = model.optimizer
    index = {layer.name: i for i, layer in enumerate(model.layers)}
    if not hasattr(opt, "_slots"):
        raise RuntimeError(f"compare.checkpoint: cannot read the state of minidl optimizer {opt!r} "
                           "(no _slots); resume needs minidl's optimizer state API")
    arrays = {}
    for (layer, weight), slots in opt._slots.items():  # workaround: no public state API yet
        for name, arr in slots.items():
            arrays[f"{index[layer]}\x1f{weight}\x1f{name}"] = arr
    return arrays, int(opt.iterations)


def _minidl_set_optimizer_state(model: Any, arrays: dict[str, np.ndarray], iterations: int) -> None:
    opt = model.optimizer
    opt._slots = {}
    for key, arr in arrays.items():
        layer, weight, name = key.split("\x1f")
        opt._slots.setdefault((model.layers[int(layer)].name, weight), {})[name] = np.array(arr)
    opt.iterations = iterations


def _minidl_generators(model: Any) -> dict[str, Any]:
    return {str(i): layer._rng.bit_generator.state for i, layer in enumerate(model.layers) if hasattr(layer, "_rng")}


def _minidl_set_generators(model: Any, states: dict[str, Any]) -> None:
    for i, layer in enumerate(model.layers):
        if str(i) in states:
            layer._rng.bit_generator.state = states[str(i)]


def save(path: str, models: dict[str, Any], rngs: dict[str, np.random.Generator], meta: dict[str, Any]) -> None:
    """Write the checkpoint of ``models`` ({"minidl": m, "keras": k}), ``rngs`` and ``meta`` atomically."""
    arrays: dict[str, np.ndarray] = {}
    state: dict[str, Any] = {"meta": meta, "rngs": {k: g.bit_generator.state for k, g in rngs.items()}}
    if "minidl" in models:
        m = models["minidl"]
        for i, w in enumerate(m.get_weights()):
            arrays[f"m_w{i}"] = w
        slots, its = _minidl_optimizer_state(m)
        for i, (k, v) in enumerate(slots.items()):
            arrays[f"m_o{i}"] = v
        state["m_opt"] = {"keys": list(slots), "iterations": its}
        state["m_gen"] = _minidl_generators(m)
    if "keras" in models:
        k = models["keras"]
        for i, v in enumerate(k.variables):
            arrays[f"k_v{i}"] = np.asarray(v.numpy())
        for i, v in enumerate(k.optimizer.variables):
            arrays[f"k_o{i}"] = np.asarray(v.numpy())
    arrays["state"] = np.array(json.dumps(state, default=_plain))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    minidl_io.write_bytes(path, buf.getvalue())


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    raise TypeError(type(obj).__name__)


def _read(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and the parsed 'state' of a checkpoint; CorruptFile when unreadable."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:  # a folder, no permission: described below
        head = b""
    if not head.startswith(b"PK"):
        raise CorruptFile(path, CHECKPOINT, describe_file(path))
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as exc:  # zipfile, zlib, format errors: all mean a damaged archive
        found = describe_file(path)
        if "truncated" not in found:
            found += f" ({type(exc).__name__}: {exc})"
        raise CorruptFile(path, CHECKPOINT, found) from None
    if "state" not in arrays:
        raise CorruptFile(path, CHECKPOINT, f"an .npz without 'state' (arrays {sorted(arrays)[:5]}...)")
    text = str(arrays["state"])
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptFile(path, CHECKPOINT, f"a 'state' that is {_json_error(exc, text)}") from None
    if not isinstance(state, dict) or not isinstance(state.get("meta"), dict) \
            or not isinstance(state["meta"].get("record"), dict) or not isinstance(state.get("rngs"), dict):
        raise CorruptFile(path, CHECKPOINT, "a 'state' without the run's record and generators")
    return arrays, state


def check(path: str) -> None:
    """Read ``path`` as a checkpoint without applying it: CorruptFile when it cannot be one."""
    _read(path)


def _checked(path: str, arrays: dict[str, np.ndarray], state: dict[str, Any], models: dict[str, Any],
             rngs: dict[str, np.random.Generator]) -> None:
    """Every array and entry ``load`` will use is there with the models' shapes: checked before any is set."""
    def need(key: str, shape: tuple | None = None) -> None:
        if key not in arrays:
            raise CorruptFile(path, CHECKPOINT, f"no array {key!r}: a checkpoint of another model or framework")
        if shape is not None and arrays[key].shape != tuple(shape):
            raise CorruptFile(path, CHECKPOINT, f"array {key!r} of shape {arrays[key].shape} where the model "
                                                f"has {tuple(shape)}: a checkpoint of another model")
    missing = sorted(set(rngs) - set(state["rngs"]))
    if missing:
        raise CorruptFile(path, CHECKPOINT, f"no state for the generators {missing}")
    if "minidl" in models:
        if not isinstance(state.get("m_opt"), dict) or "keys" not in state["m_opt"] or "m_gen" not in state:
            raise CorruptFile(path, CHECKPOINT, "no minidl optimizer state: a checkpoint of a Keras-only run")
        for i, w in enumerate(models["minidl"].get_weights()):
            need(f"m_w{i}", w.shape)
        for i in range(len(state["m_opt"]["keys"])):
            need(f"m_o{i}")
    if "keras" in models:
        for i, v in enumerate(models["keras"].variables):
            need(f"k_v{i}", tuple(v.shape))


def load(path: str, models: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, Any]:
    """Restore ``models`` and ``rngs`` in place from ``path``; return the saved ``meta``.

    Everything is read and checked first: a corrupt checkpoint raises CorruptFile and changes nothing."""
    arrays, state = _read(path)
    _checked(path, arrays, state, models, rngs)
    try:
        return _apply(arrays, state, models, rngs)
    except (KeyError, ValueError, TypeError, IndexError) as exc:  # what the checks above cannot see
        raise CorruptFile(path, CHECKPOINT, f"entries this run cannot use ({type(exc).__name__}: {exc})") from None


def _apply(arrays: dict[str, np.ndarray], state: dict[str, Any], models: dict[str, Any],
           rngs: dict[str, np.random.Generator]) -> dict[str, Any]:
    for k, g in rngs.items():
        g.bit_generator.state = state["rngs"][k]
    if "minidl" in models:
        m = models["minidl"]
        n = len(m.get_weights())
        m.set_weights([arrays[f"m_w{i}"] for i in range(n)])
        keys = state["m_opt"]["keys"]
        slots = {key: arrays[f"m_o{i}"] for i, key in enumerate(keys)}
        _minidl_set_optimizer_state(m, slots, state["m_opt"]["iterations"])
        _minidl_set_generators(m, state["m_gen"])
    if "keras" in models:
        k = models["keras"]
        for i, v in enumerate(k.variables):
            v.assign(arrays[f"k_v{i}"])
        if not k.optimizer.built:
            k.optimizer.build(k.trainable_variables)
        for i, v in enumerate(k.optimizer.variables):
            v.assign(arrays[f"k_o{i}"])
    return state["meta"]


def exists(path: str) -> bool:
    return os.path.isfile(path)
