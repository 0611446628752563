"""Each exercise's quick run in both libraries, on a small real slice: figures, divergence, targets."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

pytest.importorskip("keras")

from compare import lockstep  # noqa: E402
from compare.exercises import NAMES, get  # noqa: E402

LIMIT = 60
SLOW = {"ej10", "ej03", "ej04", "ej02", "ej07"}


def _opts(out, **kw):
    base = dict(out=str(out), quick=True, limit=LIMIT, progress=False, epochs=2, log=lambda s: None)
    base.update(kw)
    return lockstep.Options(**base)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NAMES])
def test_quick_run_both_libraries(name, tmp_path, data_dir, restore_floatx, monkeypatch):
    monkeypatch.setenv("MINIDL_DATA_DIR", data_dir)
    ex = get(name)
    result = lockstep.run_exercise(ex, _opts(tmp_path, epochs=1 if name == "ej10" else 2))
    folder = lockstep.run_folder(str(tmp_path), ex, True, "float32")
    assert result["status"] == "finished"
    on_disk = json.loads(open(os.path.join(folder, "result.json")).read())
    assert on_disk["runs"].keys() == result["runs"].keys()
    assert any(p.endswith(".png") and "fig" in os.path.basename(p) for p in result["figures"]) or not ex.figures
    for p in result["figures"]:
        assert os.path.isfile(p)
    for variant, run in result["runs"].items():
        for rec in run["seeds"]:
            assert len(rec["divergence"]) == rec["epochs_done"] >= 1
            assert rec["histories"]["minidl"].keys() == rec["histories"]["keras"].keys()
            if not run["dropout"] and ex.epoch_transform is None and "adam" not in str(ex.build):
                # float32 target: weights and loss within 1e-5 after the first epoch
                assert rec["divergence"][0]["weights_rel_diff"] < 1e-5, (variant, rec["divergence"][0])
                assert rec["divergence"][0]["loss_rel_diff"] < 1e-5, variant
        assert os.path.isfile(os.path.join(folder, f"divergence_{variant}_s0.md"))


def test_float64_targets_deterministic(tmp_path, data_dir, restore_floatx, monkeypatch):
    """float64, 5 epochs: weights within 1e-9 and loss within 1e-8 (relative), L2 penalties (P-4 L2 0.05)
    and Adam (ej07) included: the runner gives Keras its constants as float64 (``exact_float64_constants``)."""
    monkeypatch.setenv("MINIDL_DATA_DIR", data_dir)
    for name, variants in (("p6", ["221_pm1", "211_pm1"]), ("ej06", ["zeros_fold0"]), ("ej08", ["dense"]),
                           ("p4", ["cce_l2_0.05"]), ("ej07", ["autoencoder"])):
        result = lockstep.run_exercise(get(name), _opts(tmp_path, precision="float64", epochs=5, variants=variants,
                                                        figures=False))
        for v, run in result["runs"].items():
            s = run["seeds"][0]["summary"]
            assert s["max_weights_rel_diff"] < 1e-9, (name, v, s)
            assert s["max_loss_rel_diff"] < 1e-8, (name, v, s)


def test_exact_float64_constants(restore_floatx):
    import keras
    lockstep.set_precision("float64")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.01),
                                                                     bias_regularizer=keras.regularizers.L1L2(0.1, 0.2))])
    model.compile(optimizer=keras.optimizers.Adam(beta_1=0.8), loss="mse")
    lockstep.exact_float64_constants(model)
    dense = model.layers[0]
    assert type(dense.kernel_regularizer.l2) is np.float64 and dense.kernel_regularizer.l2 == 0.01
    assert type(dense.bias_regularizer.l1) is np.float64 and dense.bias_regularizer.l2 == 0.2
    assert type(model.optimizer.beta_1) is np.float64 and model.optimizer.beta_1 == 0.8


def test_dropout_seeds_and_keras_only(tmp_path, data_dir, restore_floatx, monkeypatch):
    monkeypatch.setenv("MINIDL_DATA_DIR", data_dir)
    result = lockstep.run_exercise(get("ej08"), _opts(tmp_path, variants=["conv"], seeds=2))
    seeds = result["runs"]["conv"]["seeds"]
    assert [s["seed"] for s in seeds] == [0, 1]
    assert seeds[0]["histories"]["keras"]["loss"] != seeds[1]["histories"]["keras"]["loss"]
    fig = [p for p in result["figures"] if "fig24" in p]
    assert fig
    # the same two seeds trained one per run (--seed), later seed first, into one folder: the same records
    for seed in (1, 0):
        split = lockstep.run_exercise(get("ej08"), _opts(tmp_path / "split", variants=["conv"], seeds=2, seed=seed,
                                                         figures=False))
    split_seeds = split["runs"]["conv"]["seeds"]
    assert [s["histories"] for s in split_seeds] == [s["histories"] for s in seeds]
    assert split["runs"]["conv"]["status"] == "finished" and split["status"] == "finished"
    with open(os.path.join(lockstep.run_folder(str(tmp_path / "split"), get("ej08"), True, "float32"),
                           "result.json")) as f:
        assert [s["histories"] for s in json.load(f)["runs"]["conv"]["seeds"]] == [s["histories"] for s in seeds]
    only = lockstep.run_exercise(get("p6"), _opts(tmp_path / "k", framework="keras", variants=["221_01"]))
    rec = only["runs"]["221_01"]["seeds"][0]
    assert list(rec["histories"]) == ["keras"] and rec["divergence"] == []


def test_resume_gives_the_same_bits(tmp_path, data_dir, restore_floatx, monkeypatch):
    """2 epochs, then --resume to 3, equals 3 epochs straight (Dropout masks and optimizer state included)."""
    monkeypatch.setenv("MINIDL_DATA_DIR", data_dir)
    for name, variant in (("ej08", "conv"), ("ej07", "autoencoder")):
        straight = lockstep.run_exercise(get(name), _opts(tmp_path / "a", epochs=3, variants=[variant], figures=False))
        lockstep.run_exercise(get(name), _opts(tmp_path / "b", epochs=2, variants=[variant], figures=False))
        resumed = lockstep.run_exercise(get(name), _opts(tmp_path / "b", epochs=3, variants=[variant], figures=False,
                                                         resume=True))
        a, b = straight["runs"][variant]["seeds"][0], resumed["runs"][variant]["seeds"][0]
        assert b["epochs_done"] == 3
        assert a["histories"] == b["histories"]
        za = np.load(os.path.join(lockstep.run_folder(str(tmp_path / "a"), get(name), True, "float32"),
                                  "ckpt", f"{variant}_s0.npz"))
        zb = np.load(os.path.join(lockstep.run_folder(str(tmp_path / "b"), get(name), True, "float32"),
                                  "ckpt", f"{variant}_s0.npz"))
        for key in za.files:
            if key != "state":
                assert np.array_equal(za[key], zb[key]), (name, key)


def test_report_regenerates_from_results(tmp_path, data_dir, restore_floatx, monkeypatch):
    monkeypatch.setenv("MINIDL_DATA_DIR", data_dir)
    lockstep.run_exercise(get("ej01"), _opts(tmp_path))
    lockstep.run_exercise(get("p6"), _opts(tmp_path, variants=["221_pm1"]))
    from compare.report import write_report
    md_path, html_path = write_report(str(tmp_path))
    md = open(md_path).read()
    assert "## ej01" in md and "## p6" in md and "fig01_boston_loss.png" in md and "## Agreement targets" in md
    html = open(html_path).read()
    assert html.count("data:image/png;base64,") >= 4 and "<table>" in html
