"""The command lines under misuse and faults (issue 13): bad arguments, unwritable
outputs, bad environment values and damaged result or checkpoint files each end
in ONE line on stderr and a non-zero status, before any training; no partial
file is left; ``--debug`` shows the traceback instead."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")

import compare.cli  # noqa: E402
import keras_ref.cli  # noqa: E402
from compare import lockstep  # noqa: E402
from compare.cli import CommandError  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TOOLS = {"compare": compare.cli.main, "keras_ref": keras_ref.cli.main}
EXERCISE = {"compare": ["p7", "--variants", "n3_h2", "--epochs", "1", "--no-progress", "--no-figures"],
            "keras_ref": ["ej01", "--quick"]}


@pytest.fixture
def trainings(monkeypatch) -> list:
    """Every training a tool starts is recorded here, and none runs."""
    started: list = []
    monkeypatch.setattr(lockstep, "_run_pair", lambda *a, **k: started.append(a[:2]))
    return started


def call(tool: str, argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = TOOLS[tool](argv)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def assert_one_line(err: str, *patterns: str) -> None:
    import re
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    assert "Traceback" not in err
    for pattern in patterns:
        assert re.search(pattern, lines[0]), f"{pattern!r} not in {lines[0]!r}"


# ---- bad arguments: argparse's errors, one line, exit 2 ---------------------------------------
@pytest.mark.parametrize("tool, argv, pattern", [
    ("compare", ["p7", "--epochs", "0"], r"--epochs: expected a positive integer, got 0"),
    ("compare", ["p7", "--seeds", "two"], r"--seeds: expected a positive integer, got 'two'"),
    ("compare", ["p7", "--threads", "-1"], r"--threads: expected a positive integer, got -1"),
    ("compare", ["p7", "--time-limit", "0"], r"--time-limit: expected seconds > 0, got 0"),
    ("compare", ["p7", "--framework", "torch"], r"--framework: invalid choice: 'torch'"),
    ("compare", ["p7", "--bogus", "3"], r"unrecognized arguments: --bogus 3"),
    ("compare", ["p99"], r"unknown exercise 'p99'"),
    ("compare", ["p7", "--variants", "n3"], r"p7: unknown variant 'n3'"),
    ("compare", ["p7", "--data-dir", "/no/such/dir"], r"--data-dir '/no/such/dir' is not a directory"),
    ("keras_ref", ["ej01", "--epochs", "1.5"], r"--epochs: expected a positive integer, got '1.5'"),
    ("keras_ref", ["ej01", "--out"], r"--out: expected one argument"),
    ("keras_ref", ["ej42"], r"unknown exercise 'ej42'"),
])
def test_bad_arguments(tool, argv, pattern, capsys, trainings, tmp_path):
    code, _, err = call(tool, argv + ["--out", str(tmp_path / "out")] if "--out" not in argv else argv, capsys)
    assert code == 2
    assert_one_line(err, pattern, r"^python -m (compare|keras_ref): error: ")
    assert trainings == [] and files_under(tmp_path) == []


# ---- unwritable outputs: refused by the probe, before any training ------------------------------
def _into_file(tmp: Path) -> tuple[str, str]:
    (tmp / "f").write_text("mine")
    return str(tmp / "f"), r"--out '.*/f' cannot be a results folder: it is a file, not a folder"


def _under_file(tmp: Path) -> tuple[str, str]:
    (tmp / "f").write_text("mine")
    return str(tmp / "f" / "sub" / "out"), r"--out '.*/f/sub/out' cannot be a results folder: '.*/f' is a file"


def _not_creatable(tmp: Path) -> tuple[str, str]:
    return "/proc/minidl-reliability/out", r"--out '/proc/minidl-reliability/out': cannot create the folder \("


def _read_only(tmp: Path, monkeypatch) -> tuple[str, str]:
    ro = tmp / "ro"
    ro.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere: the folder is reported read-only as a mount would be
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if os.fspath(p) == str(ro) else real(p, m))
    return str(ro), r"--out '.*/ro': cannot write a file there \(permission denied\)"


def _read_only_parent(tmp: Path, monkeypatch) -> tuple[str, str]:
    ro = tmp / "ro"
    ro.mkdir(mode=0o500)
    if os.geteuid() == 0:
        real_makedirs = os.makedirs

        def makedirs(p, *a, **k):
            if os.fspath(p).startswith(str(ro) + os.sep):
                raise PermissionError(13, "Permission denied", os.fspath(p))
            return real_makedirs(p, *a, **k)
        monkeypatch.setattr(os, "makedirs", makedirs)
    return str(ro / "a" / "b"), r"--out '.*/ro/a/b': cannot create the folder \(Permission denied\)"


UNWRITABLE = {"into-file": _into_file, "under-file": _under_file, "not-creatable": _not_creatable,
              "read-only": _read_only, "read-only-parent": _read_only_parent}


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("case", UNWRITABLE)
def test_unwritable_out(tool, case, capsys, trainings, tmp_path, monkeypatch):
    make = UNWRITABLE[case]
    out, pattern = make(tmp_path, monkeypatch) if "read-only" in case else make(tmp_path)
    before = files_under(tmp_path)
    code, _, err = call(tool, EXERCISE[tool] + ["--out", out], capsys)
    assert code == 2
    assert_one_line(err, pattern)
    assert trainings == [], "training started before the output was checked"
    assert files_under(tmp_path) == before, "a partial file or folder was left"
    if (tmp_path / "f").exists():
        assert (tmp_path / "f").read_text() == "mine"


def test_debug_shows_the_traceback(tmp_path, trainings):
    (tmp_path / "f").write_text("mine")
    with pytest.raises(CommandError, match=r"cannot be a results folder"):
        compare.cli.main(EXERCISE["compare"] + ["--out", str(tmp_path / "f"), "--debug"])
    with pytest.raises(CommandError, match=r"cannot be a results folder"):
        keras_ref.cli.main(EXERCISE["keras_ref"] + ["--out", str(tmp_path / "f"), "--debug"])
    assert trainings == []


def test_report_into_read_only_folder_writes_nothing(tmp_path, capsys, monkeypatch, results):
    out = tmp_path / "ro"
    results(out)
    os.chmod(out, 0o500)
    if os.geteuid() == 0:
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if os.fspath(p) == str(out) else real(p, m))
    before = files_under(tmp_path)
    code, _, err = call("compare", ["report", "--out", str(out)], capsys)
    os.chmod(out, 0o700)
    assert code == 2
    assert_one_line(err, r"--out '.*/ro': cannot write a file there")
    assert files_under(tmp_path) == before


# ---- bad environment values: minidl refuses them at import; the tools say so in one line ------------
@pytest.mark.parametrize("tool", ["compare", "keras_ref"])
@pytest.mark.parametrize("var, value, pattern", [
    ("MINIDL_BACKEND", "cuda", r"MINIDL_BACKEND='cuda' names no minidl backend: use one of numba, numpy"),
    ("MINIDL_NUM_THREADS", "two", r"MINIDL_NUM_THREADS='two' must be a positive integer"),
    ("MINIDL_NUM_THREADS", "0", r"MINIDL_NUM_THREADS='0' must be a positive integer"),
])
def test_bad_environment_value(tool, var, value, pattern, tmp_path):
    env = {**os.environ, var: value, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}
    argv = [sys.executable, "-m", tool, *EXERCISE[tool], "--out", str(tmp_path / "out")]
    run = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert_one_line(run.stderr, pattern, rf"^python -m {tool}: ")
    assert files_under(tmp_path) == [], "the tool wrote before checking its environment"
    debug = subprocess.run(argv + ["--debug"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and value in debug.stderr


# ---- damaged result and checkpoint files: named, what they should hold, what they hold ---------
@pytest.fixture(scope="module")
def results_src(tmp_path_factory) -> Path:
    """A real results folder of compare (p7 n3_h2 and n2_h2, one epoch, minidl only), made once."""
    src = tmp_path_factory.mktemp("results") / "out"
    code = compare.cli.main(["p7", "--variants", "n3_h2", "n2_h2", "--epochs", "1", "--framework", "minidl",
                             "--no-progress", "--no-figures", "--out", str(src)])
    assert code == 0
    return src


@pytest.fixture
def results(results_src):
    """``results(dest)``: a copy of the results folder at ``dest``."""
    return lambda dest: Path(shutil.copytree(results_src, dest))


RUN = Path("p7") / "full_float32"
RESUME = ["p7", "--variants", "n3_h2", "--epochs", "2", "--framework", "minidl", "--no-progress", "--no-figures",
          "--resume"]


def _damage(out: Path, case: str) -> tuple[Path, str]:
    result, ckpt, other = out / RUN / "result.json", out / RUN / "ckpt" / "n3_h2_s0.npz", out / RUN / "ckpt" / "n2_h2_s0.npz"
    if case == "result-garbage":
        result.write_text('{"schema": 2, "runs": {')
        return result, r"should hold a result document of python -m compare .*, but holds invalid JSON \(.* line 1"
    if case == "result-empty":
        result.write_text("")
        return result, r"should hold a result document .*, but holds nothing \(an empty file\)"
    if case == "result-list":
        result.write_text("[1, 2]")
        return result, r"should hold .*, but holds a JSON list"
    if case == "result-no-runs":
        result.write_text('{"exercise": "p7"}')
        return result, r"should hold .*, but holds a JSON object without \['mode', 'precision', 'framework', 'status', 'runs'\]"
    if case == "result-binary":
        result.write_bytes(b"\xff\xfe\x00garbage")
        return result, r"should hold .*, but holds binary data starting with"
    if case == "ckpt-text":
        ckpt.write_text("not a checkpoint")
        return ckpt, r"should hold a checkpoint of python -m compare .*, but holds a text file starting 'not a checkpoint'"
    if case == "ckpt-truncated":
        ckpt.write_bytes(ckpt.read_bytes()[:200])
        return ckpt, r"should hold a checkpoint .*, but holds a truncated zip archive"
    if case == "ckpt-npy":
        import numpy as np
        with open(ckpt, "wb") as f:
            np.save(f, np.zeros(3))
        return ckpt, r"should hold .*, but holds a single NumPy array"
    if case == "ckpt-other-model":
        shutil.copy(other, ckpt)
        return ckpt, r"should hold .*, but holds array 'm_w0' of shape \(2, 2\) where the model has \(3, 2\): a checkpoint of another model"
    raise KeyError(case)


DAMAGE = ["result-garbage", "result-empty", "result-list", "result-no-runs", "result-binary",
          "ckpt-text", "ckpt-truncated", "ckpt-npy"]


@pytest.mark.parametrize("case", DAMAGE)
def test_resume_from_a_damaged_file(case, tmp_path, capsys, trainings, results):
    out = results(tmp_path / "out")
    path, pattern = _damage(out, case)
    damaged = path.read_bytes()
    before = files_under(tmp_path)
    code, _, err = call("compare", RESUME + ["--out", str(out)], capsys)
    assert code == 1
    assert_one_line(err, "^python -m compare: '" + str(path).replace(".", r"\.") + "' " + pattern)
    assert trainings == [], "training started before the files were read"
    assert path.read_bytes() == damaged, "the damaged file was overwritten"
    assert files_under(tmp_path) == before


def test_resume_from_a_checkpoint_of_another_model(tmp_path, capsys, results):
    """Only loading it into the rebuilt model shows it (the preflight reads files, builds no model):
    refused before that pair trains, in one line, the checkpoint kept."""
    out = results(tmp_path / "out")
    path, pattern = _damage(out, "ckpt-other-model")
    damaged = path.read_bytes()
    code, _, err = call("compare", RESUME + ["--out", str(out)], capsys)
    assert code == 1
    assert_one_line(err, "^p7: failed: '" + str(path).replace(".", r"\.") + "' " + pattern)
    assert path.read_bytes() == damaged


def test_checkpoint_of_another_model_changes_nothing(tmp_path, results):
    """compare.checkpoint.load checks every array against the models before it sets any."""
    import numpy as np

    from compare import checkpoint
    from compare.exercises import get
    out = results(tmp_path / "out")
    models = lockstep._build(get("p7"), "n3_h2", 0, ("minidl",))
    rngs = {"shuffle": np.random.default_rng(1), "augment": np.random.default_rng(2)}
    weights, states = models["minidl"].get_weights(), {k: g.bit_generator.state for k, g in rngs.items()}
    with pytest.raises(checkpoint.CorruptFile, match=r"n2_h2_s0.npz' should hold a checkpoint"):
        checkpoint.load(str(out / RUN / "ckpt" / "n2_h2_s0.npz"), models, rngs)
    for a, b in zip(models["minidl"].get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert {k: g.bit_generator.state for k, g in rngs.items()} == states


@pytest.mark.parametrize("tool", ["compare", "keras_ref"])
@pytest.mark.parametrize("case", ["result-garbage", "result-list", "result-no-runs"])
def test_report_over_a_damaged_result(tool, case, tmp_path, capsys, results):
    out = results(tmp_path / "out")
    path, pattern = _damage(out, case)
    before = files_under(tmp_path)
    code, _, err = call(tool, ["report", "--out", str(out)], capsys)
    assert code == 1
    assert_one_line(err, f"^python -m {tool}: '.*result.json' " + pattern)
    assert files_under(tmp_path) == before, "a report was written from a damaged result"


def test_keras_ref_resume_from_a_damaged_result(tmp_path, capsys, trainings):
    result = tmp_path / "out" / "ej01" / "quick_float32" / "result.json"
    result.parent.mkdir(parents=True)
    result.write_text("{oops")
    code, _, err = call("keras_ref", ["ej01", "--quick", "--resume", "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    assert_one_line(err, r"^python -m keras_ref: '.*ej01/quick_float32/result.json' should hold a result "
                         r"document .* but holds invalid JSON")
    assert trainings == [] and result.read_text() == "{oops"


def test_a_good_resume_still_runs(tmp_path, capsys, results):
    out = results(tmp_path / "out")
    code, stdout, err = call("compare", RESUME + ["--out", str(out)], capsys)
    assert code == 0, err
    assert "n3_h2" in stdout and not list(out.rglob(".write-probe-*")) and not list(out.rglob(".tmp-*"))
