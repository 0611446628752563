"""python -m compare: argument errors exit 2, --list, a run and a report from the command line."""
from __future__ import annotations

import pytest

pytest.importorskip("keras")

from compare.cli import main  # noqa: E402


def _code(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr()


@pytest.mark.parametrize("argv, message", [
    (["ej11"], "unknown exercise 'ej11'"),
    (["p6", "--epochs", "0"], "expected a positive integer"),
    (["p6", "--precision", "float16"], "invalid choice"),
    (["p6", "--variants", "nope"], "unknown variant 'nope'"),
    (["ej04", "--seeds", "2", "--seed", "2"], "--seed 2 needs --seeds above it"),
    (["ej04", "--seed", "-1"], "expected a non-negative integer"),
    (["report", "ej01"], "takes no exercise names")])
def test_errors_exit_2(argv, message, capsys):
    code, out = _code(argv, capsys)
    assert code == 2 and message in out.err


def test_no_name_runs_every_exercise_quick_then_the_report(tmp_path, capsys, monkeypatch):
    from compare import lockstep, report
    from compare.exercises import NAMES
    ran, reported = [], []
    monkeypatch.setattr(lockstep, "preflight", lambda ex, opts: None)
    monkeypatch.setattr(lockstep, "run_exercise", lambda ex, opts: ran.append((ex.name, opts.quick)) or {})
    monkeypatch.setattr("compare.cli.summary_line", lambda result: "")
    monkeypatch.setattr(report, "write_report", lambda out: reported.append(out) or [f"{out}/REPORT.md"])
    code, out = _code(["--out", str(tmp_path), "--no-progress"], capsys)
    assert code == 0 and ran == [(name, True) for name in NAMES] and reported == [str(tmp_path)]
    assert "QUICK" in out.err


def test_list(capsys):
    code, out = _code(["--list"], capsys)
    assert code == 0
    for name in ("ej01", "ej10", "p3", "p4", "p6", "p7", "p8", "cce_l2_0.05", "Dropout"):
        assert name in out.out


def test_run_then_report(tmp_path, capsys, restore_floatx):
    code, out = _code(["p7", "--variants", "n3_h2", "--epochs", "3", "--out", str(tmp_path), "--no-progress",
                       "--precision", "float64"], capsys)
    assert code == 0 and "n3_h2" in out.out
    code, out = _code(["report", "--out", str(tmp_path)], capsys)
    assert code == 0 and (tmp_path / "REPORT.md").is_file() and (tmp_path / "report.html").is_file()
    code, out = _code(["report", "--out", str(tmp_path / "empty")], capsys)
    assert code == 1


def test_summary_line_means_the_seeds_that_got_furthest():
    from compare.cli import summary_line

    def seed(i, accs):
        return {"seed": i, "epochs_done": len(accs), "status": "finished",
                "histories": {"minidl": {"val_accuracy": accs}, "keras": {"val_accuracy": accs}}}
    result = {"exercise": "ej09", "mode": "full", "precision": "float32", "status": "running",
              "runs": {"conv": {"seeds": [seed(0, [0.5, 0.9]), seed(1, [0.5, 0.7]), seed(2, [0.1])]}}}
    line = summary_line(result).splitlines()[1]
    assert "minidl val_accuracy 0.8000" in line and "2 of 3 seeds at epoch 2" in line
