"""The command line: listing, argument errors (exit 2), missing CIFAR-10 (XOR still runs)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from compare.cli import main


def _exit_code(argv) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_list(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in ("cifar10-mse", "cifar10-cce", "cifar10-cce-l2", "xor-221", "xor-211", "xor-221-01"):
        assert name in out


def test_help_mentions_setups(capsys):
    assert _exit_code(["--help"]) == 0
    assert "cifar10-mse" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["cifar11"], "unknown setup(s) 'cifar11'; known setups: cifar10-mse"),
    (["--epochs", "0"], "--epochs: expected a positive integer, got 0"),
    (["--epochs", "ten"], "--epochs: expected a positive integer, got 'ten'"),
    (["--batch-size", "-5"], "--batch-size: expected a positive integer, got -5"),
    (["--seed", "-1"], "--seed: expected a non-negative integer, got -1"),
    (["--precision", "float16"], "--precision: invalid choice: 'float16'"),
    (["--data-dir", "/no/such/folder"], "--data-dir '/no/such/folder' is not a directory"),
    (["--replot", "/no/such/run"], "no run.json"),
])
def test_bad_arguments_exit_2(argv, message, capsys):
    assert _exit_code(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.keras
def test_missing_cifar_still_runs_xor(tmp_path, monkeypatch, capsys, restore_floatx):
    """No data dir, an empty Keras cache and no network: the suite says how to supply CIFAR-10,
    runs XOR anyway (exit 0); naming a CIFAR-10 setup then exits 1."""
    pytest.importorskip("keras")

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline (test)")

    monkeypatch.delenv("MINIDL_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    out = tmp_path / "results"
    assert main(["--epochs", "1", "--out", str(out), "--no-figures"]) == 0
    captured = capsys.readouterr()
    assert "default short run" in captured.out
    assert "cifar10-mse: skipped, CIFAR-10 is not available" in captured.err
    assert "MINIDL_DATA_DIR" in captured.err and "--synthetic" in captured.err
    for name in ("xor-221", "xor-211"):
        run = json.loads((out / name / "float32" / "run.json").read_text())
        assert run["status"] == "finished" and run["epochs_done"] == 1
    assert not (out / "cifar10-mse" / "float32" / "run.json").exists()
    assert main(["cifar10-mse", "--epochs", "1", "--out", str(out), "--no-figures"]) == 1
