"""Exercise 10: AlexNet-like and VGG16-like on CIFAR-10 and CIFAR-100 (figs 28-31).

Networks in :mod:`keras_ref.cifar_nets`; training with data augmentation
(rotations, shifts, shear, horizontal flips), Adam lr 0.001, categorical
cross-entropy from logits, batch 100; the test images validate.  Pixels / 255.

Data: the CIFAR-10 copy here is JPEG-decoded ("lossy CIFAR-10", as
``describe`` reports, and titles say so).  CIFAR-100 is used when a real
copy is found; otherwise it runs on synthetic stand-in data only when
``synthetic=True`` (``--synthetic``), and is skipped with a note if not.
The report does not state the epochs: 50 is this module's default (far
beyond a 2-core CPU: a full run needs an accelerator).
"""
from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from . import figures
from .cifar_nets import ARCHS, LR, augmentation, build
from .common import (DEFAULT_OUT, DataUnavailable, RunRecord, Stopwatch, dataset_label, describe_source,
                     exercise_dir, load_real, load_synthetic, param_counts, pick_epochs,
                     resolve_data_dir, seed_everything, subtitle, synthetic_source, write_results)
from .training import fit

EXERCISE = "ej10_cifar_nets"
EPOCHS, QUICK_EPOCHS, BATCH = 50, 1, 100
QUICK_TRAIN, QUICK_VAL = 200, 100
SYNTHETIC_TRAIN, SYNTHETIC_VAL = 2000, 500
DATASETS = {"cifar10": (10, 28, 29), "cifar100": (100, 30, 31)}  # classes, accuracy fig, loss fig
LABELS = {"alexnet": "AlexNet-like", "vgg": "VGG16-like"}


def build_model(arch: str = "vgg", num_classes: int = 100) -> keras.Model:
    """The exercise-10 ``'alexnet'`` or ``'vgg'`` network for ``num_classes`` classes."""
    return build(arch, num_classes)


def load_cifar(name: str, data_dir: str | None, quick: bool, seed: int, synthetic: bool
               ) -> tuple[tuple[np.ndarray, ...], dict]:
    """(x_tr, y_tr, x_va, y_va) as float32 /255 and one-hot, and the source record.

    Synthetic data only when the real set is missing *and* ``synthetic``.
    """
    classes = DATASETS[name][0]
    try:
        (x_tr, y_tr), (x_va, y_va) = load_real(name, data_dir)
        source = describe_source(name, data_dir)
        if quick:
            x_tr, y_tr, x_va, y_va = x_tr[:QUICK_TRAIN], y_tr[:QUICK_TRAIN], x_va[:QUICK_VAL], y_va[:QUICK_VAL]
    except DataUnavailable:
        if not synthetic:
            raise
        n_tr, n_va = (QUICK_TRAIN, QUICK_VAL) if quick else (SYNTHETIC_TRAIN, SYNTHETIC_VAL)
        (x_tr, y_tr), (x_va, y_va) = load_synthetic(name, n_tr, n_va, seed)
        source = synthetic_source(name)
    prep = lambda x: np.asarray(x, dtype="float32") / 255.0  # noqa: E731
    hot = lambda y: keras.utils.to_categorical(np.ravel(y), classes).astype("float32")  # noqa: E731
    return (prep(x_tr), hot(y_tr), prep(x_va), hot(y_va)), source


def augmented(x: np.ndarray, y: np.ndarray, seed: int) -> tf.data.Dataset:
    """Shuffled, batched training set with augmentation applied per batch."""
    aug = augmentation(seed)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed,
                                                            reshuffle_each_iteration=True)
    return ds.batch(BATCH).map(lambda a, b: (aug(a, training=True), b),
                               num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def run(epochs: int | None = None, quick: bool = False, seed: int = 0,
        data_dir: str | None = None, out: str | Path = DEFAULT_OUT, verbose: int = 0,
        synthetic: bool = False, datasets: tuple[str, ...] = ("cifar10", "cifar100"),
        archs: tuple[str, ...] = ARCHS) -> dict:
    """Train both networks on each data set; figures 28-31 and the results JSON."""
    n_epochs = pick_epochs(epochs, quick, EPOCHS, QUICK_EPOCHS)
    data_dir = resolve_data_dir(data_dir)
    for name in datasets:
        if name not in DATASETS:
            raise ValueError(f"unknown data set {name!r}; choose from {sorted(DATASETS)}")
    with Stopwatch() as sw:
        record = RunRecord(
            exercise=EXERCISE, title="AlexNet-like and VGG16-like on CIFAR", seed=seed, quick=quick,
            setup={"optimizer": "Adam", "lr": LR, "loss": "categorical_crossentropy (from logits)",
                   "batch_size": BATCH, "augmentation": "rotation 0.05, shift 0.1, shear 0.1, "
                   "horizontal flip", "inputs": "pixels / 255", "archs": list(archs)},
            data={})
        folder = exercise_dir(out, EXERCISE)
        for name in datasets:
            try:
                (x_tr, y_tr, x_va, y_va), source = load_cifar(name, data_dir, quick, seed, synthetic)
            except DataUnavailable as exc:
                record.notes.append(f"{name} skipped: {str(exc).splitlines()[0]} "
                                    "(pass --synthetic to run it on synthetic stand-in data)")
                record.data[name] = {"name": name, "source": "missing"}
                continue
            record.data[name] = source
            record.setup[f"{name}_n_train"], record.setup[f"{name}_n_val"] = len(x_tr), len(x_va)
            hists = {}
            for i, arch in enumerate(archs):
                seed_everything(seed + i)
                model = build(arch, DATASETS[name][0])
                key = f"{arch}_{name}"
                record.params[key] = param_counts(model)
                hists[arch] = fit(model, augmented(x_tr, y_tr, seed + i), record=record, key=key,
                                  epochs=n_epochs, validation_data=(x_va, y_va), out=out,
                                  verbose=verbose)
                keras.backend.clear_session()
            record.figures += [str(p) for p in make_figures(name, hists, source, record, folder,
                                                            len(x_tr), len(x_va))]
    record.wall_time_s = sw.seconds
    write_results(record, out, final=True)
    return record.to_json()


def make_figures(name: str, hists: dict[str, dict[str, list[float]]], source: dict,
                 record: RunRecord, folder: Path, n_tr: int, n_va: int) -> list[Path]:
    """Accuracy and loss figures (28-29 for CIFAR-10, 30-31 for CIFAR-100)."""
    _, n_acc, n_loss = DATASETS[name]
    sub = subtitle(source, seed=record.seed, quick=record.quick,
                   extra=f"{n_tr} train / {n_va} validation · augmentation")
    label = dataset_label(source)
    series = lambda m: {f"{LABELS[a]} {part}": h.get(f"{pre}{m}", [])  # noqa: E731
                        for a, h in hists.items() for part, pre in (("train", ""), ("validation", "val_"))}
    styles = {f"{LABELS[a]} train": "--" for a in hists}
    return [
        figures.curves(folder, n_acc, f"{name}_accuracy", f"Fig. {n_acc} — {label}: accuracy, AlexNet-like vs VGG16-like",
                       series("accuracy"), "categorical accuracy", subtitle=sub, styles=styles),
        figures.curves(folder, n_loss, f"{name}_loss", f"Fig. {n_loss} — {label}: loss, AlexNet-like vs VGG16-like",
                       series("loss"), "categorical cross-entropy", subtitle=sub, styles=styles),
    ]
