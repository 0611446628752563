"""Command line: ``python -m keras_ref EXERCISE|all|report [options]`` (Keras only).

Exit codes: 0 success; 1 an exercise failed, or a result or checkpoint file it
reads is damaged; 2 bad command line (unknown exercise, bad option value), bad
environment value (MINIDL_BACKEND, MINIDL_NUM_THREADS) or an unwritable
``--out``. Every error is one line on stderr, said before any training starts
when it can be; ``--debug`` shows the traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from compare import argtypes
from compare.cli import (OneLineParser, describe_error, guarded, import_minidl, probe_output,
                         write_checked_report)
from compare.exercises import canonical

from . import DEFAULT_OUT, EXERCISES


def _existing_dir(text: str) -> str:
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"data directory {text!r} does not exist")
    return text


def resolve(name: str) -> str:
    """``8``, ``08``, ``ej8``, ``EJ08`` or ``ej08_mnist`` -> ``ej08``; ValueError when unknown."""
    key = canonical(name.lower().split("_")[0])
    if key not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose from {', '.join(EXERCISES)}, all, report")
    return key


def parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {k}  {v}" for k, v in EXERCISES.items())
    p = OneLineParser(
        prog="python -m keras_ref", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Keras solutions of the ten exercises (definitions shared with compare.exercises).",
        epilog=f"exercises:\n{listing}\n  all     every exercise in turn\n  report  OUT/REPORT.md and report.html")
    p.add_argument("exercise", nargs="?", help="ej01..ej10, all, or report")
    p.add_argument("--list", action="store_true", help="list the exercises and exit")
    p.add_argument("--epochs", type=argtypes.positive_int, help="override the default epochs")
    p.add_argument("--quick", action="store_true", help="few epochs on a data slice")
    p.add_argument("--seeds", type=argtypes.positive_int, default=1, help="runs per Dropout variant")
    p.add_argument("--data-dir", type=_existing_dir, help="folder with the prepared .npz files")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"results folder (default {DEFAULT_OUT})")
    p.add_argument("--time-limit", type=argtypes.positive_seconds, help="stop cleanly after this many seconds")
    p.add_argument("--resume", action="store_true", help="continue from the last finished epoch")
    p.add_argument("-v", "--verbose", action="store_true", help="tqdm bar per epoch")
    p.add_argument("--debug", action="store_true", help="show the traceback of any error")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    return guarded("python -m keras_ref", args.debug, lambda: _main(p, args))


def _main(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.list:
        for k, v in EXERCISES.items():
            print(f"{k}  {v}")
        return 0
    if not args.exercise:
        p.error("name an exercise (ej01..ej10), all, or report")
    if args.exercise == "report":
        try:
            paths = write_checked_report(args.out)
        except FileNotFoundError as exc:
            print(f"No results files: {exc}")
            return 0
        print("\n".join(paths))
        return 0
    try:
        names = list(EXERCISES) if args.exercise == "all" else [resolve(args.exercise)]
    except ValueError as exc:
        p.error(str(exc))
    import_minidl()
    probe_output(args.out)
    from compare import lockstep
    from compare.exercises import get
    for name in names:  # every file a run reads back, read before any training
        lockstep.preflight(get(name), lockstep.Options(out=args.out, framework="keras", quick=args.quick,
                                                       resume=args.resume))
    from . import run
    from compare.cli import summary_line
    code = 0
    for name in names:
        try:
            result = run(name, epochs=args.epochs, quick=args.quick, seeds=args.seeds, data_dir=args.data_dir,
                         out=args.out, time_limit=args.time_limit, resume=args.resume, progress=args.verbose)
        except KeyboardInterrupt:
            print(f"{name}: interrupted; finished epochs kept (--resume continues)", file=sys.stderr)
            return 130
        except Exception as exc:
            if args.debug:
                raise
            print(f"{name}: failed: {describe_error(exc)}", file=sys.stderr)
            code = 1
            continue
        print(summary_line(result))
    return code
