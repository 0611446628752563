"""Exercise 8: MNIST, dense vs convolutional network (figures 24-25).

Both networks (see :mod:`keras_ref.mnist_nets`) train with SGD lr 0.001,
categorical cross-entropy, batch 100; the 10,000 test images validate.
Report: conv 97.9 %, dense 93.67 %.  The report does not state the epochs:
100 is this module's default.
"""
from __future__ import annotations

from pathlib import Path

import keras

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, exercise_dir, param_counts, pick_epochs,
                     resolve_data_dir, seed_everything, subtitle, write_results)
from .mnist_nets import BATCH, LR, NETS, MnistData, build, load
from .training import fit

EXERCISE = "ej08_mnist"
EPOCHS, QUICK_EPOCHS = 100, 2
QUICK_TRAIN, QUICK_VAL = 3000, 1000
LABELS = {"dense": "dense (79,510 params)", "conv": "conv (6,000 params)"}


def build_model(net: str = "conv") -> keras.Model:
    """The exercise-8 ``'dense'`` or ``'conv'`` network, compiled."""
    return build(net)


def train_nets(data: MnistData, record: RunRecord, n_epochs: int, seed: int, out: str | Path,
               keys: dict[str, str], verbose: int = 0) -> dict[str, dict[str, list[float]]]:
    """Train each network named in ``keys`` (net -> record key) on ``data``."""
    hists = {}
    for net, key in keys.items():
        seed_everything(seed + NETS.index(net))  # same init whichever nets run
        model = build(net)
        record.params[key] = param_counts(model)
        hists[key] = fit(model, data.x_train, data.y_train, record=record, key=key,
                         epochs=n_epochs, batch_size=BATCH,
                         validation_data=(data.x_val, data.y_val), out=out, verbose=verbose)
        keras.backend.clear_session()
    return hists


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0,
        synthetic: bool = False, nets: tuple[str, ...] = NETS) -> dict:
    """Train both networks (or those in ``nets``); figures 24-25 and the results JSON."""
    for net in nets:
        if net not in NETS:
            raise ValueError(f"unknown network {net!r}; choose from {NETS}")
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        n_train, n_val = (QUICK_TRAIN, QUICK_VAL) if quick else (None, None)
        data = load(data_dir, n_train, n_val, seed=seed, synthetic=synthetic)
        record = RunRecord(
            exercise=EXERCISE, title="MNIST dense vs convolutional", seed=seed, quick=quick,
            setup={"optimizer": "SGD", "lr": LR, "loss": "categorical_crossentropy",
                   "batch_size": BATCH, "inputs": "pixels / 255", "n_train": len(data.x_train),
                   "n_val": len(data.x_val), "validation": "MNIST test images"},
            data=data.source)
        hists = train_nets(data, record, n_epochs, seed, out, {n: n for n in nets}, verbose)
        sub = subtitle(data.source, seed=seed, quick=quick,
                       extra=f"{len(data.x_train)} train / {len(data.x_val)} validation")
        folder = exercise_dir(out, EXERCISE)
        series = lambda metric: {f"{LABELS[n]} {part}": hists[n].get(  # noqa: E731
            f"{pre}{metric}", []) for n in nets for part, pre in (("train", ""), ("validation", "val_"))}
        styles = {f"{LABELS[n]} train": "--" for n in nets}
        record.figures = [str(p) for p in (
            figures.curves(folder, 24, "mnist_dense_vs_conv_accuracy",
                           "Fig. 24 — MNIST dense vs conv: accuracy", series("accuracy"),
                           "accuracy", subtitle=sub, styles=styles),
            figures.curves(folder, 25, "mnist_dense_vs_conv_loss",
                           "Fig. 25 — MNIST dense vs conv: loss normalized to its maximum",
                           series("loss"), "categorical cross-entropy", normalize=True,
                           subtitle=sub, styles=styles),
        )]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()
