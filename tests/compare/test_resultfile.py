"""Several processes sharing one exercise's result.json: merge rules, locks, and a run split by --seed."""
from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from compare import resultfile
from compare.resultfile import ResultFile, merge, placeholder, training


def _rec(seed: int, epochs: int, status: str = "running") -> dict:
    return {"seed": seed, "status": status, "epochs_done": epochs, "params": {},
            "histories": {"minidl": {"loss": [1.0] * epochs}}, "divergence": [], "seconds": {}}


def _doc(runs: dict, status: str = "running") -> dict:
    return {"schema": 2, "exercise": "ej04", "mode": "full", "precision": "float32", "framework": "both",
            "status": status, "runs": runs, "figures": []}


def test_merge_keeps_own_pairs_and_takes_every_other_record_from_disk():
    mine = _doc({"sgd": {"status": "running", "seeds": [_rec(0, 5), _rec(1, 1)]}})
    disk = _doc({"sgd": {"status": "running", "seeds": [_rec(0, 3), _rec(1, 7), _rec(2, 4)]},
                 "adam": {"status": "finished", "seeds": [_rec(0, 20, "finished")]}})
    merge(mine, disk, owned={("sgd", 0)})
    seeds = mine["runs"]["sgd"]["seeds"]
    assert [s["epochs_done"] for s in seeds] == [5, 7, 4]  # seed 0 ours, 1 and 2 the other process's
    assert mine["runs"]["adam"] == disk["runs"]["adam"]
    assert mine["runs"]["adam"] is not disk["runs"]["adam"]


def test_merge_fills_gaps_with_placeholders_and_recomputes_statuses():
    mine = _doc({"sgd": {"status": "incomplete", "seeds": [_rec(0, 9, "finished")]}}, status="incomplete")
    disk = _doc({"sgd": {"status": "incomplete", "seeds": [placeholder(0), placeholder(1),
                                                           _rec(2, 9, "finished")]}})
    merge(mine, disk, owned={("sgd", 0)})
    seeds = mine["runs"]["sgd"]["seeds"]
    assert [s["status"] for s in seeds] == ["finished", "not started", "finished"]
    assert mine["runs"]["sgd"]["status"] == "incomplete" and mine["status"] == "incomplete"
    disk["runs"]["sgd"]["seeds"][1] = _rec(1, 9, "finished")
    merge(mine, disk, owned={("sgd", 0)})
    assert mine["runs"]["sgd"]["status"] == "finished" and mine["status"] == "finished"


def test_a_placeholder_on_disk_does_not_replace_a_record():
    mine = _doc({"sgd": {"status": "running", "seeds": [_rec(0, 2), _rec(1, 6)]}})
    disk = _doc({"sgd": {"status": "running", "seeds": [_rec(0, 1), placeholder(1)]}})
    merge(mine, disk, owned={("sgd", 0)})
    assert mine["runs"]["sgd"]["seeds"][1]["epochs_done"] == 6


def test_two_writers_keep_each_others_records(tmp_path):
    path = str(tmp_path / "result.json")
    a, b = ResultFile(path), ResultFile(path)
    doc_a = _doc({"sgd": {"status": "running", "seeds": [_rec(0, 1)]}})
    doc_b = _doc({"sgd": {"status": "running", "seeds": [placeholder(0), _rec(1, 1)]}})
    a.owned.add(("sgd", 0))
    b.owned.add(("sgd", 1))
    for epoch in range(1, 4):
        doc_a["runs"]["sgd"]["seeds"][0] = _rec(0, epoch)
        a.write(doc_a)
        doc_b["runs"]["sgd"]["seeds"][1] = _rec(1, epoch * 10)
        b.write(doc_b)
    on_disk = json.loads(open(path).read())
    assert [s["epochs_done"] for s in on_disk["runs"]["sgd"]["seeds"]] == [3, 30]
    assert [s["epochs_done"] for s in doc_a["runs"]["sgd"]["seeds"]] == [3, 20]  # b's as of a's last write


def test_a_damaged_file_is_replaced_by_a_write(tmp_path):
    path = tmp_path / "result.json"
    path.write_text("{not json")
    rf = ResultFile(str(path))
    assert rf.read() is None
    rf.write(_doc({}))
    assert json.loads(path.read_text())["runs"] == {}


def _hold_lock(path: str, ready, release) -> None:
    with training(path) as got:
        ready.put(got)
        release.get(timeout=30)


@pytest.mark.skipif(resultfile.fcntl is None, reason="no fcntl (Windows): no locking")
def test_a_pair_trained_by_another_process_is_refused(tmp_path):
    ckpt = str(tmp_path / "sgd_s1.npz")
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Queue(), ctx.Queue()
    other = ctx.Process(target=_hold_lock, args=(ckpt, ready, release))
    other.start()
    try:
        assert ready.get(timeout=60) is True
        with training(ckpt) as got:
            assert got is False
    finally:
        release.put(None)
        other.join(30)
    with training(ckpt) as got:  # released when the other process let go
        assert got is True
    assert os.path.exists(str(tmp_path / "sgd_s1.lock"))
