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


def load(path: str, models: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, Any]:
    """Restore ``models`` and ``rngs`` in place from ``path``; return the saved ``meta``."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    state = json.loads(str(arrays["state"]))
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
