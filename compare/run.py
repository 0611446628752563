"""Train one spec in minidl and in Keras in lockstep and record how far apart they are.

The procedure that makes the two runs comparable:

1. both frameworks use the same float precision (``build.set_precision``);
2. minidl initializes its weights from the seed; the Keras model receives
   them through ``set_weights``;
3. each epoch draws one permutation from ``numpy.random.default_rng([seed, 1])``
   and both models ``fit`` one epoch on the permuted arrays with
   ``shuffle=False``, so they see the same batches in the same order;
4. after each epoch the histories, the weight difference and the divergence
   table are written (atomically) to the run folder; figures at the end, every
   minute or so, and on an interrupt, which keeps every finished epoch.

Files in the run folder: ``run.json`` (spec, data, precision, status, times),
``history_minidl.json``, ``history_keras.json`` (Keras-style ``{key: [per
epoch]}``), ``divergence.json`` / ``divergence.md`` and the figures of
:mod:`compare.plots`.
"""
from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import build, data as data_module, divergence, files, plots
from .specs import Spec

FIGURE_INTERVAL_S = 60.0
_stop_requested = False


def request_stop() -> None:
    """Ask the running loop to stop after the epoch in progress (as an interrupt; used for SIGTERM)."""
    global _stop_requested
    _stop_requested = True


@dataclass
class RunOptions:
    """What the CLI can change about a spec's run; None keeps the spec's value."""

    out_dir: str
    precision: str = "float32"
    epochs: int | None = None
    batch_size: int | None = None
    seed: int | None = None
    data_dir: str | None = None
    synthetic: bool = False
    full: bool = False
    train_size: int | None = None
    test_size: int | None = None
    figures: bool = True
    round_l2: bool = False


@dataclass
class RunResult:
    out_dir: str
    status: str
    epochs_done: int
    summary: dict[str, Any]
    data_label: str


def resolve(spec: Spec, opts: RunOptions) -> Spec:
    """The spec with the CLI's overrides applied (``--full``: the report's epochs on all data)."""
    changes: dict[str, Any] = {}
    if opts.full:
        changes.update(epochs=spec.full_epochs, train_size=None, test_size=None)
    for field in ("epochs", "batch_size", "seed", "train_size", "test_size"):
        value = getattr(opts, field)
        if value is not None:
            changes[field] = value
    return spec.replace(**changes) if changes else spec


def _versions() -> dict[str, str]:
    import minidl
    keras = build.import_keras()
    import tensorflow as tf
    return {"python": platform.python_version(), "numpy": np.__version__, "minidl": minidl.__version__,
            "keras": keras.__version__, "tensorflow": tf.__version__, "keras_backend": keras.backend.backend()}


def run_spec(spec: Spec, opts: RunOptions, log: Callable[[str], None] = print) -> RunResult:
    """Run ``spec`` (after :func:`resolve`) in both frameworks; write everything into ``opts.out_dir``.

    Sets the precision of both frameworks for this process (Keras's floatx is
    global: run different precisions in different processes). A
    ``KeyboardInterrupt`` stops after writing the finished epochs and the
    figures; it is then re-raised.
    """
    spec = resolve(spec, opts)
    build.set_precision(opts.precision)
    dtype = opts.precision
    data = data_module.load(spec, dtype, data_dir=opts.data_dir, synthetic=opts.synthetic,
                            train_size=spec.train_size, test_size=spec.test_size)
    md, km = build.build_pair(spec, round_l2=opts.round_l2)
    w0_rel, _ = divergence.weight_difference(md.get_weights(), km.get_weights())
    out = opts.out_dir
    os.makedirs(out, exist_ok=True)
    run: dict[str, Any] = {
        "setup": spec.name, "exercise": spec.exercise, "description": spec.description,
        "spec": spec.as_dict(), "precision": opts.precision, "data": data.info,
        "loss_path": build.loss_path(spec), "minidl_l2_rounded_to_float32": opts.round_l2,
        "shuffle": f"numpy default_rng([{spec.seed}, 1]).permutation per epoch",
        "initial_weights_rel_diff": w0_rel, "params": int(md.count_params()),
        "versions": _versions(), "status": "running", "epochs_planned": spec.epochs, "epochs_done": 0,
        "seconds": {"minidl": 0.0, "keras": 0.0},
    }
    hist: dict[str, dict[str, list[float]]] = {"minidl": {}, "keras": {}}
    rows: list[dict[str, Any]] = []
    header = (f"# {spec.name} ({spec.exercise}): minidl vs Keras, {opts.precision}, {data.info['label']}"
              + (f", {data.info['n_train']:,} train / {data.info['n_val']:,} test samples"
                 if spec.dataset == "cifar10" else ""))

    def write_json() -> None:
        files.write_json(os.path.join(out, "history_minidl.json"), hist["minidl"])
        files.write_json(os.path.join(out, "history_keras.json"), hist["keras"])
        files.write_json(os.path.join(out, "divergence.json"),
                         {"definitions": divergence.__doc__.split("Definitions", 1)[1].strip(),
                          "summary": divergence.summarize(rows), "epochs": rows})
        files.write_text(os.path.join(out, "divergence.md"), divergence.markdown(rows, header))
        files.write_json(os.path.join(out, "run.json"), run)

    def write_figures() -> None:
        if opts.figures and rows:
            plots.plot_run(out)

    validation = (data.x_val, data.y_val) if data.x_val is not None else None
    rng = np.random.default_rng([spec.seed, 1])
    n = len(data.x_train)
    write_json()
    last_fig = time.monotonic()
    log(f"{spec.name}: {spec.epochs} epoch(s), {data.info['label']}, {n} training samples, "
        f"batch {spec.batch_size}, {opts.precision} -> {out}")
    try:
        for epoch in range(spec.epochs):
            perm = rng.permutation(n)
            x, y = data.x_train[perm], data.y_train[perm]
            t0 = time.perf_counter()
            hm = md.fit(x, y, batch_size=spec.batch_size, epochs=1, shuffle=False, verbose=0,
                        validation_data=validation).history
            t1 = time.perf_counter()
            hk = km.fit(x, y, batch_size=spec.batch_size, epochs=1, shuffle=False, verbose=0,
                        validation_data=validation).history
            t2 = time.perf_counter()
            logs_m = {k: float(v[-1]) for k, v in hm.items()}
            logs_k = {k: float(v[-1]) for k, v in hk.items()}
            w_rel, w_abs = divergence.weight_difference(md.get_weights(), km.get_weights())
            row = divergence.epoch_row(epoch + 1, logs_m, logs_k, w_rel, w_abs, (t1 - t0, t2 - t1))
            # the epoch is recorded only once both frameworks finished it
            rows.append(row)
            for fw, logs in (("minidl", logs_m), ("keras", logs_k)):
                for k, v in logs.items():
                    hist[fw].setdefault(k, []).append(v)
            run["epochs_done"] = epoch + 1
            run["seconds"]["minidl"] += t1 - t0
            run["seconds"]["keras"] += t2 - t1
            if md.history.stop_reason:
                run["status"] = f"stopped: minidl {md.history.stop_reason}"
                break
            write_json()
            if _stop_requested:
                raise KeyboardInterrupt("stop requested")
            if time.monotonic() - last_fig > FIGURE_INTERVAL_S:
                write_figures()
                last_fig = time.monotonic()
        else:
            run["status"] = "finished"
    except KeyboardInterrupt:
        run["status"] = f"interrupted after {run['epochs_done']} of {spec.epochs} epochs"
        raise
    except Exception as exc:
        run["status"] = f"failed after {run['epochs_done']} epochs: {type(exc).__name__}: {exc}"
        raise
    finally:
        write_json()
        write_figures()
    return RunResult(out, run["status"], run["epochs_done"], divergence.summarize(rows), data.info["label"])
