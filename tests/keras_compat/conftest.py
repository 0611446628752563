"""Shared pieces of the keras.io example tests (tests/keras_compat).

How these tests work (the notes the README summarises):

* Each module holds ONE public keras.io example or guide, its code kept as close to the
  original as possible, written as a function of the library (``keras`` or ``minidl``)
  so that the very same lines run in both. Only the import line, the data source and
  the epoch count differ from keras.io; where the Keras 3 version of a script differs
  from the older tf.keras one (``keras.ops`` instead of ``tf.*``), the Keras 3 form is used.
* Both libraries start from the same weights: the example builds its model in minidl,
  its initial weights are copied into the Keras model (``set_weights``), and both train
  on the same batches (``shuffle=False``).
* Comparisons run in float64 in both libraries (``float64_both``) so that the deterministic
  parts agree to ~1e-10; where a model has Dropout, only what is deterministic is compared
  (inference from the same weights, before and after minidl's training), as each test says.
* Real data come from ``minidl.datasets`` (the ``data_dir`` fixture below); an example
  that downloads something we do not ship (FordA) runs on clearly named synthetic arrays
  of the example's shapes.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest


FILES = {"mnist": "mnist.npz", "imdb": "imdb_raw.npz"}


@pytest.fixture(scope="session")
def data_dir(request: pytest.FixtureRequest) -> Callable[..., str]:
    """Factory ``data_dir("mnist", ...)`` -> a directory holding those real datasets.

    In order: ``$MINIDL_DATA_DIR``; the prepared-data cache (``$MINIDL_TEST_DATA_DIR``,
    default ``~/.cache/minidl/prepared``) when it already holds them; else the suite's
    ``real_data_dir`` fixture, which prepares them or skips with its reason.
    """
    def get(*names: str) -> str:
        env = os.environ.get("MINIDL_TEST_DATA_DIR")
        candidates = [os.environ.get("MINIDL_DATA_DIR"),
                      env if env else str(Path.home() / ".cache" / "minidl" / "prepared")]
        for folder in candidates:
            if folder and all((Path(folder) / FILES[n]).is_file() for n in names):
                return folder
        return str(request.getfixturevalue("real_data_dir")(*names))

    return get
