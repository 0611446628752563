"""Figures in the report's style (Figs 4-9): minidl and Keras curves overlaid per epoch.

Every figure is made from the JSON files of a run folder, so an interrupted or
still running comparison can be replotted (``python -m compare --replot DIR``).
Titles name the data ("lossy CIFAR-10", "synthetic data", "XOR ...") and the
precision.
"""
from __future__ import annotations

import json
import os
from typing import Any

from . import files

FIGURES = ("accuracy.png", "loss.png", "loss_normalized.png", "divergence.png")
_STYLE = {"minidl": {"color": "tab:blue", "lw": 3.2, "alpha": 0.45},
          "keras": {"color": "tab:red", "lw": 1.2, "alpha": 1.0}}
_LABEL = {"minidl": "minidl", "keras": "Keras"}


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _read(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def title(run: dict[str, Any], what: str) -> str:
    """``<setup> (<exercise>): <what>`` over a second line naming the data and precision."""
    data = run["data"]
    parts = [data["label"]]
    if data.get("dataset") == "cifar10":
        parts.append(f"{data['n_train']:,} train / {data['n_val']:,} test samples")
    parts.append(run["precision"])
    return f"{run['setup']} ({run['exercise']}): {what}\n" + ", ".join(parts)


def _curves(ax, histories: dict[str, dict[str, list[float]]], key: str, normalize: bool = False) -> None:
    for fw in ("minidl", "keras"):
        h = histories[fw]
        for k, ls, split in ((key, "-", "train"), (f"val_{key}", "--", "validation")):
            values = h.get(k)
            if not values:
                continue
            if normalize:
                top = max(abs(v) for v in values if v is not None) or 1.0
                values = [v / top if v is not None else None for v in values]
            epochs = range(1, len(values) + 1)
            ax.plot(epochs, values, ls, label=f"{_LABEL[fw]} {split}", **_STYLE[fw])
    _epoch_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend()


def _epoch_axis(ax) -> None:
    from matplotlib.ticker import MaxNLocator
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_run(out_dir: str | os.PathLike) -> list[str]:
    """Write the four figures of one run folder; returns their paths."""
    out_dir = os.fspath(out_dir)
    run = _read(os.path.join(out_dir, "run.json"))
    histories = {fw: _read(os.path.join(out_dir, f"history_{fw}.json")) for fw in ("minidl", "keras")}
    rows = _read(os.path.join(out_dir, "divergence.json"))["epochs"]
    plt = _pyplot()
    written = []
    acc_name = "accuracy (±1 outputs: y·t > 0.7)" if run["spec"]["metrics"][0] == "pm1_accuracy" else "accuracy"
    for name, key, ylabel, normalize in (("accuracy.png", "accuracy", acc_name, False),
                                         ("loss.png", "loss", "loss", False),
                                         ("loss_normalized.png", "loss", "loss / its maximum", True)):
        fig, ax = plt.subplots(figsize=(7, 4.6))
        _curves(ax, histories, key, normalize)
        ax.set_ylabel(ylabel)
        what = {"accuracy.png": "accuracy", "loss.png": "loss",
                "loss_normalized.png": "loss normalized to its maximum"}[name]
        ax.set_title(title(run, f"{what}, minidl vs Keras"), fontsize=10)
        if key == "loss" and not normalize and run["spec"]["loss"] != "mse":
            ax.set_yscale("log")
        fig.tight_layout()
        written.append(files.save_figure(fig, os.path.join(out_dir, name), dpi=110))
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.6))
    epochs = [r["epoch"] for r in rows]
    for key, label in (("loss_rel_diff", "rel Δ training loss"), ("val_loss_rel_diff", "rel Δ validation loss"),
                       ("weights_rel_diff", "max rel Δ weights")):
        values = [r.get(key) for r in rows]
        if any(v is not None for v in values):
            # exact agreement (0) is drawn at the floor of the plot
            ax.semilogy(epochs, [max(v, 1e-18) if v is not None else None for v in values],
                        "o-" if len(rows) <= 60 else "-", ms=3, lw=1.0 if len(rows) > 60 else 1.5,
                        label=label)
    _epoch_axis(ax)
    ax.set_ylabel("minidl vs Keras (relative)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    ax.set_title(title(run, "divergence between minidl and Keras"), fontsize=10)
    fig.tight_layout()
    written.append(files.save_figure(fig, os.path.join(out_dir, "divergence.png"), dpi=110))
    plt.close(fig)
    return written


def plot_xor_suite(root: str | os.PathLike, precision: str,
                   setups: tuple[str, ...] = ("xor-221", "xor-211")) -> list[str]:
    """Figs 8-9 of the report: accuracy and loss of both XOR architectures, minidl and Keras,
    in one figure each, from ``root/<setup>/<precision>/``. Returns the paths written (none
    unless every setup has a run there)."""
    root = os.fspath(root)
    folders = [os.path.join(root, s, precision) for s in setups]
    if not all(os.path.isfile(os.path.join(f, "run.json")) for f in folders):
        return []
    plt = _pyplot()
    written = []
    colors = {"minidl": ("tab:blue", "tab:cyan"), "keras": ("tab:red", "tab:orange")}
    for key, ylabel in (("accuracy", "accuracy (±1 outputs: y·t > 0.7)"), ("loss", "loss (MSE)")):
        fig, ax = plt.subplots(figsize=(7, 4.6))
        for i, (setup, folder) in enumerate(zip(setups, folders)):
            for fw in ("minidl", "keras"):
                values = _read(os.path.join(folder, f"history_{fw}.json")).get(key, [])
                style = {**_STYLE[fw], "color": colors[fw][i]}
                ax.plot(range(1, len(values) + 1), values, label=f"{_LABEL[fw]} {setup}", **style)
        _epoch_axis(ax)
        ax.grid(alpha=0.3)
        ax.legend()
        ax.set_ylabel(ylabel)
        run = _read(os.path.join(folders[0], "run.json"))
        ax.set_title(f"XOR (2-6 / P-6): {key} of both architectures, minidl vs Keras\n"
                     f"{run['data']['label']}, {precision}", fontsize=10)
        fig.tight_layout()
        written.append(files.save_figure(fig, os.path.join(root, f"xor_{key}_{precision}.png"), dpi=110))
        plt.close(fig)
    return written
