"""``python -m compare report``: one report regenerated from the result JSON files on disk.

Reads ``OUT/<exercise>/<mode>_<precision>/result.json`` (the full run when
there is one, else the quick run) and writes ``OUT/REPORT.md`` (figures
linked) and ``OUT/report.html`` (self-contained: figures embedded as base64
PNG), both with the agreement targets of ``targets`` and the reason each
missing figure is missing. Per exercise: published number, what Keras and minidl reached, epochs,
wall time per library and the divergence; figures 1-31 in order, each drawn
with both libraries (the figure's title says "QUICK RUN", "lossy CIFAR-10",
"synthetic" where true); the figures no run produced are listed as missing.
"""
from __future__ import annotations

import base64
import glob
import html
import os
import re
from typing import Any

from minidl.io import write_text

from . import targets
from .checkpoint import longest_seeds, read_result
from .exercises import NAMES, get

MODES = ("full_float32", "full_float64", "quick_float32", "quick_float64")


def find_results(out: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """{exercise: [(folder, result), ...]} ordered full before quick."""
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name in NAMES:
        for mode in MODES:
            path = os.path.join(out, name, mode, "result.json")
            if os.path.exists(path):  # a damaged one is named (checkpoint.CorruptFile), not skipped
                found.setdefault(name, []).append((os.path.dirname(path), read_result(path)))
    return found


def _mean_last(run: dict[str, Any], lib: str, key: str) -> float | None:
    vals = [s["histories"][lib][key][-1] for s in longest_seeds(run)
            if s.get("histories", {}).get(lib, {}).get(key)]
    return sum(vals) / len(vals) if vals else None


def _fmt(v: float | None, key: str) -> str:
    if v is None:
        return "–"
    return f"{100 * v:.2f} %" if "accuracy" in key else f"{v:.4g}"


def _key(run: dict[str, Any]) -> str:
    hist = next((s["histories"] for s in run.get("seeds", []) if s.get("histories")), {})
    keys = next(iter(hist.values()), {}) if hist else {}
    return next((k for k in ("val_accuracy", "accuracy", "val_loss", "loss") if k in keys), "loss")


def exercise_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per published number (averaged over its variants) and per other variant."""
    rows, covered = [], set()
    for pub in result.get("published", []):
        runs = [result["runs"][v] for v in pub["variants"] if v in result["runs"] and result["runs"][v].get("seeds")]
        if not runs:
            continue
        covered |= set(pub["variants"])
        rows.append(_row(result, " + ".join(pub["variants"]) if len(pub["variants"]) <= 2
                         else f"{pub['variants'][0].split('_fold')[0]} (mean of {len(runs)} folds)",
                         runs, pub["key"], pub["text"], pub["value"]))
    for v, run in result["runs"].items():
        if v in covered:
            continue
        if run.get("status") == "skipped":
            rows.append({"variant": v, "published": "", "keras": "skipped", "minidl": run.get("reason", ""),
                         "epochs": "", "seconds": "", "divergence": "", "met": ""})
        elif run.get("seeds"):
            rows.append(_row(result, v, [run], _key(run), "", None))
    return rows


def _row(result, label, runs, key, text, value) -> dict[str, Any]:
    reached = {}
    for lib in ("minidl", "keras"):
        vals = [_mean_last(r, lib, key) for r in runs]
        vals = [x for x in vals if x is not None]
        reached[lib] = sum(vals) / len(vals) if vals else None
    secs = {lib: sum(s.get("seconds", {}).get(lib, 0.0) for r in runs for s in r["seeds"]) for lib in reached}
    w = [s.get("summary", {}).get("max_weights_rel_diff") for r in runs for s in r["seeds"]]
    lo = [s.get("summary", {}).get("max_loss_rel_diff") for r in runs for s in r["seeds"]]
    w, lo = [x for x in w if x is not None], [x for x in lo if x is not None]
    div = f"weights {max(w):.1e}, loss {max(lo):.1e}" if w and lo else "–"
    if any(r.get("dropout") for r in runs):
        kept = [(len(longest_seeds(r)), len(r["seeds"])) for r in runs]
        k = max(n for n, _ in kept)
        partial = any(n < total for n, total in kept)
        div += f" (Dropout: different masks, {k} seed{'s' if k > 1 else ''}" + \
            (", seeds stopped early left out)" if partial else ")")
    epochs = sorted({s.get("epochs_done", 0) for r in runs for s in r["seeds"]})
    met = ""
    if value is not None and all(reached[lib] is not None for lib in reached):
        met = " / ".join(f"{lib} {'yes' if reached[lib] >= value - 0.005 else 'no'}" for lib in reached)
    return {"variant": label, "published": text, "keras": _fmt(reached.get("keras"), key),
            "minidl": _fmt(reached.get("minidl"), key), "metric": key,
            "epochs": "/".join(map(str, epochs)), "divergence": div, "met": met,
            "seconds": " / ".join(f"{lib} {_seconds(secs[lib])}" for lib in secs)}


COLUMNS = (("variant", "variant"), ("metric", "metric (last epoch)"), ("published", "published"),
           ("keras", "Keras"), ("minidl", "minidl"), ("met", "published reached (±0.5 pt)"),
           ("epochs", "epochs"), ("seconds", "wall time in fit"), ("divergence", "max rel Δ (weights, loss)"))


def md_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(h for _, h in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r.get(k, "")) for k, _ in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def _figure_number(path: str) -> int:
    m = re.match(r"fig(\d+)_", os.path.basename(path))
    return int(m.group(1)) if m else 1000


def collect(found: dict[str, list[tuple[str, dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Per exercise: the chosen result, its rows, its figures; plus other results found."""
    sections = []
    for name, results in found.items():
        folder, result = results[0]
        pngs = sorted(glob.glob(os.path.join(folder, "*.png")), key=lambda p: (_figure_number(p), p))
        sections.append({"name": name, "title": get(name).title, "folder": folder, "result": result,
                         "rows": exercise_rows(result), "figures": pngs,
                         "others": [(f, r["mode"], r["precision"]) for f, r in results[1:]]})
    return sections


def markdown(sections: list[dict[str, Any]], out: str, agreement: str = "") -> str:
    lines = ["# minidl vs Keras: every exercise of the report, regenerated",
             "", "Regenerated by `python -m compare report` from the result JSON files under this folder. "
             "Each exercise trained in both libraries from the same initial weights, on the same batches in "
             "the same order (see compare/README.md). Accuracies are the last epoch's (mean over seeds or "
             "folds). A quick run trains a few epochs on a slice: its numbers are not the report's.", "",
             "## Summary", "", summary_table(sections), "", agreement]
    present = {_figure_number(p) for s in sections for p in s["figures"]}
    missing = [n for n in range(1, 32) if n not in present]
    lines += [f"Report figures present: {len(set(range(1, 32)) & present)} of 31"
              + (f"; missing: {', '.join(map(str, missing))}" if missing else "") + "."]
    lines += [f"- {why}" for why in missing_reasons(sections, missing)] + [""]
    for s in sections:
        r = s["result"]
        lines += [f"## {s['name']}: {s['title']}", "",
                  f"Run: {r['mode']}, {r['precision']}, {r['framework']}, status {r['status']} "
                  f"(`{os.path.relpath(s['folder'], out)}`).", ""]
        lines += [f"- {n}" for n in r.get("notes", [])]
        lines += ["", md_table(s["rows"]), ""]
        for p in s["figures"]:
            lines.append(f"![{os.path.basename(p)}]({os.path.relpath(p, out)})")
        lines.append("")
    return "\n".join(lines)


def missing_reasons(sections: list[dict[str, Any]], missing: list[int]) -> list[str]:
    """Why each missing figure is missing: its exercise never ran, or the variants it draws
    were not run or were skipped (with the run's reason, e.g. a dataset that is absent)."""
    chosen = {s["name"]: s["result"] for s in sections}
    reasons = []
    for name in NAMES:
        ex = get(name)
        numbers = [n for n in ex.figures if n in missing]
        if not numbers:
            continue
        figs = ", ".join(map(str, numbers))
        result = chosen.get(name)
        covered_elsewhere = all(any(n in get(o).figures for o in chosen if o != name) for n in numbers)
        if result is None and covered_elsewhere:
            continue  # e.g. ej02, whose figures are P-3's and P-4's
        if result is None:
            reasons.append(f"{figs}: {name} has no result yet (`python -m compare {name}`)")
            continue
        for spec in (f for f in ex.curve_figures if f.number in numbers):
            variants = sorted({v for c in spec.curves for v in c.variants})
            runs = result["runs"]
            skipped = [runs[v].get("reason", "") for v in variants if runs.get(v, {}).get("status") == "skipped"]
            absent = [v for v in variants if v not in runs]
            why = (f"skipped: {skipped[0]}" if skipped else
                   f"variants {', '.join(absent)} not run" if absent else "no figure drawn")
            reasons.append(f"{spec.number}: {name} {why}")
    return reasons


def summary_table(sections: list[dict[str, Any]]) -> str:
    rows = []
    for s in sections:
        for r in s["rows"]:
            rows.append({**r, "variant": f"{s['name']} {r['variant']} ({s['result']['mode']})"})
    return md_table(rows)


def to_html(sections: list[dict[str, Any]], md: str, agreement: list | None = None) -> str:
    """Self-contained HTML: tables and every figure embedded."""
    parts = ["<!doctype html><meta charset='utf-8'><title>minidl vs Keras</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;"
             "font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}img{max-width:720px;display:block}</style>",
             "<h1>minidl vs Keras: every exercise of the report, regenerated</h1>",
             "<p>Regenerated by <code>python -m compare report</code>. Both libraries start from the same weights "
             "and see the same batches in the same order; quick runs are few epochs on a slice.</p>",
             "<h2>Summary</h2>", _html_table([{**r, "variant": f"{s['name']} {r['variant']} ({s['result']['mode']})"}
                                            for s in sections for r in s["rows"]])]
    if agreement:
        parts.append("<h2>Agreement targets</h2><p>float64: weights within 1e-9 and loss within 1e-8 over the "
                     "first 5 epochs; float32: weights and loss within 1e-5 after the first epoch; Dropout: means over "
                     "seeds within sd_minidl + sd_keras at every epoch (<code>compare/targets.py</code>).</p>")
        for heading, rows, columns in agreement:
            parts += [f"<h3>{html.escape(heading)}</h3>", _html_table(rows, columns)]
    for s in sections:
        r = s["result"]
        parts.append(f"<h2>{html.escape(s['name'])}: {html.escape(s['title'])}</h2>")
        parts.append(f"<p>Run: {r['mode']}, {r['precision']}, {r['framework']}, status {html.escape(r['status'])}</p>")
        parts += [f"<p>{html.escape(n)}</p>" for n in r.get("notes", [])]
        parts.append(_html_table(s["rows"]))
        for p in s["figures"]:
            with open(p, "rb") as f:
                data = base64.b64encode(f.read()).decode()
            parts.append(f"<img alt='{html.escape(os.path.basename(p))}' src='data:image/png;base64,{data}'>")
    return "\n".join(parts)


def _html_table(rows: list[dict[str, Any]], columns=COLUMNS) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(k, '')))}</td>" for k, _ in columns) + "</tr>"
                   for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_report(out: str) -> list[str]:
    """Write ``OUT/REPORT.md`` and ``OUT/report.html``; returns their paths."""
    found = find_results(out)
    sections = collect(found)
    if not sections:
        raise FileNotFoundError(f"no result.json under {out}/<exercise>/<mode>_<precision>/: run an exercise first")
    agreement_md, agreement_tables = targets.section(found)
    md = markdown(sections, out, agreement_md)
    p_md, p_html = os.path.join(out, "REPORT.md"), os.path.join(out, "report.html")
    write_text(p_md, md)
    write_text(p_html, to_html(sections, md, agreement_tables))
    return [p_md, p_html]


def _seconds(value: float) -> str:
    """Two significant digits below 100 s (minidl's small runs take a fraction of a second)."""
    return f"{value:.0f} s" if value >= 100 else f"{value:.2g} s"
