"""The command line rejects bad input with a clear message and exit code 2."""
from __future__ import annotations

import subprocess
import sys

import pytest

from keras_ref import EXERCISES
from keras_ref.cli import main, resolve


def _exit_code(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    return code, capsys.readouterr()


@pytest.mark.parametrize("argv, message", [
    (["ej99"], "unknown exercise 'ej99'"),
    (["boston"], "unknown exercise 'boston'"),
    (["ej01", "--epochs", "0"], "expected a positive integer"),
    (["ej01", "--epochs", "many"], "expected a positive integer"),
    (["ej01", "--seed", "-1"], "non-negative integer seed"),
    (["ej01", "--data-dir", "/no/such/dir"], "does not exist"),
    (["ej01", "--time-limit", "0"], "seconds > 0"),
    (["ej01", "--bogus"], "unrecognized arguments"),
    ([], "name an exercise"),
])
def test_bad_arguments_exit_2(argv, message, capsys):
    code, out = _exit_code(argv, capsys)
    assert code == 2
    assert message in out.err


def test_list_and_help(capsys):
    code, out = _exit_code(["--list"], capsys)
    assert code == 0
    assert all(short in out.out for short in EXERCISES)
    code, out = _exit_code(["--help"], capsys)
    assert code == 0 and "--quick" in out.out and "report" in out.out


def test_resolve_aliases():
    assert resolve("8") == resolve("08") == resolve("ej08_mnist") == resolve("EJ08") == "ej08"


def test_module_entry_point_exit_code():
    proc = subprocess.run([sys.executable, "-m", "keras_ref", "nope"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "unknown exercise 'nope'" in proc.stderr


def test_report_command(tmp_path, capsys):
    code, out = _exit_code(["report", "--out", str(tmp_path)], capsys)
    assert code == 0 and "No results files" in out.out
    assert (tmp_path / "REPORT.md").is_file()
