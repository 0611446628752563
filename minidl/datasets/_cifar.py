"""Shared by CIFAR-10 and CIFAR-100: the Keras cache layout and the pickled batches.

Keras 3 keeps ``<datasets>/<dirname>-target/<dirname>/`` extracted from the
archive ``<datasets>/<dirname>-target_archive``; Keras 2 (tf.keras) kept
``<datasets>/<dirname>/``. An extracted folder is used as it is (Keras re-checks
the archive hash on every call; the folder holds no hash to check); else the
archive is hash-checked and extracted; else it is downloaded first.
"""
from __future__ import annotations

import os

import numpy as np

from . import _files
from ._pickle import load_pickle


def find_batches(name: str, dirname: str, url: str, file_hash: str, batch_files: tuple[str, ...],
                 data_file: str) -> _files.Source:
    """Source whose ``path`` is the folder holding ``batch_files``, from the Keras cache or a download."""
    datasets = _files.keras_datasets_dir()
    target = os.path.join(datasets, f"{dirname}-target")
    for folder in (os.path.join(target, dirname), os.path.join(datasets, dirname)):
        if all(os.path.isfile(os.path.join(folder, b)) for b in batch_files):
            return _files.Source(name, "keras-cache", folder, url=url)
    archive_name = f"{dirname}-target_archive"
    src = _files.keras_cached(name, archive_name, url, file_hash, data_file=data_file)
    folder = _files.extract_tar(src.path, target, dirname)
    missing = [b for b in batch_files if not os.path.isfile(os.path.join(folder, b))]
    if missing:
        raise ValueError(f"archive {src.path} extracted to {folder} lacks {missing}")
    src.path = folder
    return src


def load_batch(path: str, label_key: str = "labels") -> tuple[np.ndarray, list[int]]:
    """One pickled CIFAR batch: x uint8 (n, 32, 32, 3) channels last, and the labels list."""
    batch = {k.decode("utf8"): v for k, v in load_pickle(path).items()}
    if "data" not in batch or label_key not in batch:
        raise KeyError(f"{path} lacks 'data' or {label_key!r}; it has {sorted(batch)}")
    data = np.asarray(batch["data"], dtype=np.uint8)
    # Stored as 3072 bytes per image: all red, then green, then blue (channels first).
    x = data.reshape(len(data), 3, 32, 32).transpose(0, 2, 3, 1)
    return x, list(batch[label_key])


def load_npz_split(path: str, label_keys: tuple[str, str]
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], bool]:
    """A data-dir CIFAR npz: ``x_train``, ``x_test`` and the two label keys; plus its ``lossy`` flag."""
    with np.load(path, allow_pickle=False) as f:
        _files.require_keys(f.files, ("x_train", label_keys[0], "x_test", label_keys[1]), path)
        train = (f["x_train"], f[label_keys[0]].reshape(-1, 1))
        test = (f["x_test"], f[label_keys[1]].reshape(-1, 1))
        lossy = bool(f["lossy"]) if "lossy" in f.files else False
    return train, test, lossy


def npz_is_lossy(path: str) -> bool:
    """The ``lossy`` flag of a data-dir npz (reads only that member), False when absent."""
    with np.load(path, allow_pickle=False) as f:
        return bool(f["lossy"]) if "lossy" in f.files else False
