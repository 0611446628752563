"""Matplotlib figures (Agg backend), written atomically as PNG.

Every function takes the report's figure number and a title and returns the
path it wrote: ``OUT/<exercise>/figNN_<slug>.png``.  Titles are composed by
the exercises and always name the data (synthetic stand-ins and lossy
CIFAR-10 say so).
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .common import atomic_write_bytes, normalized  # noqa: E402


def figure_path(folder: str | Path, number: int, slug: str) -> Path:
    """``folder/figNN_slug.png`` with a filesystem-safe slug."""
    if not 1 <= int(number) <= 99:
        raise ValueError(f"figure number out of range: {number}")
    safe = re.sub(r"[^A-Za-z0-9]+", "_", slug).strip("_").lower()
    return Path(folder) / f"fig{int(number):02d}_{safe}.png"


def save_figure(fig: plt.Figure, path: str | Path, dpi: int = 110) -> Path:
    """Render ``fig`` to PNG in memory, write it atomically, close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())


def _titled(title: str, subtitle: str | None) -> str:
    return f"{title}\n{subtitle}" if subtitle else title


def curves(folder: str | Path, number: int, slug: str, title: str,
           series: Mapping[str, Sequence[float]], ylabel: str, *,
           normalize: bool = False, subtitle: str | None = None,
           logy: bool = False, styles: Mapping[str, str] | None = None) -> Path:
    """Line plot of per-epoch series; ``normalize`` divides each by its maximum."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for label, values in series.items():
        if values is None or len(values) == 0:
            continue
        y = normalized(values) if normalize else np.asarray(values, dtype=float)
        x = np.arange(1, len(y) + 1)
        style = (styles or {}).get(label, "-")
        ax.plot(x, y, style, label=label, lw=1.4, marker="o" if len(y) <= 3 else None, ms=3)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"{ylabel} / max" if normalize else ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(_titled(title, subtitle), fontsize=10)
    return save_figure(fig, figure_path(folder, number, slug))


def identity_scatter(folder: str | Path, number: int, slug: str, title: str,
                     real: np.ndarray, predicted: np.ndarray, *, unit: str = "",
                     subtitle: str | None = None) -> Path:
    """Predicted vs real values with the identity line y = x."""
    real, predicted = np.ravel(real), np.ravel(predicted)
    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    ax.scatter(real, predicted, s=14, alpha=0.7, label="validation examples")
    lo = float(min(real.min(), predicted.min()))
    hi = float(max(real.max(), predicted.max()))
    ax.plot([lo, hi], [lo, hi], "k--", lw=1, label="identity (predicted = real)")
    ax.set_xlabel(f"real {unit}".strip())
    ax.set_ylabel(f"predicted {unit}".strip())
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(_titled(title, subtitle), fontsize=10)
    return save_figure(fig, figure_path(folder, number, slug))


def feature_scatter(folder: str | Path, number: int, slug: str, title: str,
                    feature: np.ndarray, real: np.ndarray, predicted: np.ndarray, *,
                    xlabel: str, ylabel: str, subtitle: str | None = None) -> Path:
    """Real and predicted targets against one input feature."""
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    ax.scatter(feature, real, s=14, alpha=0.7, label="real")
    ax.scatter(feature, predicted, s=14, alpha=0.7, marker="x", label="predicted")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(_titled(title, subtitle), fontsize=10)
    return save_figure(fig, figure_path(folder, number, slug))


def band(folder: str | Path, number: int, slug: str, title: str,
         runs: Mapping[str, np.ndarray], ylabel: str, *, subtitle: str | None = None) -> Path:
    """Mean over runs (axis 0) per epoch with a ±1 std shaded band, per series."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for label, values in runs.items():
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 2 or arr.shape[1] == 0:
            continue
        mean, std = arr.mean(axis=0), arr.std(axis=0)
        x = np.arange(1, arr.shape[1] + 1)
        (line,) = ax.plot(x, mean, lw=1.5, label=f"{label} (mean of {arr.shape[0]} folds)")
        ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.2,
                        label=f"{label} ±1 std")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(_titled(title, subtitle), fontsize=10)
    return save_figure(fig, figure_path(folder, number, slug))


def image_rows(folder: str | Path, number: int, slug: str, title: str,
               rows: Mapping[str, np.ndarray], *, subtitle: str | None = None) -> Path:
    """Grid of grey images: one row per entry of ``rows`` (each (n, H, W))."""
    names = list(rows)
    n = max(len(rows[k]) for k in names)
    fig, axes = plt.subplots(len(names), n, figsize=(1.3 * n, 1.45 * len(names) + 0.6),
                             squeeze=False)
    for r, name in enumerate(names):
        for c in range(n):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c < len(rows[name]):
                ax.imshow(np.squeeze(rows[name][c]), cmap="gray", vmin=0.0, vmax=1.0)
            if c == 0:
                ax.set_ylabel(name, fontsize=8)
    fig.suptitle(_titled(title, subtitle), fontsize=10)
    return save_figure(fig, figure_path(folder, number, slug))
