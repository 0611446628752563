"""Command line: ``python -m keras_ref EXERCISE|all|report [options]``.

Exit codes: 0 success; 1 an exercise could not run (missing data, missing
``compare.specs``) or failed; 2 bad command line (unknown exercise, bad
option value).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Sequence

from compare import argtypes

from . import EXERCISES
from .common import DEFAULT_OUT, DataUnavailable

DESCRIPTIONS = {
    "ej01": "Boston housing linear regression (figs 1-3)",
    "ej02": "P-3/P-4/P-6 in Keras from compare.specs (figs 4-9)",
    "ej03": "IMDB dense on count vectors + ablations (figs 10-13)",
    "ej04": "IMDB Embedding + Conv1D (figs 14-15)",
    "ej05": "logistic map with 10/24/50 training examples (fig 16)",
    "ej06": "Pima diabetes 5-fold CV, with/without zero replacement (figs 17-20)",
    "ej07": "MNIST denoising autoencoder (figs 21-23)",
    "ej08": "MNIST dense vs conv (figs 24-25)",
    "ej09": "MNIST original vs permuted pixels (figs 26-27)",
    "ej10": "AlexNet-like / VGG16-like on CIFAR-10/100 with augmentation (figs 28-31)",
}


class UsageError(Exception):
    """Bad command line: reported with exit code 2."""


def _existing_dir(text: str) -> str:
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"data directory {text!r} does not exist")
    return text


def parser() -> argparse.ArgumentParser:
    """The argument parser (exits with code 2 on bad arguments, as argparse does)."""
    listing = "\n".join(f"  {k}  {v}" for k, v in DESCRIPTIONS.items())
    p = argparse.ArgumentParser(
        prog="python -m keras_ref",
        description="Keras solutions of the ten exercises of 'Práctica 2: Introducción a Keras'.",
        epilog=f"exercises:\n{listing}\n  all   every exercise in turn\n"
               "  report  collect results JSON into OUT/REPORT.md",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("exercise", nargs="?", help="ej01..ej10, all, or report")
    p.add_argument("--list", action="store_true", help="list the exercises and exit")
    p.add_argument("--epochs", type=argtypes.positive_int, help="override the default epochs")
    p.add_argument("--quick", action="store_true", help="few epochs on a slice of the data")
    p.add_argument("--seed", type=argtypes.seed, default=0, help="random seed (default 0)")
    p.add_argument("--data-dir", type=_existing_dir, help="data folder (default $MINIDL_DATA_DIR)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--synthetic", action="store_true",
                   help="ej07-ej10: use synthetic stand-in data where the real set is missing "
                        "(only CIFAR-100 here); titles and results say so")
    p.add_argument("--time-limit", type=argtypes.positive_seconds, metavar="SECONDS",
                   help="stop training at the next epoch end after this many seconds")
    p.add_argument("-v", "--verbose", action="count", default=0, help="Keras progress output")
    return p


def resolve(name: str) -> str:
    """``ej08``, ``8``, ``08`` or ``ej08_mnist`` -> ``ej08``; UsageError otherwise."""
    key = name.strip().lower()
    if key.isdigit():
        key = f"ej{int(key):02d}"
    for short, module in EXERCISES.items():
        if key in (short, module):
            return short
    raise UsageError(f"unknown exercise {name!r}; choose one of {', '.join(EXERCISES)}, all, report "
                     "(see --list)")


def run_one(short: str, args: argparse.Namespace) -> dict:
    """Import the exercise module and call its ``run`` with the CLI options."""
    module = importlib.import_module(f"keras_ref.{EXERCISES[short]}")
    kwargs = dict(epochs=args.epochs, quick=args.quick, seed=args.seed, data_dir=args.data_dir,
                  out=args.out, verbose=min(args.verbose, 2))
    params = inspect.signature(module.run).parameters
    if "synthetic" in params:
        kwargs["synthetic"] = args.synthetic
    return module.run(**kwargs)


def _summary(short: str, result: dict, seconds: float) -> str:
    finals = []
    for key, final in result.get("final", {}).items():
        if "_fold" in key:
            continue
        if "val_accuracy" in final:
            finals.append(f"{key} val_acc={100 * final['val_accuracy']:.2f}%")
        elif "val_loss" in final:
            finals.append(f"{key} val_loss={final['val_loss']:.4g}")
    notes = "".join(f"\n    note: {n}" for n in result.get("notes", []))
    return f"{short}: done in {seconds:.0f} s; " + ", ".join(finals) + notes


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    p = parser()
    args = p.parse_args(argv)
    if args.list:
        for short, text in DESCRIPTIONS.items():
            print(f"{short}  {EXERCISES[short]:22s} {text}")
        return 0
    if not args.exercise:
        p.print_usage(sys.stderr)
        print(f"{p.prog}: error: name an exercise (ej01..ej10), all or report; see --list",
              file=sys.stderr)
        return 2
    if args.exercise == "report":
        from .report import write_report

        path, text = write_report(args.out)
        print(text)
        print(f"written to {path}", file=sys.stderr)
        return 0
    try:
        todo = list(EXERCISES) if args.exercise == "all" else [resolve(args.exercise)]
    except UsageError as exc:
        p.print_usage(sys.stderr)
        print(f"{p.prog}: error: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing chatter
    if args.time_limit is not None:
        from .training import set_time_limit

        set_time_limit(args.time_limit)
    failures = 0
    for short in todo:
        t0 = time.perf_counter()
        try:
            result = run_one(short, args)
        except (DataUnavailable, NotImplementedError) as exc:
            failures += 1
            print(f"{short}: not run: {exc}", file=sys.stderr)
            continue
        except Exception:  # noqa: BLE001 - report and go on with the next exercise
            failures += 1
            print(f"{short}: FAILED\n{traceback.format_exc()}", file=sys.stderr)
            continue
        print(_summary(short, result, time.perf_counter() - t0), flush=True)
    if len(todo) > 1:
        print(f"{len(todo) - failures}/{len(todo)} exercises ran; results under {Path(args.out)}")
    return 1 if failures else 0
