"""Exercise 9: MNIST with one fixed random permutation of the pixels (figs 26-27).

The same permutation of the 784 pixels (drawn from the run's seed) is
applied to training and test images; the dense and conv networks of
exercise 8 train on original and on permuted pixels.  Report: conv on
permuted pixels 93.8 %.  Default epochs as exercise 8 (100).

The original-pixel runs are exactly exercise 8's: when a complete
exercise-8 results file with the same seed, mode, epochs and data sizes is
in ``out``, its histories are reused (and the results say so) instead of
training the same two networks again; ``reuse=False`` always retrains.
"""
from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

from . import ej08_mnist, figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, exercise_dir, pick_epochs,
                     resolve_data_dir, results_path, subtitle, write_results)
from .mnist_nets import BATCH, LR, NETS, MnistData, build, load, permute_pixels

EXERCISE = "ej09_permuted_mnist"
EPOCHS, QUICK_EPOCHS = ej08_mnist.EPOCHS, ej08_mnist.QUICK_EPOCHS


def build_model(net: str = "conv") -> keras.Model:
    """The exercise-8 network (``'dense'`` or ``'conv'``); the data, not the model, changes."""
    return build(net)


def permutation(seed: int) -> np.ndarray:
    """The fixed pixel permutation used for a given seed."""
    return np.random.default_rng(seed).permutation(784)


def _reusable_ej08(out: str | Path, quick: bool, seed: int, n_epochs: int,
                   data: MnistData) -> dict | None:
    """Exercise-8 results with identical setup, or None."""
    path = results_path(out, ej08_mnist.EXERCISE, quick, seed)
    if not path.is_file():
        return None
    try:
        res = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    same = (res.get("status") == "complete"
            and res.get("setup", {}).get("n_train") == len(data.x_train)
            and res.get("setup", {}).get("n_val") == len(data.x_val)
            and res.get("data", {}).get("source") == data.source.get("source")
            and all(res.get("epochs_reached", {}).get(n) == n_epochs for n in NETS))
    return res if same else None


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0,
        synthetic: bool = False, reuse: bool = True, nets: tuple[str, ...] = NETS,
        original: bool = True) -> dict:
    """Train on permuted pixels (and original ones unless reusable); figs 26-27 + JSON.

    ``nets`` restricts the networks; ``original=False`` skips the original-pixel runs.
    """
    for net in nets:
        if net not in NETS:
            raise ValueError(f"unknown network {net!r}; choose from {NETS}")
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        n_train, n_val = (ej08_mnist.QUICK_TRAIN, ej08_mnist.QUICK_VAL) if quick else (None, None)
        data = load(data_dir, n_train, n_val, seed=seed, synthetic=synthetic)
        perm = permutation(seed)
        permuted = MnistData(permute_pixels(data.x_train, perm), data.y_train,
                             permute_pixels(data.x_val, perm), data.y_val, data.source)
        record = RunRecord(
            exercise=EXERCISE, title="MNIST, original vs permuted pixels", seed=seed, quick=quick,
            setup={"optimizer": "SGD", "lr": LR, "loss": "categorical_crossentropy",
                   "batch_size": BATCH, "permutation": f"np.random.default_rng({seed}).permutation(784)",
                   "n_train": len(data.x_train), "n_val": len(data.x_val)},
            data=data.source)
        hists = ej08_mnist.train_nets(permuted, record, n_epochs, seed, out,
                                      {n: f"{n}_permuted" for n in nets}, verbose)
        previous = _reusable_ej08(out, quick, seed, n_epochs, data) if reuse and original else None
        if not original:
            record.notes.append("original-pixel runs skipped (original=False)")
        elif previous is not None:
            for n in nets:
                record.add_history(f"{n}_original", previous["histories"][n], n_epochs)
                record.params[f"{n}_original"] = previous["params"][n]
                if n in previous.get("train_seconds", {}):
                    record.train_seconds[f"{n}_original"] = previous["train_seconds"][n]
                hists[f"{n}_original"] = previous["histories"][n]
            record.notes.append("original-pixel histories reused from "
                                f"{results_path(out, ej08_mnist.EXERCISE, quick, seed)}")
        else:
            hists.update(ej08_mnist.train_nets(data, record, n_epochs, seed, out,
                                               {n: f"{n}_original" for n in nets}, verbose))
        record.figures = [str(p) for p in make_figures(hists, record, exercise_dir(out, EXERCISE))]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()


def make_figures(hists: dict[str, dict[str, list[float]]], record: RunRecord,
                 folder: Path) -> list[Path]:
    """Figures 26 (validation accuracy) and 27 (validation loss / max)."""
    sub = subtitle(record.data, seed=record.seed, quick=record.quick,
                   extra=f"{record.setup['n_train']} train / {record.setup['n_val']} validation")
    keys = [f"{n}_{kind}" for n in NETS for kind in ("original", "permuted")
            if f"{n}_{kind}" in hists]
    label = lambda k: f"{k.split('_')[0]}, {k.split('_')[1]} pixels (validation)"  # noqa: E731
    styles = {label(k): ("--" if k.endswith("permuted") else "-") for k in keys}
    return [
        figures.curves(folder, 26, "permuted_mnist_accuracy",
                       "Fig. 26 — MNIST original vs permuted pixels: validation accuracy",
                       {label(k): hists[k].get("val_accuracy", []) for k in keys},
                       "accuracy", subtitle=sub, styles=styles),
        figures.curves(folder, 27, "permuted_mnist_loss",
                       "Fig. 27 — MNIST original vs permuted pixels: validation loss normalized to its maximum",
                       {label(k): hists[k].get("val_loss", []) for k in keys},
                       "categorical cross-entropy", normalize=True, subtitle=sub, styles=styles),
    ]
