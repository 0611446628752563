"""Fixtures shared by the whole test suite."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from compare import shared_data


@pytest.fixture(scope="session")
def real_data_dir() -> Callable[..., Path]:
    """Factory: ``real_data_dir("mnist", "imdb")`` -> a data dir holding those real datasets.

    Runs ``<repo>/../shared/data/prepare.py`` into ``$MINIDL_TEST_DATA_DIR``
    (default ``~/.cache/minidl/prepared``) for the datasets not prepared yet,
    so each is assembled once per machine. Skips the test when ``../shared/data``
    is absent; fails it when prepare.py fails, since the data should then be there.
    """

    def get(*names: str) -> Path:
        if not shared_data.available():
            pytest.skip(f"real datasets absent: {shared_data.SHARED_DATA / 'prepare.py'} not found "
                        "(needs the shared/ folder beside the repo)")
        try:
            return shared_data.prepared_dir(*names)
        except RuntimeError as exc:
            pytest.fail(str(exc))

    return get
