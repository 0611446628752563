"""Exercise 2: the previous practice's problems in Keras (figures 4-9), Keras side.

The setups are declared once, for minidl and Keras alike, in
:mod:`compare.specs`; this module only builds and trains the *Keras* model
each spec describes (:func:`compare.build.keras_model`) on the spec's data
(:func:`compare.data.load`), with Keras's own seeded initialisation:

* ``cifar10-mse`` (2-3): figs 4-5, accuracy and loss;
* ``cifar10-cce`` and ``cifar10-cce-l2`` (2-4): figs 6-7, validation accuracy
  and validation loss normalized to its maximum;
* ``xor-221-01`` and ``xor-211-01`` (2-6, the report's Keras variant on
  {0, 1} with binary accuracy): figs 8-9.

The report's figures overlay the hand-written library's curves; that
overlay, with both frameworks started from identical weights, is
``python -m compare``'s job.  Figures here are titled "Keras side".
Epochs: each spec's ``full_epochs`` (400/500 for CIFAR-10, 300 for XOR) on
the whole CIFAR-10; quick mode: 2 epochs on the spec's short subset for
CIFAR-10 and the spec's short ``epochs`` for XOR.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import keras

from . import figures
from .common import (DEFAULT_OUT, DataUnavailable, RunRecord, Stopwatch, dataset_label,
                     exercise_dir, param_counts, pick_epochs, resolve_data_dir, seed_everything,
                     write_results)
from .training import fit

EXERCISE = "ej02_compare"
CIFAR_SETUPS = ("cifar10-mse", "cifar10-cce", "cifar10-cce-l2")
XOR_SETUPS = ("xor-221-01", "xor-211-01")
QUICK_CIFAR_EPOCHS = 2


class CompareSpecsMissing(NotImplementedError):
    """``compare.specs`` (the declarative exercise-2 setups) is not available."""


def compare_modules() -> tuple[ModuleType, ModuleType, ModuleType]:
    """``(compare.specs, compare.build, compare.data)`` or :class:`CompareSpecsMissing`."""
    try:
        return tuple(importlib.import_module(f"compare.{m}") for m in ("specs", "build", "data"))
    except ImportError as exc:
        raise CompareSpecsMissing(
            "exercise 2 (figures 4-9) is built from compare.specs, which is not importable "
            f"in this repository ({exc})") from exc


def build_model(spec_name: str) -> Any:
    """The compiled Keras model of the ``compare.specs`` setup ``spec_name``."""
    specs, build, _ = compare_modules()
    return build.keras_model(specs.get_spec(spec_name))


def _load(data_mod: ModuleType, spec: Any, data_dir: str | None, quick: bool,
          synthetic: bool) -> Any:
    """The spec's arrays: real data; synthetic only if the real set is missing and asked for."""
    sizes = ({"train_size": spec.train_size, "test_size": spec.test_size} if quick
             else {"train_size": None, "test_size": None})
    try:
        return data_mod.load(spec, "float32", data_dir=data_dir, **sizes)
    except (FileNotFoundError, OSError) as exc:
        if not synthetic or spec.dataset != "cifar10":
            raise DataUnavailable(f"{spec.name}: {exc}") from exc
        return data_mod.load(spec, "float32", synthetic=True, **sizes)


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0,
        synthetic: bool = False, setups: tuple[str, ...] = CIFAR_SETUPS + XOR_SETUPS) -> dict:
    """Train the Keras side of every setup; figures 4-9 and the results JSON."""
    specs, build, data_mod = compare_modules()
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        record = RunRecord(exercise=EXERCISE, title="P-3/P-4/P-6 in Keras (compare.specs)",
                           seed=seed, quick=quick, setup={}, data={})
        hists: dict[str, dict[str, list[float]]] = {}
        labels: dict[str, str] = {}
        cache: dict[tuple, Any] = {}  # the three CIFAR-10 setups share their arrays
        for name in setups:
            spec = specs.get_spec(name)
            key = (spec.dataset, spec.preprocessing, spec.train_size, spec.test_size)
            if key not in cache:
                cache[key] = _load(data_mod, spec, data_dir, quick, synthetic)
            data = cache[key]
            quick_default = QUICK_CIFAR_EPOCHS if spec.dataset == "cifar10" else spec.epochs
            n_epochs = pick_epochs(epochs, quick, spec.full_epochs, quick_default)
            seed_everything(seed)
            model = build.keras_model(spec)
            record.setup[name] = spec.as_dict()
            source = {"name": data.info.get("dataset"), **data.info}
            record.data[name] = source
            labels[name] = data.info.get("label") or dataset_label(source)
            record.params[name] = param_counts(model)
            validation = (data.x_val, data.y_val) if data.x_val is not None else None
            hists[name] = fit(model, data.x_train, data.y_train, record=record, key=name,
                              epochs=n_epochs, batch_size=spec.batch_size,
                              validation_data=validation, out=out, verbose=verbose)
            keras.backend.clear_session()
        record.figures = [str(p) for p in make_figures(hists, labels, record,
                                                       exercise_dir(out, EXERCISE))]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()


def _sub(labels: dict[str, str], names: tuple[str, ...], record: RunRecord) -> str:
    data = sorted({labels[n] for n in names if n in labels})
    parts = ["Keras side only (overlay with minidl: python -m compare)", *data, f"seed {record.seed}"]
    if record.quick:
        parts.append("QUICK run (few epochs, data slice)")
    return " · ".join(parts)


def make_figures(hists: dict[str, dict[str, list[float]]], labels: dict[str, str],
                 record: RunRecord, folder: Path) -> list[Path]:
    """Figures 4-9 from whichever setups were run."""
    paths: list[Path] = []
    if "cifar10-mse" in hists:
        h, sub = hists["cifar10-mse"], _sub(labels, ("cifar10-mse",), record)
        paths.append(figures.curves(folder, 4, "p3_mse_accuracy",
                                    "Fig. 4 — P-3 in Keras (CIFAR-10, MSE): accuracy",
                                    {"train": h.get("accuracy", []), "validation": h.get("val_accuracy", [])},
                                    "categorical accuracy", subtitle=sub))
        paths.append(figures.curves(folder, 5, "p3_mse_loss", "Fig. 5 — P-3 in Keras (CIFAR-10, MSE): loss",
                                    {"train": h.get("loss", []), "validation": h.get("val_loss", [])},
                                    "MSE + L2", subtitle=sub))
    cce = tuple(n for n in ("cifar10-cce", "cifar10-cce-l2") if n in hists)
    if cce:
        name = {"cifar10-cce": "CCE, L2 1e-4", "cifar10-cce-l2": "CCE, L2 0.05"}
        sub = _sub(labels, cce, record)
        paths.append(figures.curves(folder, 6, "p4_cce_val_accuracy",
                                    "Fig. 6 — P-4 in Keras (CIFAR-10, CCE): validation accuracy",
                                    {name[n]: hists[n].get("val_accuracy", []) for n in cce},
                                    "categorical accuracy", subtitle=sub))
        paths.append(figures.curves(folder, 7, "p4_cce_val_loss",
                                    "Fig. 7 — P-4 in Keras (CIFAR-10, CCE): validation loss normalized to its maximum",
                                    {name[n]: hists[n].get("val_loss", []) for n in cce},
                                    "CCE + L2", normalize=True, subtitle=sub))
    xor = tuple(n for n in XOR_SETUPS if n in hists)
    if xor:
        name = {"xor-221-01": "2 → 2 → 1", "xor-211-01": "2 → 1, output sees [input, hidden]"}
        sub = _sub(labels, xor, record)
        paths.append(figures.curves(folder, 8, "xor_accuracy",
                                    "Fig. 8 — XOR in Keras ({0,1} targets): binary accuracy",
                                    {name[n]: hists[n].get("accuracy", []) for n in xor},
                                    "binary accuracy", subtitle=sub))
        paths.append(figures.curves(folder, 9, "xor_loss", "Fig. 9 — XOR in Keras ({0,1} targets): MSE loss",
                                    {name[n]: hists[n].get("loss", []) for n in xor}, "MSE",
                                    subtitle=sub))
    return paths
