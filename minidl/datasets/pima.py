"""Pima Indians diabetes (768 patients, 8 features); Keras has no loader for it.

Looked up, in order, as:

1. ``pima_indians_diabetes.npz`` in the data directory (keys ``x``, ``y``), or
   the headerless 9-column ``pima-indians-diabetes.csv`` there;
2. ``pima-indians-diabetes.csv`` in the Keras cache folder (``~/.keras/datasets``);
3. a download of that CSV (the copy most tutorials use) into the Keras cache.

There is no published hash for the CSV, so a CSV is accepted only if it parses
as 768 rows of 9 numbers with a 0/1 last column.
Columns: Pregnancies, Glucose, BloodPressure, SkinThickness, Insulin, BMI,
DiabetesPedigreeFunction, Age; the target is Outcome (1 = diabetic). Zeros
stand for missing values, as in the original UCI table.
"""
from __future__ import annotations

import os

import numpy as np

from . import _files

NAME = "pima"
DATA_FILE = "pima_indians_diabetes.npz"
CSV_FILE = "pima-indians-diabetes.csv"
URL = "https://raw.githubusercontent.com/jbrownlee/Datasets/master/pima-indians-diabetes.data.csv"
N_ROWS, N_COLS = 768, 9
FEATURE_NAMES = ("Pregnancies", "Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI",
                 "DiabetesPedigreeFunction", "Age")


def read_csv(path: str) -> np.ndarray:
    """The CSV as float64 (768, 9); ``ValueError`` naming the file unless it has that shape and 0/1 outcomes."""
    try:
        data = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise ValueError(f"{path} is not a headerless numeric CSV: {exc}") from exc
    if data.shape != (N_ROWS, N_COLS):
        raise ValueError(f"{path} has shape {data.shape}, expected ({N_ROWS}, {N_COLS})")
    if not np.isin(data[:, -1], (0.0, 1.0)).all():
        raise ValueError(f"{path}: the last column (Outcome) must be 0 or 1")
    return data


def _validate_csv(path: str) -> None:
    read_csv(path)


def locate(data_dir: str | os.PathLike | None = None) -> _files.Source:
    """Where the Pima file comes from (may download the CSV into the Keras cache)."""
    for fname in (DATA_FILE, CSV_FILE):
        path = _files.data_dir_file(data_dir, fname)
        if path is not None:
            return _files.Source(NAME, "data-dir", path)
    return _files.keras_cached(NAME, CSV_FILE, URL, None, data_file=f"{DATA_FILE} or {CSV_FILE}",
                               validate=_validate_csv)


def load_data(data_dir: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load Pima: ``(x, y)`` with x float64 (768, 8) and y int64 (768,) in {0, 1}, the original row order."""
    path = locate(data_dir).path
    if path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as f:
            _files.require_keys(f.files, ("x", "y"), path)
            x, y = f["x"].astype(np.float64), f["y"].astype(np.int64)
    else:
        data = read_csv(path)
        x, y = data[:, :-1], data[:, -1].astype(np.int64)
    return x, y
