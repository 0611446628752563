"""Shared helpers: seeding, atomic writes, results JSON, data sources.

Everything an exercise writes goes through :func:`atomic_write_text` (or
:func:`keras_ref.figures.save_figure`), so a reader never sees a half-written
file: the content goes to a temporary file in the same folder first and is
then moved over the target with :func:`os.replace`.
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from minidl import io as minidl_io

DEFAULT_OUT = Path("results") / "keras_ref"
"""Default output folder (git-ignored ``results/`` at the repository root)."""

RESULTS_SCHEMA = 1


class DataUnavailable(RuntimeError):
    """A data set an exercise needs is missing and no stand-in was asked for."""


# --------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------
def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and the Keras backend; return a NumPy Generator.

    Uses :func:`keras.utils.set_random_seed`, which seeds ``random``,
    ``numpy.random`` and TensorFlow at once.  The returned generator is the
    one exercises use for their own randomness (noise, permutations, folds).
    """
    import keras

    keras.utils.set_random_seed(int(seed))
    return np.random.default_rng(int(seed))


# --------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------
def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (``minidl.io``: temporary file + os.replace)."""
    return Path(minidl_io.write_bytes(path, data))


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return Path(minidl_io.write_text(path, text))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def atomic_write_json(path: str | os.PathLike[str], obj: Mapping[str, Any]) -> Path:
    """Write ``obj`` as indented JSON atomically; NumPy values become plain ones, non-finite floats null."""
    plain = json.loads(json.dumps(obj, default=_json_default))
    return Path(minidl_io.write_json(path, plain))


# --------------------------------------------------------------------------
# Histories, metrics, parameter counts
# --------------------------------------------------------------------------
def history_dict(history: Any) -> dict[str, list[float]]:
    """Plain ``{metric: [float per epoch]}`` from a Keras History or a dict."""
    hist = getattr(history, "history", history)
    return {str(k): [float(v) for v in vals] for k, vals in hist.items()}


def final_metrics(hist: Mapping[str, list[float]]) -> dict[str, float]:
    """Last-epoch value of every metric in ``hist`` (and the best val accuracy)."""
    out = {k: float(v[-1]) for k, v in hist.items() if len(v)}
    for key in ("val_accuracy", "val_binary_accuracy"):
        if key in hist and hist[key]:
            out[f"best_{key}"] = float(np.max(hist[key]))
            out[f"best_{key}_epoch"] = int(np.argmax(hist[key])) + 1
    return out


def param_counts(model: Any) -> dict[str, int]:
    """Total, trainable and non-trainable parameter counts of a built model."""
    trainable = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    non_trainable = int(sum(int(np.prod(w.shape)) for w in model.non_trainable_weights))
    return {"total": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable}


def normalized(values: Iterable[float]) -> np.ndarray:
    """``values / max(values)`` (the report's "loss normalized to its maximum")."""
    arr = np.asarray(list(values), dtype=float)
    peak = np.nanmax(np.abs(arr)) if arr.size else 1.0
    return arr / peak if peak else arr


# --------------------------------------------------------------------------
# Data sources
# --------------------------------------------------------------------------
def resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> str | None:
    """``data_dir`` if given, else ``$MINIDL_DATA_DIR``, else None (loader default)."""
    if data_dir is not None:
        return str(data_dir)
    env = os.environ.get("MINIDL_DATA_DIR")
    return env or None


def datasets_module() -> Any:
    """Import :mod:`minidl.datasets` with a clear error when it is missing."""
    try:
        import minidl.datasets as ds
    except ImportError as exc:  # pragma: no cover - depends on the repo state
        raise DataUnavailable(
            "minidl.datasets is not importable; keras_ref loads every data set "
            f"through it ({exc})"
        ) from exc
    return ds


def _loader(name: str) -> Any:
    import importlib

    datasets_module()
    try:
        return importlib.import_module(f"minidl.datasets.{name}")
    except ImportError as exc:
        raise DataUnavailable(f"minidl.datasets.{name} is not available ({exc})") from exc


def describe_source(name: str, data_dir: str | None) -> dict[str, Any]:
    """``minidl.datasets.describe(name)`` as a JSON-friendly dict.

    Falls back to the loader's own ``locate(data_dir)`` (the record
    ``describe`` is built from) while ``describe`` itself is missing.
    """
    ds = datasets_module()
    if hasattr(ds, "describe"):
        info = dict(ds.describe(name, data_dir=data_dir))
    else:
        module = _loader(name)
        if not hasattr(module, "locate"):
            raise DataUnavailable(f"cannot describe the data source of {name}: "
                                  "minidl.datasets has no describe()")
        info = module.locate(data_dir).as_dict()
    return json.loads(json.dumps(info, default=str))


def load_real(name: str, data_dir: str | None, **kwargs: Any) -> Any:
    """Call ``minidl.datasets.<name>.load_data``; missing files -> DataUnavailable."""
    module = _loader(name)
    try:
        return module.load_data(data_dir=data_dir, **kwargs)
    except (FileNotFoundError, OSError) as exc:
        where = data_dir or "$MINIDL_DATA_DIR / the loader's default"
        raise DataUnavailable(
            f"the real {name} data set was not found ({where}): {exc}. "
            "Point --data-dir or MINIDL_DATA_DIR at a folder holding it."
        ) from exc


def synthetic_source(name: str) -> dict[str, Any]:
    """Data-source record for a synthetic stand-in (``describe(..., synthetic=True)``)."""
    ds = datasets_module()
    info = dict(ds.describe(name, synthetic=True))
    info["synthetic"] = True
    return json.loads(json.dumps(info, default=str))


def load_synthetic(name: str, n_train: int, n_test: int, seed: int, **kw: Any) -> Any:
    """``minidl.datasets.synthetic(name, ...)``: only called when explicitly asked for."""
    return datasets_module().synthetic(name, n_train=n_train, n_test=n_test, seed=seed, **kw)


def dataset_label(source: Mapping[str, Any]) -> str:
    """Human label for titles: marks synthetic and lossy sources."""
    name = str(source.get("name", "?"))
    pretty = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "mnist": "MNIST", "imdb": "IMDB",
              "boston_housing": "Boston housing", "pima": "Pima diabetes"}.get(name, name)
    if source.get("source") == "generated":
        return f"generated samples ({pretty})"
    if source.get("synthetic") or source.get("source") == "synthetic":
        return f"SYNTHETIC stand-in for {pretty}"
    if source.get("lossy"):
        return f"lossy {pretty}"
    return pretty


def is_synthetic(source: Mapping[str, Any]) -> bool:
    """True when the data-source record describes synthetic data."""
    return bool(source.get("synthetic") or source.get("source") == "synthetic")


# --------------------------------------------------------------------------
# Results files
# --------------------------------------------------------------------------
@dataclass
class RunRecord:
    """Everything one run of an exercise reports; serialised to results JSON."""

    exercise: str
    title: str
    seed: int
    quick: bool
    setup: dict[str, Any]
    data: dict[str, Any]
    epochs_requested: dict[str, int] = field(default_factory=dict)
    epochs_reached: dict[str, int] = field(default_factory=dict)
    final: dict[str, dict[str, float]] = field(default_factory=dict)
    params: dict[str, dict[str, int]] = field(default_factory=dict)
    histories: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    wall_time_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    status: str = "running"
    train_seconds: dict[str, float] = field(default_factory=dict)

    def add_history(self, key: str, hist: Mapping[str, list[float]], epochs: int) -> None:
        """Record one trained model's history, final metrics and epochs."""
        plain = {k: [float(x) for x in v] for k, v in hist.items()}
        self.histories[key] = plain
        self.final[key] = final_metrics(plain)
        self.epochs_requested[key] = int(epochs)
        self.epochs_reached[key] = max((len(v) for v in plain.values()), default=0)

    def to_json(self) -> dict[str, Any]:
        """The JSON document written to the results file."""
        return {
            "schema": RESULTS_SCHEMA,
            "exercise": self.exercise,
            "title": self.title,
            "mode": "quick" if self.quick else "full",
            "status": self.status,
            "seed": self.seed,
            "setup": self.setup,
            "data": self.data,
            "epochs_requested": self.epochs_requested,
            "epochs_reached": self.epochs_reached,
            "final": self.final,
            "params": self.params,
            "wall_time_s": round(self.wall_time_s, 2),
            "train_seconds": {k: round(v, 2) for k, v in self.train_seconds.items()},
            "figures": self.figures,
            "notes": self.notes,
            "environment": environment(),
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "histories": self.histories,
        }


def environment() -> dict[str, str]:
    """Versions that matter for reproducing a run."""
    import keras

    try:
        import tensorflow as tf

        tf_version = tf.__version__
    except ImportError:  # pragma: no cover
        tf_version = "absent"
    return {"python": platform.python_version(), "numpy": np.__version__,
            "keras": keras.__version__, "tensorflow": tf_version,
            "backend": keras.backend.backend()}


def results_path(out: str | os.PathLike[str], exercise: str, quick: bool, seed: int) -> Path:
    """Where a run's JSON goes: ``OUT/<exercise>/results_<mode>_seed<S>.json``."""
    mode = "quick" if quick else "full"
    return Path(out) / exercise / f"results_{mode}_seed{seed}.json"


def write_results(record: RunRecord, out: str | os.PathLike[str], final: bool = False) -> Path:
    """Write a run's results JSON atomically and return its path.

    ``final=True`` marks the run complete (partial writes during training
    leave ``status: running``, so an interrupted run is recognisable).
    """
    if final:
        record.status = "complete"
    return atomic_write_json(results_path(out, record.exercise, record.quick, record.seed),
                             record.to_json())


class Stopwatch:
    """Wall-clock timer: ``with Stopwatch() as sw: ...; sw.seconds``."""

    def __enter__(self) -> "Stopwatch":
        self._t0 = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0

    def elapsed(self) -> float:
        """Seconds since the block was entered."""
        return time.perf_counter() - self._t0


def pick_epochs(epochs: int | None, quick: bool, full: int, quick_default: int) -> int:
    """Epoch count: explicit ``epochs`` wins, else the quick or the full default."""
    if epochs is not None:
        if int(epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        return int(epochs)
    return quick_default if quick else full


def take(n: int | None, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """First ``n`` rows of each array (all rows when ``n`` is None)."""
    if n is None:
        return tuple(arrays)
    return tuple(a[:n] for a in arrays)


def exercise_dir(out: str | os.PathLike[str], exercise: str) -> Path:
    """``OUT/<exercise>``, created if needed."""
    path = Path(out) / exercise
    path.mkdir(parents=True, exist_ok=True)
    return path


def subtitle(source: Mapping[str, Any], *, seed: int, quick: bool, extra: str = "") -> str:
    """Second title line: data label, seed, quick-mode marker and extras."""
    parts = [dataset_label(source), f"seed {seed}"]
    if extra:
        parts.append(extra)
    if quick:
        parts.append("QUICK run (few epochs, data slice)")
    return " · ".join(parts)
