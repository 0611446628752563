"""The agreement targets of the comparison, checked on the results on disk.

* Deterministic runs (no Dropout) in float64: weights within 1e-9 and loss
  within 1e-8 (largest relative difference over the first 5 epochs, training
  and validation loss).
* Deterministic runs in float32: weights and loss within 1e-5 after the first epoch.
* Dropout runs with two seeds or more (each library draws its own masks, so
  single runs differ): at every epoch the two libraries' means over the seeds
  lie within their spread, taken as Δ mean = |mean_minidl − mean_keras| ≤
  sd_minidl + sd_keras (sample standard deviations over the seeds), for the validation
  loss and the validation metric (training ones without validation data).

The last test is strict: two libraries drawing from the same distribution put
their means outside that band at 22 % of epochs with 2 seeds and 8 % with 3
(``chance_outside``, Gaussian), so the table gives that share beside the
count.

``python -m compare report`` adds these tables to REPORT.md and report.html.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Iterable

import numpy as np

F64_WEIGHTS, F64_LOSS, F32_WEIGHTS_EPOCH_1 = 1e-9, 1e-8, 1e-5

Found = dict[str, list[tuple[str, dict[str, Any]]]]


def _runs(found: Found) -> Iterable[tuple[str, str, dict[str, Any], str, dict[str, Any]]]:
    """(exercise, folder, result, variant, run) for every run that trained."""
    for name, results in found.items():
        for folder, result in results:
            for variant, run in result.get("runs", {}).items():
                if run.get("seeds"):
                    yield name, folder, result, variant, run


def _worst(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return max(vals) if vals else None


def deterministic_rows(found: Found) -> list[dict[str, Any]]:
    """One row per deterministic run: the measured differences against the target."""
    rows = []
    for name, folder, result, variant, run in _runs(found):
        if run.get("dropout"):
            continue
        summaries = [s.get("summary", {}) for s in run["seeds"]]
        epochs = min(s.get("epochs_done", 0) for s in run["seeds"])
        label = f"{result['mode']} {result['precision']}"
        if result["precision"] == "float64":
            weights = _worst(s.get("max_weights_rel_diff_first_5") for s in summaries)
            loss = _worst(v for s in summaries for v in (s.get("max_loss_rel_diff_first_5"),
                                                          s.get("max_val_loss_rel_diff_first_5")))
            target = f"weights ≤ {F64_WEIGHTS:g}, loss ≤ {F64_LOSS:g} (first {min(epochs, 5)} epochs)"
            met = weights is not None and loss is not None and weights <= F64_WEIGHTS and loss <= F64_LOSS
        else:
            weights = _worst(s.get("weights_rel_diff_epoch_1") for s in summaries)
            loss = _worst(v for s in summaries for v in (s.get("loss_rel_diff_epoch_1"),
                                                          s.get("val_loss_rel_diff_epoch_1")))
            target = f"weights and loss ≤ {F32_WEIGHTS_EPOCH_1:g} after epoch 1"
            met = (weights is not None and weights <= F32_WEIGHTS_EPOCH_1
                   and (loss is None or loss <= F32_WEIGHTS_EPOCH_1))
        rows.append({"run": f"{name} {variant} ({label})", "target": target,
                     "weights": _sci(weights), "loss": _sci(loss), "met": "yes" if met else "NO",
                     "folder": folder})
    return rows


def _mean_sd(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


@functools.lru_cache(maxsize=None)
def chance_outside(seeds: int, draws: int = 200_000) -> float:
    """Share of epochs where |Δ mean| > sd + sd for two samples of ``seeds`` values from
    the same Gaussian (simulated once, fixed seed)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((draws, seeds)), rng.standard_normal((draws, seeds))
    gap = np.abs(a.mean(axis=1) - b.mean(axis=1))
    return float(np.mean(gap > a.std(axis=1, ddof=1) + b.std(axis=1, ddof=1)))


def dropout_rows(found: Found) -> list[dict[str, Any]]:
    """One row per Dropout run with ≥ 2 seeds and per compared quantity, over the epochs every
    seed has; a run whose seeds are not all finished is marked partial, not judged."""
    rows = []
    for name, folder, result, variant, run in _runs(found):
        seeds = [s for s in run["seeds"] if s.get("histories")]
        if not run.get("dropout") or len(seeds) < 2:
            continue
        keys = seeds[0]["histories"].get("minidl", {}).keys()
        for key in [k for k in ("val_loss", "val_accuracy") if k in keys] or [k for k in ("loss", "accuracy")
                                                                            if k in keys]:
            n = min(len(s["histories"][lib][key]) for s in seeds for lib in ("minidl", "keras"))
            inside, worst = 0, 0.0
            for e in range(n):
                (mm, sm), (mk, sk) = (_mean_sd([s["histories"][lib][key][e] for s in seeds])
                                      for lib in ("minidl", "keras"))
                gap, spread = abs(mm - mk), sm + sk
                inside += gap <= spread
                worst = max(worst, gap / spread if spread > 0 else (0.0 if gap == 0 else math.inf))
            done = [s.get("epochs_done", 0) for s in seeds]
            partial = any(s.get("status") != "finished" for s in seeds)
            rows.append({"run": f"{name} {variant} ({result['mode']} {result['precision']})",
                         "seeds": str(len(seeds)) + (f" (epochs {'/'.join(map(str, done))})" if partial else ""),
                         "quantity": key, "epochs": f"{inside} of {n}",
                         "chance": f"{100 * chance_outside(len(seeds)):.0f} %",
                         "worst": f"{worst:.2f}",
                         "met": "partial run" if partial else "yes" if inside == n else "NO"})
    return rows


def single_seed_dropout_runs(found: Found) -> list[str]:
    return [f"{name} {variant} ({result['mode']} {result['precision']})"
            for name, _, result, variant, run in _runs(found)
            if run.get("dropout") and len([s for s in run["seeds"] if s.get("histories")]) < 2]


DET_COLUMNS = (("run", "run"), ("target", "target"), ("weights", "max rel Δ weights"),
               ("loss", "max rel Δ loss"), ("met", "met"))
DROP_COLUMNS = (("run", "run"), ("seeds", "seeds"), ("quantity", "quantity"),
                ("epochs", "epochs with Δ mean ≤ sd_minidl + sd_keras"),
                ("chance", "outside by chance (same distribution)"),
                ("worst", "largest Δ mean / (sd_minidl + sd_keras)"), ("met", "met (every epoch)"))


def _md(rows: list[dict[str, Any]], columns) -> str:
    lines = ["| " + " | ".join(h for _, h in columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(str(r.get(k, "")) for k, _ in columns) + " |" for r in rows])


def _sci(v: float | None) -> str:
    return "–" if v is None else f"{v:.1e}"


def section(found: Found) -> tuple[str, list[tuple[str, list[dict[str, Any]], tuple]]]:
    """(Markdown text, [(heading, rows, columns)]) of the agreement section."""
    det, drop, single = deterministic_rows(found), dropout_rows(found), single_seed_dropout_runs(found)
    tables = [("Deterministic runs (no Dropout)", det, DET_COLUMNS),
              ("Dropout runs over several seeds", drop, DROP_COLUMNS)]
    met = sum(r["met"] == "yes" for r in det)
    lines = ["## Agreement targets", "",
             f"Deterministic runs meeting their target: {met} of {len(det)}. "
             "float64: weights within 1e-9 and loss within 1e-8 over the first 5 epochs; "
             "float32: weights and loss within 1e-5 after the first epoch (`compare/targets.py`).", "",
             "### " + tables[0][0], "", _md(det, DET_COLUMNS), "",
             "### " + tables[1][0], "",
             "Each library draws its own Dropout masks; the two means over the seeds should lie within their "
             "spread (Δ mean ≤ sd_minidl + sd_keras) at every epoch. Even two libraries drawing from the same "
             "distribution miss that band at some epochs with few seeds: the expected share is given beside "
             "the count.", "", _md(drop, DROP_COLUMNS) if drop else "No Dropout run with 2 seeds yet.", ""]
    if single:
        lines += [f"Dropout runs with a single seed (not checked): {', '.join(single)}.", ""]
    return "\n".join(lines), tables

