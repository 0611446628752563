"""benchmarks.profile: every node's forward and backward is timed, the parts add up to the step,
and the model is left as it was (no timer wrappers)."""
from __future__ import annotations

import pytest

pytest.importorskip("keras")  # the setups are the compare exercises, which import Keras for set-up

from benchmarks import epochs as E  # noqa: E402
from benchmarks import profile  # noqa: E402


def test_profile_parts_cover_the_step(capsys):
    stats: dict = {}
    step, parts = profile.profile("mnist-dense", samples=400, epochs=1, stats=stats)
    assert stats["cpu_per_step"] > 0 and stats["minor_faults_per_step"] >= 0
    assert set(stats["gemm_calls"]) == {"parallel", "serial", "pool"}
    names = [p[0] for p in parts]
    assert any("Dense" in n and n.endswith("forward") for n in names)
    assert any("Dense" in n and n.endswith("backward") for n in names)
    assert "optimizer update" in names and "loss + its gradient" in names
    assert all(seconds >= 0 for name, seconds, _ in parts if not name.startswith("rest"))
    assert sum(seconds for _, seconds, _ in parts) == pytest.approx(step, rel=1e-9)
    assert profile.main(["xor", "--samples", "4", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "ms per step" in out and "minor page faults per step" in out


def test_every_step_counted_once_even_where_the_data_are_fewer_than_asked():
    """XOR's data are its 4 cases whatever ``samples`` asks: one update and one loss per step."""
    _, parts = profile.profile("xor", samples=None, epochs=3)
    calls = {name: per_step for name, _, per_step in parts}
    assert calls["optimizer update"] == 1 and calls["loss + its gradient"] == 1


def test_instrument_is_undone():
    model = E.build("minidl", E.BY_NAME["xor"])
    x, y = E.make_data(E.BY_NAME["xor"], 4)
    model.fit(x, y, batch_size=1, epochs=1, verbose=0)
    loss = model.compiled_loss
    restore = profile.instrument(model, profile._Timers())
    assert "forward" in vars(model.graph._plan[0][0].layer)
    restore()
    assert model.compiled_loss is loss and "apply_guarded" not in vars(model.optimizer)
    assert all("forward" not in vars(node.layer) for node, *_ in model.graph._plan)


def test_epochs_verdicts_judge_each_setup_against_its_targets():
    """The benchmark's verdict table: share of the matmul peak, ratio to Keras, not slower than PyTorch."""
    from dataclasses import asdict
    conv, xor = E.BY_NAME["mnist-conv"], E.BY_NAME["xor"]
    peak = 100.0
    results = [
        {"setup": asdict(conv), "gflops": {"minidl": 40.0}, "ratio": 0.3, "ratio_torch": 1.2},
        {"setup": asdict(xor), "gflops": {"minidl": 0.0}, "ratio": 0.011},
    ]
    got = {t: (m, ok) for t, m, ok in E._verdicts({"peak": {"peak": peak}, "results": results})}
    assert got["mnist-conv: ≥ 35 % of the matmul peak"] == ("40.0 %", True)
    assert got["mnist-conv: minidl ≤ 0.4× Keras"][1] is True
    assert got["mnist-conv: minidl not slower than PyTorch"] == ("1.20×", False)
    assert got["xor: minidl ≤ 0.01× Keras"] == ("0.011×", False)
    assert not any(t.startswith("xor: ≥") for t in got)  # XOR has no peak target
