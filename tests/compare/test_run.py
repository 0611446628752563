"""Short lockstep runs: the files appear and minidl and Keras stay within the targets.

Targets (compare/README.md): float64 weights within 1e-9 and training loss
within 1e-8 (relative); float32 loss and weights within 1e-5 after the first
epoch. float64 runs in a subprocess, since Keras's float type is process-wide.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.keras

REPO = Path(__file__).resolve().parents[2]
FILES = ("run.json", "history_minidl.json", "history_keras.json", "divergence.json", "divergence.md",
         "accuracy.png", "loss.png", "loss_normalized.png", "divergence.png")
XOR_SETUPS = ("xor-221", "xor-211", "xor-221-01", "xor-211-01")
CIFAR_SETUPS = ("cifar10-mse", "cifar10-cce", "cifar10-cce-l2")
SLICE = {"train_size": 300, "test_size": 100}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "TF_CPP_MIN_LOG_LEVEL": "3"}


def _read(folder: Path, name: str):
    return json.loads((folder / name).read_text())


def _check_folder(folder: Path, epochs: int, figures: bool = True) -> dict:
    for name in FILES if figures else FILES[:5]:
        assert (folder / name).is_file(), f"{name} missing in {folder}"
        assert (folder / name).stat().st_size > 0
    assert not list(folder.glob(".tmp-*")), "temporary files left behind"
    assert (folder / "run.json").stat().st_mode & 0o044, "result files should be readable by others"
    run = _read(folder, "run.json")
    assert run["status"] == "finished" and run["epochs_done"] == epochs
    for fw in ("minidl", "keras"):
        hist = _read(folder, f"history_{fw}.json")
        assert len(hist["loss"]) == len(hist["accuracy"]) == epochs
    return _read(folder, "divergence.json")


def _run_float32(spec_name: str, tmp_path: Path, **opts) -> tuple[Path, dict]:
    keras = pytest.importorskip("keras")
    from compare import run, specs
    out = tmp_path / spec_name
    res = run.run_spec(specs.get_spec(spec_name), run.RunOptions(out_dir=str(out), precision="float32",
                                                                 epochs=2, **opts), log=lambda m: None)
    assert res.epochs_done == 2
    keras.backend.clear_session()
    return out, _check_folder(out, 2)


def _assert_float32_targets(div: dict) -> None:
    for row in div["epochs"]:
        assert row["loss_rel_diff"] < 1e-5, row
        assert row["weights_rel_diff"] < 1e-5, row
        assert row["accuracy_abs_diff"] < 1e-5, row  # the same predictions; Keras sums in float32


@pytest.mark.parametrize("name", XOR_SETUPS)
def test_xor_float32_two_epochs(name, tmp_path, restore_floatx):
    out, div = _run_float32(name, tmp_path)
    _assert_float32_targets(div)
    assert "XOR" in _read(out, "run.json")["data"]["label"]


@pytest.mark.parametrize("name", CIFAR_SETUPS)
def test_cifar_float32_two_epochs_real_slice(name, tmp_path, cifar_dir, restore_floatx):
    out, div = _run_float32(name, tmp_path, data_dir=cifar_dir, **SLICE)
    _assert_float32_targets(div)
    run = _read(out, "run.json")
    assert run["data"]["synthetic"] is False and run["data"]["n_train"] == 300
    assert "CIFAR-10" in run["data"]["label"] and "synthetic" not in run["data"]["label"]
    assert "val_loss" in _read(out, "history_keras.json")


def test_synthetic_is_labelled(tmp_path, restore_floatx):
    out, div = _run_float32("cifar10-cce", tmp_path, synthetic=True, **SLICE)
    _assert_float32_targets(div)
    run = _read(out, "run.json")
    assert run["data"]["synthetic"] is True and "synthetic data" in run["data"]["label"]
    from compare import plots
    assert "synthetic data" in plots.title(run, "x")
    assert "synthetic data" in (out / "divergence.md").read_text().splitlines()[0]


def test_float64_in_subprocess(tmp_path, request):
    """float64: weights within 1e-9 and losses within 1e-8 relative on every epoch."""
    pytest.importorskip("keras")
    setups = ["xor-221", "xor-211", "cifar10-mse"]
    argv = [sys.executable, "-m", "compare", *setups, "--precision", "float64", "--epochs", "2",
            "--train-size", "400", "--test-size", "100", "--out", str(tmp_path), "--no-figures"]
    try:
        argv += ["--data-dir", request.getfixturevalue("cifar_dir")]
    except pytest.skip.Exception:
        argv.append("--synthetic")
    proc = subprocess.run(argv, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in setups:
        div = _check_folder(tmp_path / name / "float64", 2, figures=False)
        assert _read(tmp_path / name / "float64", "run.json")["precision"] == "float64"
        for row in div["epochs"]:
            assert row["weights_rel_diff"] < 1e-9, (name, row)
            assert row["loss_rel_diff"] < 1e-8, (name, row)
            assert row["accuracy_abs_diff"] == 0.0, (name, row)


def test_float64_loss_gap_is_keras_float32_l2_factor():
    """The ~1e-9 float64 loss gap on the CIFAR setups comes from Keras (TF backend) rounding the
    L2 factor to float32; with minidl's factor rounded alike the two agree to rounding error."""
    pytest.importorskip("keras")
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("l2_factor_probe.py")), "cifar10-mse",
                           "300"], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    rounded, as_is = got["minidl_l2_rounded_to_float32"], got["as_is"]
    assert rounded["loss_rel_diff"] < 1e-13 and rounded["weights_rel_diff"] < 1e-13, got
    assert as_is["weights_rel_diff"] < 1e-9 and as_is["loss_rel_diff"] < 1e-8, got


def test_interrupt_keeps_finished_epochs(tmp_path, monkeypatch, restore_floatx):
    pytest.importorskip("keras")
    from compare import divergence, run, specs
    real_row = divergence.epoch_row

    def row_then_interrupt(epoch, *args):
        if epoch == 3:
            raise KeyboardInterrupt
        return real_row(epoch, *args)

    monkeypatch.setattr(divergence, "epoch_row", row_then_interrupt)
    out = tmp_path / "xor"
    with pytest.raises(KeyboardInterrupt):
        run.run_spec(specs.get_spec("xor-211"), run.RunOptions(out_dir=str(out), epochs=10), log=lambda m: None)
    state = _read(out, "run.json")
    assert state["epochs_done"] == 2 and state["status"].startswith("interrupted after 2")
    assert len(_read(out, "divergence.json")["epochs"]) == 2
    assert len(_read(out, "history_minidl.json")["loss"]) == len(_read(out, "history_keras.json")["loss"]) == 2
    assert (out / "loss.png").is_file()


def test_softmax_output_both_take_the_logits_path(restore_floatx):
    """A softmax output with CCE on probabilities: Keras/TensorFlow computes it from the logits
    (``_keras_logits``), and so does minidl. With saturated outputs a clipped-probability loss
    could not exceed -log(1e-7) ≈ 16.1; both report the same, larger, logits-path value."""
    pytest.importorskip("keras")
    import numpy as np
    from compare import build, specs
    base = specs.get_spec("cifar10-cce")
    # no penalties: the value must be the cross-entropy alone
    hidden, output = ({k: v for k, v in kw.items() if k != "kernel_regularizer"} for _, kw in base.layers)
    layers = (("dense", hidden), ("dense", {**output, "activation": "softmax"}))
    spec = base.replace(name="softmax-probe", layers=layers, from_logits=False)
    assert "_keras_logits" in build.loss_path(spec)
    build.set_precision("float32")
    md, km = build.build_pair(spec)
    weights = md.get_weights()
    weights[2] = weights[2] * 300.0  # saturate the softmax
    md.set_weights(weights)
    km.set_weights(weights)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3072)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 20)]
    lm = md.evaluate(x, y, batch_size=10, return_dict=True)["loss"]
    lk = km.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)["loss"]
    assert lm > 17.0, lm
    assert abs(lm - lk) / lm < 1e-5, (lm, lk)
