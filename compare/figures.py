"""The one figure helper: report figures redrawn from result JSON, both libraries overlaid.

Each curve is drawn once per library in the same colour: minidl thick and
light, Keras thin and dark on top (identical runs look like one line with a
halo). Where a curve averages several runs (Pima's folds, Dropout seeds)
the line is the mean and the band mean ± std, per library.
"""
from __future__ import annotations

import os
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from minidl.io import save_figure  # noqa: E402

from . import divergence  # noqa: E402
from .checkpoint import longest_seeds  # noqa: E402

STYLE = {"minidl": {"lw": 4.0, "alpha": 0.35}, "keras": {"lw": 1.2, "alpha": 1.0}}


def new_figure(title: str, sub: str = "") -> tuple[Any, Any]:
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    fig.suptitle(title + (f"\n{sub}" if sub else ""), fontsize=9)
    ax.grid(alpha=0.3)
    return fig, ax


def save(fig: Any, path: str) -> str:
    fig.tight_layout()
    save_figure(fig, path, dpi=90)
    plt.close(fig)
    return path


def subtitle(result: dict[str, Any], label: str) -> str:
    """Data label, precision, libraries and the quick-run marker."""
    parts = [label, result["precision"], "minidl (thick, light) vs Keras (thin)"
             if result["framework"] == "both" else result["framework"]]
    if result["mode"] == "quick" and "quick run" not in label:
        parts.append("quick run (slice, few epochs)")
    import textwrap
    return "\n".join(textwrap.wrap(" · ".join(parts), 120))


def _series(result: dict[str, Any], variants: tuple[str, ...], lib: str, key: str) -> np.ndarray | None:
    rows = []
    for v in variants:
        for rec in longest_seeds(result["runs"].get(v, {})):
            values = rec.get("histories", {}).get(lib, {}).get(key)
            if values:
                rows.append(values)
    if not rows:
        return None
    n = min(len(r) for r in rows)
    return np.array([r[:n] for r in rows], dtype=float)


def _dropout_note(result: dict[str, Any], variants: set[str]) -> str:
    counts = {v: len(longest_seeds(r)) for v, r in sorted(result["runs"].items())
              if v in variants and r.get("dropout")}
    if not counts:
        return ""
    if len(set(counts.values())) > 1:  # e.g. the report's setup once, a variant over 3 seeds
        each = ", ".join(f"{v} {k}" for v, k in counts.items())
        return f"Dropout: the libraries draw different masks; mean ± std over each variant's seeds ({each})"
    k = next(iter(counts.values()))
    if k > 1:
        return f"Dropout: the libraries draw different masks; mean ± std over {k} seeds each"
    return "Dropout: the libraries draw different masks (one seed each; use --seeds 3 for the spread)"


def draw_figure(spec: Any, result: dict[str, Any], folder: str) -> str | None:
    """One :class:`FigureSpec` from ``result``; None when none of its variants ran."""
    used = {v for c in spec.curves for v in c.variants}
    runs = [result["runs"][v] for v in used if v in result["runs"] and result["runs"][v].get("seeds")]
    if not runs:
        return None
    label = runs[0].get("data", {}).get("label", "")
    sub = subtitle(result, label)
    note = _dropout_note(result, used)
    fig, ax = new_figure(spec.title, sub + (f"\n{note}" if note else ""))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, curve in enumerate(spec.curves):
        color = colors[i % len(colors)]
        for lib in ("minidl", "keras"):
            arr = _series(result, curve.variants, lib, curve.key)
            if arr is None:
                continue
            mean, std = arr.mean(axis=0), arr.std(axis=0)
            if spec.normalize:
                peak = np.nanmax(np.abs(mean)) or 1.0
                mean, std = mean / peak, std / peak
            x = np.arange(1, len(mean) + 1)
            ax.plot(x, mean, curve.style, color=color, label=f"{curve.label} — {lib}", **STYLE[lib])
            if len(arr) > 1:
                ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.12 if lib == "minidl" else 0.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel(spec.ylabel + (" (normalized to its maximum)" if spec.normalize else ""))
    if spec.logy:
        ax.set_yscale("log")
    ax.legend(fontsize=7, ncol=2 if len(spec.curves) > 3 else 1)
    name = f"fig{spec.number:02d}_{spec.stem}.png" if spec.number else f"{spec.stem}.png"
    return save(fig, os.path.join(folder, name))


def draw_divergence(result: dict[str, Any], folder: str) -> str | None:
    """Relative loss and weight differences per epoch, every variant and seed (log scale)."""
    recs = [(v, r) for v, run in result["runs"].items() for r in run.get("seeds", []) if r.get("divergence")]
    if not recs:
        return None
    fig, ax = new_figure(f"{result['exercise']}: minidl vs Keras, relative differences per epoch",
                         f"{result['precision']} · {result['mode']} run")
    for v, r in recs:
        rows = r["divergence"]
        ep = [row["epoch"] for row in rows]
        w = [max(row.get("weights_rel_diff", 0), 1e-18) for row in rows]
        lo = [max(row.get("loss_rel_diff", 0), 1e-18) for row in rows]
        line, = ax.plot(ep, w, "-", lw=1, label=f"{v} s{r['seed']}: weights")
        ax.plot(ep, lo, ":", lw=1, color=line.get_color(), label=f"{v} s{r['seed']}: loss")
    ax.set_yscale("log"), ax.set_xlabel("epoch"), ax.set_ylabel("relative difference")
    ax.legend(fontsize=6, ncol=2)
    return save(fig, os.path.join(folder, "divergence.png"))


def write_tables(result: dict[str, Any], folder: str) -> list[str]:
    """``divergence_<variant>_s<seed>.md`` per lockstep pair."""
    paths = []
    for v, run in result["runs"].items():
        for r in run.get("seeds", []):
            if r.get("divergence"):
                header = (f"# {result['exercise']} {v}, seed {r['seed']}: minidl vs Keras, {result['precision']}, "
                          f"{run.get('data', {}).get('label', '')}")
                p = os.path.join(folder, f"divergence_{v}_s{r['seed']}.md")
                from minidl.io import write_text
                write_text(p, divergence.markdown(r["divergence"], header))
                paths.append(p)
    return paths


def draw_exercise(ex: Any, result: dict[str, Any], folder: str) -> list[str]:
    """Every curve figure of ``ex``, the divergence plot and tables; returns the paths written."""
    paths = [draw_figure(spec, result, folder) for spec in ex.curve_figures]
    paths.append(draw_divergence(result, folder))
    paths += write_tables(result, folder)
    return [p for p in paths if p]
