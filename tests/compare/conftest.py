"""Fixtures for the compare tests: a data dir with every real dataset, floatx restored after a test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ALL = ("mnist", "cifar10", "imdb", "boston_housing", "pima")
FILES = {"mnist": "mnist.npz", "cifar10": "cifar10.npz", "imdb": "imdb_raw.npz",
         "boston_housing": "boston_housing.npz", "pima": "pima_indians_diabetes.npz"}


@pytest.fixture(scope="session")
def data_dir(request) -> str:
    """``$MINIDL_DATA_DIR`` when it holds every dataset, else the ``real_data_dir`` fixture; else skip."""
    env = os.environ.get("MINIDL_DATA_DIR")
    if env and all((Path(env) / f).is_file() for f in FILES.values()):
        return env
    try:
        factory = request.getfixturevalue("real_data_dir")
    except pytest.FixtureLookupError:
        pytest.skip("no real data: set MINIDL_DATA_DIR to a folder with the prepared .npz files")
    return str(factory(*ALL))


@pytest.fixture
def restore_floatx():
    """compare sets both libraries' floatx process-wide: put them back after the test."""
    import minidl
    keras = pytest.importorskip("keras")
    before = (minidl.config.floatx(), keras.config.floatx(), keras.config.dtype_policy().name)
    yield
    minidl.config.set_floatx(before[0])
    keras.config.set_floatx(before[1])
    keras.config.set_dtype_policy(before[2])
