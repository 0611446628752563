"""Train one exercise in minidl and in Keras in lockstep, and write one result JSON.

How two runs are made comparable, per (variant, seed):

1. precision: ``minidl.config.set_floatx`` and ``keras.config.set_floatx``
   before anything is built (Keras keeps it process-wide); in float64 runs
   Keras's Python-float constants that it would round through float32 (the
   regularizers' factors, Adam's betas: ``ops.cast(0.01, "float64")`` goes
   through a float32 tensor on TensorFlow) are handed to it as NumPy float64
   (``exact_float64_constants``), so both libraries compute the same float64 math;
2. weights: minidl initializes from the seed (``minidl.utils.set_random_seed``)
   and Keras receives them with ``set_weights``; Keras's own generator
   (Dropout masks) is seeded with ``keras.utils.set_random_seed`` — the two
   libraries draw different masks, so Dropout variants are repeated over
   ``seeds`` and compared as mean and spread;
3. batches: each epoch one permutation from ``default_rng([seed, 1])``; both
   ``fit`` one epoch on the permuted arrays with ``shuffle=False``; an
   augmentation (ej10) is drawn in NumPy from ``default_rng([seed, 2])`` and
   fed to both;
4. after each epoch: weights compared, the divergence row appended, the
   checkpoint (``compare.checkpoint``) and the result JSON written atomically
   (merged with what other processes training other seeds or variants of the
   same exercise wrote: ``compare.resultfile``).

Result: ``OUT/<exercise>/<quick|full>_<precision>/result.json`` (schema in
:func:`new_result`), figures beside it, ``ckpt/`` for ``--resume``.
"""
from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import checkpoint, divergence
from .resultfile import ResultFile, exercise_status, placeholder, status_of, training
from .exercises import Data, Exercise

SCHEMA = 2
LIBS = ("minidl", "keras")
_stop_requested = False


def request_stop() -> None:
    """Stop after the epoch in progress (SIGTERM); the run stays resumable."""
    global _stop_requested
    _stop_requested = True


@dataclass
class Options:
    """What a run can change; None keeps the exercise's value."""

    out: str = "results/compare"
    framework: str = "both"
    quick: bool = False
    epochs: int | None = None
    precision: str = "float32"
    seeds: int = 1
    seed: int | None = None  # train only this seed of each variant (other processes train the rest)
    data_dir: str | None = None
    variants: list[str] | None = None
    limit: int | None = None
    resume: bool = False
    progress: bool = True
    figures: bool = True
    time_limit: float | None = None
    log: Callable[[str], None] = field(default=print)

    @property
    def libs(self) -> tuple[str, ...]:
        return LIBS if self.framework == "both" else (self.framework,)


def import_keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")  # per-epoch fit calls on several models trip the retracing warning
    return keras


def set_precision(precision: str) -> None:
    if precision not in ("float32", "float64"):
        raise ValueError(f"precision={precision!r} must be 'float32' or 'float64'")
    import minidl
    minidl.config.set_floatx(precision)
    keras = import_keras()
    keras.config.set_floatx(precision)
    # Keras caches its global dtype policy from floatx the first time a layer is built: without
    # this, a float64 run after a float32 one in the same process builds float32 Keras weights
    keras.config.set_dtype_policy(precision)


def run_folder(out: str, ex: Exercise, quick: bool, precision: str) -> str:
    return os.path.join(out, ex.name, f"{'quick' if quick else 'full'}_{precision}")


def _versions() -> dict[str, str]:
    import minidl
    keras = import_keras()
    import tensorflow as tf
    return {"python": platform.python_version(), "numpy": np.__version__, "minidl": minidl.__version__,
            "keras": keras.__version__, "tensorflow": tf.__version__, "keras_backend": keras.backend.backend()}


def new_result(ex: Exercise, opts: Options) -> dict[str, Any]:
    """The result document; ``runs[variant]["seeds"][i]`` holds one lockstep pair."""
    return {"schema": SCHEMA, "exercise": ex.name, "title": ex.title, "report": ex.report,
            "figures_in_report": list(ex.figures), "mode": "quick" if opts.quick else "full",
            "precision": opts.precision, "framework": opts.framework, "limit": opts.limit,
            "status": "running", "notes": list(ex.notes), "versions": _versions(),
            "published": [{"variants": list(p.variants), "key": p.key, "value": p.value, "text": p.text}
                          for p in ex.published],
            "runs": {}, "figures": []}


def _build(ex: Exercise, variant: str, seed: int, libs: tuple[str, ...]) -> dict[str, Any]:
    """Models for ``libs``: minidl draws the initial weights, Keras receives them."""
    import minidl
    minidl.utils.set_random_seed(seed)
    md = ex.build(minidl, variant)
    models = {"minidl": md} if "minidl" in libs else {}
    if "keras" in libs:
        keras = import_keras()
        keras.utils.set_random_seed(seed)
        km = ex.build(keras, variant)
        km.set_weights(md.get_weights())
        if keras.config.floatx() == "float64":
            exact_float64_constants(km)
        models["keras"] = km
    return models


def exact_float64_constants(model: Any) -> None:
    """Replace a Keras model's float regularizer factors (l1, l2) and optimizer betas by
    NumPy float64 scalars of the same value: Keras casts a Python float through float32
    (0.01 -> 0.009999999776), a NumPy float64 exactly. Call before the first ``fit``."""
    for layer in model._flatten_layers(include_self=False):
        for reg in {id(r): r for r in vars(layer).values() if hasattr(r, "get_config")
                    and type(r).__module__.startswith("keras.src.regularizers")}.values():
            for name in ("l1", "l2"):
                if isinstance(getattr(reg, name, None), float):
                    setattr(reg, name, np.float64(getattr(reg, name)))
    for name in ("beta_1", "beta_2"):
        if isinstance(getattr(model.optimizer, name, None), float):
            setattr(model.optimizer, name, np.float64(getattr(model.optimizer, name)))


def _load_data(ex: Exercise, variant: str, opts: Options) -> Data:
    data = ex.data(variant, opts.quick, opts.data_dir).astype(opts.precision)
    if opts.limit:
        n, nv = opts.limit, max(opts.limit // 2, 1)
        # per-validation-sample extras (e.g. ej01's raw LSTAT column) are cut like the validation set
        extra = {k: (v[:nv] if isinstance(v, np.ndarray) else v) for k, v in data.extra.items()}
        data = Data(data.x_train[:n], data.y_train[:n],
                    None if data.x_val is None else data.x_val[:nv],
                    None if data.y_val is None else data.y_val[:nv],
                    data.label + f" · first {n} samples", {**data.info, "limit": n}, extra)
    return data


def preflight(ex: Exercise, opts: Options) -> None:
    """The files a run of ``ex`` will read back, read now, before any training: under ``resume``
    its result.json and every checkpoint (``checkpoint.CorruptFile`` names a damaged one)."""
    if not opts.resume:
        return
    folder = run_folder(opts.out, ex, opts.quick, opts.precision)
    path = os.path.join(folder, "result.json")
    if os.path.exists(path):
        checkpoint.read_result(path)
    ckpt = os.path.join(folder, "ckpt")
    if os.path.isdir(ckpt):
        for name in sorted(os.listdir(ckpt)):
            if name.endswith(".npz"):
                checkpoint.check(os.path.join(ckpt, name))


def run_exercise(ex: Exercise, opts: Options) -> dict[str, Any]:
    """Train every chosen variant (and seed) of ``ex``; write and return the result document."""
    set_precision(opts.precision)
    folder = run_folder(opts.out, ex, opts.quick, opts.precision)
    os.makedirs(os.path.join(folder, "ckpt"), exist_ok=True)
    rf = ResultFile(os.path.join(folder, "result.json"), os.path.join(folder, "ckpt", "result.lock"))
    result = new_result(ex, opts)
    on_disk = rf.read() if opts.resume else None
    if on_disk is not None:
        result["runs"] = on_disk["runs"]
    variants = opts.variants or ex.default_variants(opts.quick)
    for v in variants:
        ex.check_variant(v)
    deadline = None if opts.time_limit is None else time.monotonic() + opts.time_limit
    try:
        for variant in variants:
            _run_variant(ex, variant, opts, folder, result, rf, deadline)
        result["status"] = exercise_status(result)
    except KeyboardInterrupt:
        result["status"] = "interrupted (resumable with --resume)"
        raise
    finally:
        rf.write(result)
        if opts.figures:
            from . import figures
            result["figures"] = sorted(set(result.get("figures", [])) | set(figures.draw_exercise(ex, result, folder)))
            rf.write(result)
    return result


def _run_variant(ex: Exercise, variant: str, opts: Options, folder: str, result: dict, rf: ResultFile,
                 deadline: float | None) -> None:
    try:
        data = _load_data(ex, variant, opts)
    except FileNotFoundError as exc:
        result["runs"][variant] = {"status": "skipped", "reason": str(exc).splitlines()[0]}
        opts.log(f"{ex.name}/{variant}: skipped, data missing ({str(exc).splitlines()[0]})")
        return
    dropout = variant in ex.dropout
    n_seeds = opts.seeds if dropout else 1
    epochs = opts.epochs or ex.epochs_for(variant, opts.quick)
    run = result["runs"].get(variant) or {}
    run.update({"description": ex.variants.get(variant, variant), "dropout": dropout, "epochs": epochs,
                "batch_size": ex.batch_for(variant, data), "data": {**data.info, "label": data.label},
                "status": "running"})
    seeds = run.setdefault("seeds", [])
    result["runs"][variant] = run
    for seed in range(n_seeds):
        if opts.seed is not None and seed != opts.seed:
            continue
        if opts.resume and seed < len(seeds) and seeds[seed].get("status") == "finished" \
                and seeds[seed]["epochs_done"] >= epochs:
            continue  # (without --resume a run trains its pairs anew; the file's other records stay)
        ckpt = os.path.join(folder, "ckpt", f"{variant}_s{seed}.npz")
        with training(ckpt) as mine:
            if not mine:
                opts.log(f"{ex.name}/{variant} seed {seed}: skipped, another process is training it")
                continue
            rf.owned.add((variant, seed))
            _run_pair(ex, variant, seed, data, epochs, opts, ckpt, seeds, result, rf, deadline)
        rf.write(result)
    run["status"] = status_of(seeds)


def _run_pair(ex: Exercise, variant: str, seed: int, data: Data, epochs: int, opts: Options, ckpt: str,
              seeds: list[dict], result: dict, rf: ResultFile, deadline: float | None) -> dict[str, Any]:
    libs = opts.libs
    models = _build(ex, variant, seed, libs)
    params = {lib: int(m.count_params()) for lib, m in models.items()}
    rngs = {"shuffle": np.random.default_rng([seed, 1]), "augment": np.random.default_rng([seed, 2])}
    rec = {"seed": seed, "status": "running", "epochs_done": 0, "params": params,
           "histories": {lib: {} for lib in libs}, "divergence": [], "seconds": {lib: 0.0 for lib in libs}}
    if opts.resume and checkpoint.exists(ckpt):
        meta = checkpoint.load(ckpt, models, rngs)
        rec.update(meta["record"])
        opts.log(f"{ex.name}/{variant} seed {seed}: resumed after epoch {rec['epochs_done']}")
    while len(seeds) < seed:  # earlier seeds trained by other processes (--seed)
        seeds.append(placeholder(len(seeds)))
    if seed < len(seeds):
        seeds[seed] = rec
    else:
        seeds.append(rec)
    result["runs"][variant]["params"] = params
    batch = ex.batch_for(variant, data)
    val = (data.x_val, data.y_val) if data.x_val is not None else None
    bar = _progress(opts, f"{ex.name}/{variant} s{seed}", epochs, rec["epochs_done"])
    try:
        for epoch in range(rec["epochs_done"], epochs):
            perm = rngs["shuffle"].permutation(len(data.x_train))
            x, y = data.x_train[perm], data.y_train[perm]
            if ex.epoch_transform is not None:
                x = ex.epoch_transform(x, rngs["augment"]).astype(x.dtype, copy=False)
            logs, secs = {}, {}
            for lib in libs:
                t0 = time.perf_counter()
                h = models[lib].fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0,
                                    validation_data=val).history
                secs[lib] = time.perf_counter() - t0
                logs[lib] = {k: float(v[-1]) for k, v in h.items()}
            _record_epoch(rec, models, logs, secs, epoch + 1)
            checkpoint.save(ckpt, models, rngs, {"record": rec})
            rf.write(result)
            if bar is not None:
                bar.update(1)
                bar.set_postfix({f"{lib[0]}_loss": f"{logs[lib].get('loss', float('nan')):.4g}" for lib in libs})
            if _stop_requested or (deadline is not None and time.monotonic() > deadline):
                rec["status"] = f"stopped after {epoch + 1} of {epochs} epochs (resumable with --resume)"
                break
        else:
            rec["status"] = "finished"
    except KeyboardInterrupt:
        rec["status"] = f"interrupted after {rec['epochs_done']} of {epochs} epochs (resumable with --resume)"
        raise
    finally:
        if bar is not None:
            bar.close()
    if seed == 0 and ex.extra_figures is not None and opts.figures and rec["status"] == "finished":
        from .figures import subtitle
        result["figures"] = sorted(set(result.get("figures", [])) | set(
            ex.extra_figures(models, data, os.path.dirname(rf.path), subtitle(result, data.label))))
    return rec


def _record_epoch(rec: dict, models: dict, logs: dict, secs: dict, epoch: int) -> None:
    for lib, lg in logs.items():
        for k, v in lg.items():
            rec["histories"][lib].setdefault(k, []).append(v)
        rec["seconds"][lib] += secs[lib]
    if len(models) == 2:
        w_rel, w_abs = divergence.weight_difference(models["minidl"].get_weights(), models["keras"].get_weights())
        rec["divergence"].append(divergence.epoch_row(epoch, logs["minidl"], logs["keras"], w_rel, w_abs,
                                                      (secs["minidl"], secs["keras"])))
        rec["summary"] = divergence.summarize(rec["divergence"])
    rec["epochs_done"] = epoch


def _progress(opts: Options, desc: str, total: int, initial: int) -> Any:
    if not opts.progress:
        return None
    from tqdm import tqdm
    return tqdm(total=total, initial=initial, desc=desc, unit="epoch", leave=False, dynamic_ncols=True)
