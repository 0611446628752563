"""Fixtures for the compare tests: where real CIFAR-10 is, and float precision restored after a test."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_DATA_DIR = Path("/work/data")


@pytest.fixture
def cifar_dir(request) -> str:
    """A data dir holding cifar10.npz: ``$MINIDL_DATA_DIR`` when it has one, else the
    ``real_data_dir`` fixture of tests/conftest.py; skips when neither is available."""
    env = os.environ.get("MINIDL_DATA_DIR")
    if env and (Path(env) / "cifar10.npz").is_file():
        return env
    try:
        factory = request.getfixturevalue("real_data_dir")
    except pytest.FixtureLookupError:
        pytest.skip("no real CIFAR-10: set MINIDL_DATA_DIR to a folder with cifar10.npz")
    return str(factory("cifar10"))


@pytest.fixture
def restore_floatx():
    """compare sets minidl's and Keras's floatx process-wide: put both back after the test."""
    import minidl
    keras = pytest.importorskip("keras")
    before = (minidl.config.floatx(), keras.config.floatx())
    yield
    minidl.config.set_floatx(before[0])
    keras.config.set_floatx(before[1])
