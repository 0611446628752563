"""Each exercise runs end to end in quick mode and writes its figures and JSON.

Real data slices come from the suite's ``real_data_dir`` fixture (or
``$MINIDL_DATA_DIR``); tests skip with the reason when neither has them.
CIFAR-100 is absent here, so exercise 10 runs it on synthetic stand-in data,
as the CLI's ``--synthetic`` would, and the results must say so.
"""
from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from keras_ref import ej02_compare
from keras_ref.common import results_path

CASES = {  # module, datasets needed, figure numbers expected
    "ej01_boston": (("boston_housing",), [1, 2, 3]),
    "ej03_imdb_dense": (("imdb",), [10, 11, 12, 13]),
    "ej04_imdb_conv1d": (("imdb",), [14, 15]),
    "ej05_logistic_map": ((), [16]),
    "ej06_pima": (("pima",), [17, 18, 19, 20]),
    "ej07_denoising": (("mnist",), [21, 22, 23]),
    "ej08_mnist": (("mnist",), [24, 25]),
    "ej09_permuted_mnist": (("mnist",), [26, 27]),
}


def _check_outputs(out: Path, exercise: str, result: dict, numbers: list[int]) -> dict:
    saved = json.loads(results_path(out, exercise, True, 0).read_text())
    assert saved["status"] == "complete" and saved["mode"] == "quick" and saved["seed"] == 0
    assert saved["final"] == json.loads(json.dumps(result["final"]))
    assert saved["wall_time_s"] > 0 and saved["params"]
    names = sorted(p.name for p in (out / exercise).glob("fig*.png"))
    assert [int(n[3:5]) for n in names] == numbers, names
    assert all(Path(f).is_file() for f in saved["figures"])
    assert not list((out / exercise).glob("*.tmp"))
    return saved


@pytest.mark.slow
@pytest.mark.parametrize("exercise", list(CASES))
def test_quick_run(exercise, tmp_path, data_for):
    needs, numbers = CASES[exercise]
    data_dir = data_for(*needs) if needs else None
    module = importlib.import_module(f"keras_ref.{exercise}")
    result = module.run(epochs=1, quick=True, seed=0, data_dir=data_dir, out=tmp_path)
    saved = _check_outputs(tmp_path, exercise, result, numbers)
    if needs:
        assert saved["data"]["source"] == "data-dir" and saved["data"]["name"] == needs[0]
    for key, reached in saved["epochs_reached"].items():
        assert reached == 1, key


@pytest.mark.slow
def test_quick_cifar_with_synthetic_cifar100(tmp_path, data_for):
    from keras_ref import ej10_cifar_nets

    data_dir = data_for("cifar10")
    result = ej10_cifar_nets.run(epochs=1, quick=True, seed=0, data_dir=data_dir, out=tmp_path,
                                 synthetic=True)
    saved = _check_outputs(tmp_path, "ej10_cifar_nets", result, [28, 29, 30, 31])
    assert saved["data"]["cifar10"]["lossy"] is True
    if saved["data"]["cifar100"]["source"] == "synthetic":  # no real CIFAR-100 on this machine
        assert saved["data"]["cifar100"].get("synthetic") is True
    assert saved["params"]["vgg_cifar100"]["total"] == 6_151_892
    assert saved["params"]["alexnet_cifar100"]["total"] == 4_334_824


def test_cifar100_never_silently_synthetic(tmp_path):
    """Without ``synthetic=True`` a missing CIFAR-100 is skipped with a note, not faked."""
    from keras_ref import ej10_cifar_nets
    from keras_ref.common import DataUnavailable

    try:
        ej10_cifar_nets.load_cifar("cifar100", str(tmp_path), True, 0, synthetic=False)
    except DataUnavailable as exc:
        assert "cifar100" in str(exc)
    else:
        pytest.skip("a real CIFAR-100 was found")


def test_ej02_reports_missing_compare_specs(tmp_path, monkeypatch):
    """Without compare.specs, exercise 2 says so instead of doing something else."""
    import sys

    monkeypatch.setitem(sys.modules, "compare.specs", None)  # makes the import fail
    with pytest.raises(NotImplementedError, match="compare.specs"):
        ej02_compare.run(quick=True, out=tmp_path)


@pytest.mark.slow
def test_quick_ej02_from_compare_specs(tmp_path, data_for):
    pytest.importorskip("compare.specs", reason="exercise 2 needs compare.specs")
    data_dir = data_for("cifar10")
    result = ej02_compare.run(epochs=1, quick=True, seed=0, data_dir=data_dir, out=tmp_path)
    saved = _check_outputs(tmp_path, "ej02_compare", result, [4, 5, 6, 7, 8, 9])
    assert saved["data"]["cifar10-mse"]["lossy"] is True
    assert saved["params"]["cifar10-mse"]["total"] == 3072 * 100 + 100 + 100 * 10 + 10
    assert saved["params"]["xor-211-01"]["total"] == 3 + 4
