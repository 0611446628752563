"""compare.targets: the agreement targets read from result dicts (met and not met), and the report
section they give."""
from __future__ import annotations

import pytest

from compare import targets


def _seed(summary=None, histories=None, epochs=5):
    return {"seed": 0, "status": "finished", "epochs_done": epochs, "summary": summary or {},
            "histories": histories or {"minidl": {}, "keras": {}}}


def _found(precision, runs, mode="quick"):
    return {"ex": [("folder", {"mode": mode, "precision": precision, "runs": runs})]}


@pytest.mark.parametrize("weights, loss, met", [(3e-16, 2e-16, "yes"), (2e-9, 1e-12, "NO"), (1e-12, 3e-8, "NO")])
def test_float64_deterministic_target(weights, loss, met):
    summary = {"max_weights_rel_diff_first_5": weights, "max_loss_rel_diff_first_5": loss,
               "max_val_loss_rel_diff_first_5": loss / 2}
    (row,) = targets.deterministic_rows(_found("float64", {"v": {"dropout": False, "seeds": [_seed(summary)]}}))
    assert row["met"] == met and row["run"] == "ex v (quick float64)"
    assert row["weights"] == f"{weights:.1e}" and "first 5 epochs" in row["target"]


@pytest.mark.parametrize("weights, met", [(4e-7, "yes"), (2e-5, "NO")])
def test_float32_first_epoch_target(weights, met):
    summary = {"weights_rel_diff_epoch_1": weights, "loss_rel_diff_epoch_1": 1e-7}
    (row,) = targets.deterministic_rows(_found("float32", {"v": {"dropout": False, "seeds": [_seed(summary)]}}))
    assert row["met"] == met


def _dropout_run(minidl, keras):
    """Seeds' val_loss curves per library -> a Dropout run."""
    seeds = [_seed(histories={"minidl": {"val_loss": m}, "keras": {"val_loss": k}}) for m, k in zip(minidl, keras)]
    return {"dropout": True, "seeds": seeds}


def test_dropout_means_within_spread():
    inside = _dropout_run([[1.0, 0.5], [1.2, 0.6], [0.8, 0.4]], [[1.1, 0.55], [0.9, 0.5], [1.0, 0.45]])
    (row,) = targets.dropout_rows(_found("float32", {"v": inside}))
    assert row["epochs"] == "2 of 2" and row["met"] == "yes" and row["quantity"] == "val_loss"


def test_dropout_means_apart_fail_and_single_seeds_are_listed():
    apart = _dropout_run([[1.0, 0.5], [1.01, 0.51], [0.99, 0.49]], [[1.0, 0.9], [1.01, 0.91], [0.99, 0.89]])
    single = _dropout_run([[1.0]], [[1.0]])
    found = _found("float32", {"apart": apart, "single": single})
    (row,) = targets.dropout_rows(found)
    assert row["epochs"] == "1 of 2" and row["met"] == "NO"
    assert targets.single_seed_dropout_runs(found) == ["ex single (quick float32)"]
    text, tables = targets.section(found)
    assert "## Agreement targets" in text and "ex apart" in text and "not checked" in text and len(tables) == 2


def test_chance_outside_matches_the_gaussian_rates():
    assert 0.20 < targets.chance_outside(2) < 0.23 and 0.07 < targets.chance_outside(3) < 0.10
    assert targets.chance_outside(5) < targets.chance_outside(3)


def test_report_says_why_a_figure_is_missing():
    from compare.report import missing_reasons
    runs = {"alexnet_cifar10": {"seeds": [{}]}, "alexnet_cifar100": {"status": "skipped", "reason": "no CIFAR-100"}}
    reasons = missing_reasons([{"name": "ej10", "result": {"runs": runs}}], [30, 31])
    assert reasons == ["30: ej10 skipped: no CIFAR-100", "31: ej10 skipped: no CIFAR-100"]
    assert missing_reasons([], [1]) == ["1: ej01 has no result yet (`python -m compare ej01`)"]


def test_dropout_run_with_unfinished_seeds_is_partial():
    run = _dropout_run([[1.0, 0.5], [1.1]], [[1.0, 0.5], [1.05]])
    run["seeds"][1]["status"], run["seeds"][1]["epochs_done"] = "stopped after 1 of 2 epochs", 1
    (row,) = targets.dropout_rows(_found("float32", {"v": run}))
    assert row["epochs"] == "1 of 1" and row["met"] == "partial run" and row["seeds"] == "2 (epochs 5/1)"
