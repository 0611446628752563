"""keras_ref: the Keras-only face of compare.exercises; its command line rejects bad input with exit 2."""
from __future__ import annotations

import pytest

from keras_ref import EXERCISES, build_model
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
    (["ej01", "--seeds", "0"], "expected a positive integer"),
    (["ej01", "--data-dir", "/no/such/dir"], "does not exist"),
    (["ej01", "--time-limit", "0"], "seconds > 0"),
    (["ej01", "--bogus"], "unrecognized arguments"),
    ([], "name an exercise"),
])
def test_bad_arguments_exit_2(argv, message, capsys):
    code, out = _exit_code(argv, capsys)
    assert code == 2
    assert message in out.err


def test_list_help_aliases(capsys):
    code, out = _exit_code(["--list"], capsys)
    assert code == 0 and all(short in out.out for short in EXERCISES) and len(EXERCISES) == 10
    assert resolve("8") == resolve("08") == resolve("ej08_mnist") == resolve("EJ08") == "ej08"


def test_report_without_results(tmp_path, capsys):
    code, out = _exit_code(["report", "--out", str(tmp_path)], capsys)
    assert code == 0 and "No results files" in out.out


def test_build_model_is_the_shared_definition():
    import keras
    model = build_model("ej04")
    assert isinstance(model, keras.Model) and model.count_params() == 599_277
    assert build_model("ej08", "conv").count_params() == 6_000
    with pytest.raises(ValueError, match="unknown variant"):
        build_model("ej03", "nope")


def test_quick_run_keras_only(tmp_path, capsys, monkeypatch, data_for):
    monkeypatch.setenv("MINIDL_DATA_DIR", data_for("boston_housing"))
    code, out = _exit_code(["ej01", "--quick", "--out", str(tmp_path)], capsys)
    assert code == 0 and "keras val_loss" in out.out and "minidl" not in out.out.split("\n", 1)[1]
    assert (tmp_path / "ej01" / "quick_float32" / "fig01_boston_loss.png").is_file()
