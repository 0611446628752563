"""docs/API_COVERAGE.md is what ``python -m tools.api_coverage`` gives now (the table cannot drift).

When this fails after a change to minidl's public names (or a Keras upgrade), regenerate the
file with ``python -m tools.api_coverage`` and commit it.
"""
from __future__ import annotations

import pytest

pytest.importorskip("keras")
pytestmark = pytest.mark.keras


def test_api_coverage_table_is_current(capsys):
    from tools import api_coverage
    assert api_coverage.main(["--check"]) == 0, capsys.readouterr().err


def test_coverage_counts_names_not_submodules():
    from tools import api_coverage
    rows = {name: (covered, missing) for name, covered, missing in api_coverage.coverage()}
    covered, missing = rows["keras.layers"]
    assert "Dense" in covered and "serialize" in missing  # minidl.layers.serialize is a module
    assert set(covered).isdisjoint(missing)
