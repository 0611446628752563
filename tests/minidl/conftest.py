"""Fixtures shared by the minidl tests."""
import pytest

from minidl import config


@pytest.fixture
def float64():
    """Build layers and models in float64 for the duration of one test."""
    previous = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(previous)


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global random state."""
    config.set_random_seed(1234)
    yield
