"""Exercise 4: IMDB with Embedding + Conv1D (figures 14-15).

Reviews (10,000 most frequent words) padded/truncated to 400 word indices
with :func:`keras_ref.text.pad_sequences` ('pre', as Keras).  Network
(599,277 parameters):

    Embedding(10000, 50) → Dropout 0.5 → Conv1D 16, kernel 4, 'same', relu
    → MaxPool1D 2 → Dropout 0.5 → Flatten → Dense 30 relu L2(0.01)
    → Dense 1 sigmoid L2(0.01)

SGD lr 0.002, binary cross-entropy, batch 50; the 25,000 test reviews
validate.  Report: 89.1 %.  The report does not state the epochs: 50 is
this module's default.
"""
from __future__ import annotations

from pathlib import Path

import keras

from . import figures
from .common import (DEFAULT_OUT, RunRecord, Stopwatch, exercise_dir, param_counts, pick_epochs,
                     resolve_data_dir, seed_everything, subtitle, write_results)
from .imdb_data import NUM_WORDS, load
from .text import pad_sequences
from .training import fit

EXERCISE = "ej04_imdb_conv1d"
EPOCHS, QUICK_EPOCHS, BATCH = 50, 2, 50
LR, L2, MAXLEN, EMBED = 0.002, 0.01, 400, 50
QUICK_TRAIN, QUICK_VAL = 2000, 1000


def build_model(num_words: int = NUM_WORDS, maxlen: int = MAXLEN, lr: float = LR) -> keras.Model:
    """The exercise-4 Embedding + Conv1D network, compiled."""
    model = keras.Sequential([
        keras.Input((maxlen,), dtype="int32"),
        keras.layers.Embedding(num_words, EMBED),
        keras.layers.Dropout(0.5),
        keras.layers.Conv1D(16, 4, padding="same", activation="relu"),
        keras.layers.MaxPooling1D(2),
        keras.layers.Dropout(0.5),
        keras.layers.Flatten(),
        keras.layers.Dense(30, "relu", kernel_regularizer=keras.regularizers.L2(L2)),
        keras.layers.Dense(1, "sigmoid", kernel_regularizer=keras.regularizers.L2(L2)),
    ], name="imdb_conv1d")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0) -> dict:
    """Train the Conv1D network; write figures 14-15 and the results JSON."""
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    with Stopwatch() as sw:
        n_train, n_val = (QUICK_TRAIN, QUICK_VAL) if quick else (None, None)
        data = load(data_dir, n_train, n_val, seed=seed)
        x_tr, x_va = pad_sequences(data.x_train, MAXLEN), pad_sequences(data.x_val, MAXLEN)
        seed_everything(seed)
        model = build_model()
        record = RunRecord(
            exercise=EXERCISE, title="IMDB Embedding + Conv1D", seed=seed, quick=quick,
            setup={"num_words": NUM_WORDS, "maxlen": MAXLEN, "padding": "pre", "truncating": "pre",
                   "embedding_dim": EMBED, "optimizer": "SGD", "lr": LR, "l2": L2,
                   "loss": "binary_crossentropy", "batch_size": BATCH, "n_train": len(x_tr),
                   "n_val": len(x_va), "validation": "IMDB test reviews"},
            data=data.source, params={"conv1d": param_counts(model)})
        hist = fit(model, x_tr, data.y_train, record=record, key="conv1d", epochs=n_epochs,
                   batch_size=BATCH, validation_data=(x_va, data.y_val), out=out, verbose=verbose)
        sub = subtitle(data.source, seed=seed, quick=quick,
                       extra=f"{len(x_tr)} train / {len(x_va)} validation reviews")
        folder = exercise_dir(out, EXERCISE)
        record.figures = [str(p) for p in (
            figures.curves(folder, 14, "imdb_conv1d_accuracy", "Fig. 14 — IMDB Embedding + Conv1D: accuracy",
                           {"train": hist.get("accuracy", []), "validation": hist.get("val_accuracy", [])},
                           "binary accuracy", subtitle=sub),
            figures.curves(folder, 15, "imdb_conv1d_loss",
                           "Fig. 15 — IMDB Embedding + Conv1D: loss normalized to its maximum",
                           {"train": hist.get("loss", []), "validation": hist.get("val_loss", [])},
                           "loss (binary cross-entropy + L2)", normalize=True, subtitle=sub),
        )]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()
