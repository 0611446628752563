"""Exercise 3: IMDB sentiment with a dense network on count vectors (figs 10-13).

Each review becomes a 10,000-long vector of word counts.  The final network
(1,003,561 parameters, 200 of them non-trainable: BatchNorm's moving mean and
variance) is

    Dense 100 relu L2(0.01) → Dropout 0.5 → BatchNorm → Dense 30 relu L2(0.01)
    → Dropout 0.5 → Dense 1 sigmoid L2(0.01)

trained with SGD lr 0.001, binary cross-entropy, batch 50; the 25,000 test
reviews are the validation set.  Ablations (figs 12-13): ``plain`` (the same
dense sizes without L2, dropout or BatchNorm), ``no_dropout`` and ``no_bn``.
The report does not state the epochs: 50 is this module's default.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import keras

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, exercise_dir, param_counts, pick_epochs,
                     resolve_data_dir, seed_everything, subtitle, write_results)
from .imdb_data import NUM_WORDS, load
from .text import CountVectorBatches
from .training import fit

EXERCISE = "ej03_imdb_dense"
EPOCHS, QUICK_EPOCHS, BATCH, EVAL_BATCH = 50, 2, 50, 500
LR, L2 = 0.001, 0.01
QUICK_TRAIN, QUICK_VAL = 2000, 1000
VARIANTS: dict[str, str] = {
    "final": "final network (L2 + dropout + BatchNorm)",
    "plain": "plain dense (no L2, no dropout, no BatchNorm)",
    "no_dropout": "without dropout",
    "no_bn": "without BatchNorm",
}


def build_model(variant: str = "final", num_words: int = NUM_WORDS, lr: float = LR) -> keras.Model:
    """The exercise-3 network or one of its ablations (see :data:`VARIANTS`)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {sorted(VARIANTS)}")
    reg = None if variant == "plain" else keras.regularizers.L2(L2)
    dropout = variant in ("final", "no_bn")
    batchnorm = variant in ("final", "no_dropout")
    layers: list[keras.layers.Layer] = [keras.Input((num_words,)),
                                        keras.layers.Dense(100, "relu", kernel_regularizer=reg)]
    if dropout:
        layers.append(keras.layers.Dropout(0.5))
    if batchnorm:
        layers.append(keras.layers.BatchNormalization())
    layers.append(keras.layers.Dense(30, "relu", kernel_regularizer=reg))
    if dropout:
        layers.append(keras.layers.Dropout(0.5))
    layers.append(keras.layers.Dense(1, "sigmoid", kernel_regularizer=reg))
    model = keras.Sequential(layers, name=f"imdb_dense_{variant}")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0,
        variants: Sequence[str] | None = None) -> dict:
    """Train the final network and its ablations; figures 10-13 and results JSON.

    ``variants`` restricts the ablations (the final network always runs).
    """
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    chosen = ["final"] + [v for v in (variants or VARIANTS) if v != "final"]
    for v in chosen:
        if v not in VARIANTS:
            raise ValueError(f"unknown variant {v!r}; choose from {sorted(VARIANTS)}")
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        n_train, n_val = (QUICK_TRAIN, QUICK_VAL) if quick else (None, None)
        data = load(data_dir, n_train, n_val, seed=seed)
        record = RunRecord(
            exercise=EXERCISE, title="IMDB dense network on count vectors", seed=seed, quick=quick,
            setup={"num_words": NUM_WORDS, "input": "count vector per review", "optimizer": "SGD",
                   "lr": LR, "l2": L2, "loss": "binary_crossentropy", "batch_size": BATCH,
                   "variants": {v: VARIANTS[v] for v in chosen}, "n_train": len(data.y_train),
                   "n_val": len(data.y_val), "validation": "IMDB test reviews"},
            data=data.source)
        val = CountVectorBatches(data.x_val, data.y_val, NUM_WORDS, EVAL_BATCH)
        hists = {}
        for i, variant in enumerate(chosen):
            seed_everything(seed + i)
            model = build_model(variant)
            record.params[variant] = param_counts(model)
            train = CountVectorBatches(data.x_train, data.y_train, NUM_WORDS, BATCH,
                                       shuffle=True, seed=seed + i)
            hists[variant] = fit(model, train, record=record, key=variant, epochs=n_epochs,
                                 validation_data=val, out=out, verbose=verbose)
            keras.backend.clear_session()
        record.figures = [str(p) for p in make_figures(hists, record, exercise_dir(out, EXERCISE))]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()


def make_figures(hists: dict[str, dict[str, list[float]]], record: RunRecord,
                 folder: Path) -> list[Path]:
    """Figures 10-13 from the histories."""
    sub = subtitle(record.data, seed=record.seed, quick=record.quick,
                   extra=f"{record.setup['n_train']} train / {record.setup['n_val']} validation reviews")
    final = hists["final"]
    paths = [
        figures.curves(folder, 10, "imdb_dense_accuracy", "Fig. 10 — IMDB dense network: accuracy",
                       {"train": final.get("accuracy", []), "validation": final.get("val_accuracy", [])},
                       "binary accuracy", subtitle=sub),
        figures.curves(folder, 11, "imdb_dense_loss", "Fig. 11 — IMDB dense network: loss normalized to its maximum",
                       {"train": final.get("loss", []), "validation": final.get("val_loss", [])},
                       "loss (binary cross-entropy + L2)", normalize=True, subtitle=sub),
    ]
    if len(hists) > 1:
        labels = {v: VARIANTS[v] for v in hists}
        paths.append(figures.curves(
            folder, 12, "imdb_dense_ablation_accuracy", "Fig. 12 — IMDB dense ablations: validation accuracy",
            {labels[v]: h.get("val_accuracy", []) for v, h in hists.items()}, "binary accuracy", subtitle=sub))
        paths.append(figures.curves(
            folder, 13, "imdb_dense_ablation_loss",
            "Fig. 13 — IMDB dense ablations: validation loss normalized to its maximum",
            {labels[v]: h.get("val_loss", []) for v, h in hists.items()},
            "loss (binary cross-entropy + L2 where used)",
            normalize=True, subtitle=sub))
    return paths
