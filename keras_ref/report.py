"""Collect results JSON files into one Markdown table beside the report's numbers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from .common import atomic_write_text, dataset_label

# (exercise, model key) -> (what the report measured, published value in %)
PUBLISHED: dict[tuple[str, str], tuple[str, float]] = {
    ("ej03_imdb_dense", "final"): ("validation accuracy", 84.8),
    ("ej04_imdb_conv1d", "conv1d"): ("validation accuracy", 89.1),
    ("ej06_pima", "zeros_replaced_mean"): ("5-fold mean validation accuracy", 77.2),
    ("ej07_denoising", "autoencoder"): ("validation pixel binary accuracy", 81.2),
    ("ej08_mnist", "conv"): ("validation accuracy", 97.9),
    ("ej08_mnist", "dense"): ("validation accuracy", 93.67),
    ("ej09_permuted_mnist", "conv_permuted"): ("validation accuracy", 93.8),
}

# (exercise, model key) -> parameter count in the report's tables
PUBLISHED_PARAMS: dict[tuple[str, str], int] = {
    ("ej03_imdb_dense", "final"): 1_003_561,
    ("ej04_imdb_conv1d", "conv1d"): 599_277,
    ("ej08_mnist", "dense"): 79_510,
    ("ej08_mnist", "conv"): 6_000,
    ("ej10_cifar_nets", "vgg_cifar100"): 6_151_892,
    ("ej10_cifar_nets", "alexnet_cifar100"): 4_334_824,
}

HEADER = ("| exercise | model | mode | seed | data | epochs reached / asked | training time | "
          "final validation | best validation | published | params | published params |")
RULE = "|" + "---|" * 12


def iter_results(out: str | Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every ``results_*.json`` under ``out`` (sorted), parsed; unreadable files skipped."""
    for path in sorted(Path(out).glob("*/results_*.json")):
        try:
            yield path, json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f} %"


def _metric(final: dict[str, float]) -> tuple[str, str]:
    """(final, best) validation metric as text: accuracy in %, else loss."""
    if "val_accuracy_std" in final:  # mean over folds
        return f"{_pct(final['val_accuracy'])} ± {100 * final['val_accuracy_std']:.1f}", "—"
    if "val_accuracy" in final:
        return _pct(final["val_accuracy"]), _pct(final.get("best_val_accuracy"))
    if "val_rmse" in final:
        return f"MSE {final['val_loss']:.3g} (RMSE {final['val_rmse']:.3g})", "—"
    if "val_loss" in final:
        return f"loss {final['val_loss']:.3g}", "—"
    if "accuracy" in final:  # no held-out set (XOR)
        return f"train {_pct(final['accuracy'])} (no validation set)", "—"
    return "—", "—"


def _time(res: dict[str, Any], key: str) -> str:
    """Training time of one model, else the whole run's wall time."""
    seconds = res.get("train_seconds", {}).get(key)
    if seconds is None and key.endswith("_original") and any(
            "reused" in note for note in res.get("notes", [])):
        return "reused from ej08"
    if seconds is None and key.endswith("_mean"):  # Pima: sum over folds
        folds = [v for k, v in res.get("train_seconds", {}).items()
                 if k.startswith(key[:-len("_mean")] + "_fold")]
        seconds = sum(folds) if folds else None
    if seconds is None:
        return f"{res.get('wall_time_s', 0):.0f} s (whole run)"
    return f"{seconds:.0f} s"


def _data(res: dict[str, Any], key: str) -> str:
    data = res.get("data", {})
    if "name" not in data:  # ej10: one record per data set
        for name, info in data.items():
            if key == name or key.endswith(name):
                return str(info.get("label") or dataset_label(info))
        return "?"
    return dataset_label(data)


def rows(out: str | Path) -> list[str]:
    """One table row per trained model of every results file."""
    lines = []
    for _, res in iter_results(out):
        exercise = res.get("exercise", "?")
        for key, final in res.get("final", {}).items():
            if "_fold" in key:
                continue
            published = PUBLISHED.get((exercise, key))
            pub_params = PUBLISHED_PARAMS.get((exercise, key))
            params = res.get("params", {}).get(key) or res.get("params", {}).get("pima")
            final_txt, best_txt = _metric(final)
            status = "" if res.get("status") == "complete" else f" ({res.get('status')})"
            lines.append("| " + " | ".join([
                exercise, key, res.get("mode", "?") + status, str(res.get("seed", "?")),
                _data(res, key),
                f"{res.get('epochs_reached', {}).get(key, '?')} / "
                f"{res.get('epochs_requested', {}).get(key, '?')}",
                _time(res, key),
                final_txt, best_txt,
                f"{published[1]:.2f} % ({published[0]})" if published else "—",
                f"{params['total']:,}" if params else "—",
                f"{pub_params:,}" if pub_params else "—",
            ]) + " |")
    return lines


def build_report(out: str | Path) -> str:
    """The Markdown report text for all results under ``out``."""
    body = rows(out)
    parts = ["# keras_ref results vs the report's published numbers", "",
             f"Collected from `{Path(out)}/*/results_*.json`. Quick runs use a few epochs on a "
             "slice of the data and are not comparable with the published numbers.", ""]
    if not body:
        parts.append("No results files found: run `python -m keras_ref EXERCISE` first.")
    else:
        parts += [HEADER, RULE, *body]
    return "\n".join(parts) + "\n"


def write_report(out: str | Path) -> tuple[Path, str]:
    """Write ``OUT/REPORT.md`` atomically; return its path and text."""
    text = build_report(out)
    return atomic_write_text(Path(out) / "REPORT.md", text), text
