"""Fixtures for the keras_ref tests."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

pytest.importorskip("keras", reason="keras_ref needs Keras (pip install -e .[keras])")


@pytest.fixture(scope="session")
def data_for(request: pytest.FixtureRequest) -> Callable[..., str]:
    """Factory ``data_for("mnist", ...)`` -> a data directory holding those real sets.

    Uses the suite's ``real_data_dir`` fixture when ``tests/conftest.py``
    provides it, else ``$MINIDL_DATA_DIR``; skips the test when neither has them.
    """
    files = {"mnist": "mnist.npz", "imdb": "imdb_raw.npz", "cifar10": "cifar10.npz",
             "boston_housing": "boston_housing.npz", "pima": "pima_indians_diabetes.npz"}

    def get(*names: str) -> str:
        env = os.environ.get("MINIDL_DATA_DIR")
        if env and all((Path(env) / files[n]).is_file() for n in names):
            return env
        try:
            factory = request.getfixturevalue("real_data_dir")
        except pytest.FixtureLookupError:
            factory = None
        if factory is not None:
            return str(factory(*names))
        env = os.environ.get("MINIDL_DATA_DIR")
        if not env:
            pytest.skip("no real data: neither the real_data_dir fixture nor $MINIDL_DATA_DIR")
        missing = [n for n in names if not (Path(env) / files[n]).is_file()]
        if missing:
            pytest.skip(f"$MINIDL_DATA_DIR={env} lacks {missing}")
        return env

    return get
