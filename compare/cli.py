"""``python -m compare``: run setups in minidl and Keras side by side.

Each precision runs in a process of its own (Keras keeps its float type
process-wide): ``--precision float32`` or ``float64`` runs in the CLI's own
process, ``--precision both`` starts one subprocess per precision.

Exit codes: 0 done; 1 a named setup could not run (its data is missing) or a
run failed; 2 bad arguments or unknown setup; 130 interrupted (finished epochs
are kept).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from typing import Sequence

from .argtypes import non_negative_int, positive_int
from .specs import DEFAULT_SUITE, PRECISIONS, SETUPS

SHORT_NOTE = ("default short run: CIFAR-10 setups train {cifar_epochs} epochs on the first "
              "{train:,} training and {test:,} test images, XOR {xor_epochs} epochs; "
              "--full runs the report's epochs (400 / 500 / 300) on all the data")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m compare",
        description="Train the report's exercise-2 setups in minidl and in Keras from the same initial "
                    "weights and batch order; write both histories, overlaid figures and a divergence "
                    "table per setup.",
        epilog=f"Setups: {', '.join(SETUPS)}. With none named: {' '.join(DEFAULT_SUITE)} at a short "
               "length (see --list). Results go to OUT/<setup>/<precision>/.")
    p.add_argument("setups", nargs="*", metavar="SETUP", help="setups to run (default: the suite)")
    p.add_argument("--list", action="store_true", help="list the setups and exit")
    p.add_argument("--epochs", type=positive_int, help="epochs (default: the setup's short length; "
                                                        "with --full the report's)")
    p.add_argument("--batch-size", type=positive_int, help="mini-batch size (default: the setup's)")
    p.add_argument("--seed", type=non_negative_int, help="initialization and shuffling seed (default 0)")
    p.add_argument("--out", default="results", help="results root (default: results)")
    p.add_argument("--data-dir", help="folder with cifar10.npz (default: $MINIDL_DATA_DIR, then the "
                                      "Keras cache, then a download)")
    p.add_argument("--precision", choices=(*PRECISIONS, "both"), default="float32",
                   help="float32 (default), float64, or both (one process per precision)")
    p.add_argument("--full", action="store_true", help="the report's epochs on all the data")
    p.add_argument("--synthetic", action="store_true",
                   help="CIFAR-10-shaped SYNTHETIC data instead of CIFAR-10 (figures say so)")
    p.add_argument("--train-size", type=positive_int, help="use the first N training images")
    p.add_argument("--test-size", type=positive_int, help="use the first N test images")
    p.add_argument("--threads", type=positive_int,
                   help="CPU threads for BLAS, Numba and TensorFlow (sets OPENBLAS/OMP/MKL/NUMBA and "
                        "TF_NUM_INTRAOP/INTEROP_THREADS before they load); 1 is much faster on a busy machine")
    p.add_argument("--round-l2-like-keras", action="store_true",
                   help="diagnostic: round minidl's L2 factors to float32, as Keras's TensorFlow backend does "
                        "even in float64 (see compare/README.md)")
    p.add_argument("--no-figures", action="store_true", help="write the JSON and Markdown only")
    p.add_argument("--replot", nargs="+", metavar="RUN_DIR", help="redraw the figures of run folders and exit")
    return p


def _list() -> None:
    for name, spec in SETUPS.items():
        flag = "*" if name in DEFAULT_SUITE else " "
        size = (f", short run {spec.train_size:,}/{spec.test_size:,} samples" if spec.train_size else "")
        print(f"{flag} {name:15s} {spec.exercise:20s} {spec.epochs} epochs{size} (full: {spec.full_epochs})")
        print(f"    {spec.description}")
    print("* in the default suite")


def _child_argv(args: argparse.Namespace, precision: str) -> list[str]:
    argv = [sys.executable, "-m", "compare", *args.setups, "--precision", precision, "--out", args.out]
    for opt in ("epochs", "batch_size", "seed", "data_dir", "train_size", "test_size", "threads"):
        value = getattr(args, opt)
        if value is not None:
            argv += [f"--{opt.replace('_', '-')}", str(value)]
    for flag in ("full", "synthetic", "no_figures", "round_l2_like_keras"):
        if getattr(args, flag):
            argv.append(f"--{flag.replace('_', '-')}")
    return argv


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def limit_threads(n: int) -> list[str]:
    """Set the thread-count variables; returns the libraries already loaded (not affected)."""
    for var in THREAD_VARIABLES:
        os.environ[var] = str(n)
    return [m for m in ("numpy", "numba", "tensorflow") if m in sys.modules]


def _on_sigterm(signum, frame):  # pragma: no cover - exercised by hand
    """First SIGTERM: stop cleanly after the epoch in progress; a second one interrupts at once."""
    from . import run as run_module
    if run_module._stop_requested:
        raise KeyboardInterrupt(f"signal {signum}")
    run_module.request_stop()
    print("SIGTERM: stopping after the current epoch (send it again to stop now)", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.list:
        _list()
        return 0
    if args.replot:
        from . import plots
        for d in args.replot:
            if not os.path.isfile(os.path.join(d, "run.json")):
                p.error(f"--replot {d!r}: no run.json there")
            for path in plots.plot_run(d):
                print(path)
        return 0
    unknown = [s for s in args.setups if s not in SETUPS]
    if unknown:
        p.error(f"unknown setup(s) {', '.join(map(repr, unknown))}; known setups: {', '.join(SETUPS)}")
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        p.error(f"--data-dir {args.data_dir!r} is not a directory")
    if args.threads is not None:
        loaded = limit_threads(args.threads)
        if loaded:
            print(f"--threads {args.threads}: {', '.join(loaded)} already loaded in this process, "
                  "their thread pools keep their size", file=sys.stderr)
    if args.precision == "both":
        return _run_subprocesses(args)
    return _run_all(args)


def _run_subprocesses(args: argparse.Namespace) -> int:
    """One child process per precision; SIGTERM is passed on to the running child."""
    codes = []
    for prec in PRECISIONS:
        child = subprocess.Popen(_child_argv(args, prec))
        signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
        try:
            codes.append(child.wait())
        except KeyboardInterrupt:  # Ctrl-C reaches the child too; wait for it to save its epochs
            codes.append(child.wait())
        if codes[-1] == 130:
            break
    return 130 if 130 in codes else max(codes)


def _run_all(args: argparse.Namespace) -> int:
    from . import run as run_module
    from minidl.datasets import DatasetNotFoundError

    named = bool(args.setups)
    setups = args.setups or list(DEFAULT_SUITE)
    precision = args.precision
    if not named and not args.full:
        cifar = SETUPS["cifar10-mse"]
        print(SHORT_NOTE.format(cifar_epochs=args.epochs or cifar.epochs,
                                train=args.train_size or cifar.train_size, test=args.test_size or cifar.test_size,
                                xor_epochs=args.epochs or SETUPS["xor-221"].epochs), flush=True)
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = 0
    results = []
    for name in setups:
        opts = run_module.RunOptions(
            out_dir=os.path.join(args.out, name, precision), precision=precision, epochs=args.epochs,
            batch_size=args.batch_size, seed=args.seed, data_dir=args.data_dir, synthetic=args.synthetic,
            full=args.full, train_size=args.train_size, test_size=args.test_size,
            figures=not args.no_figures, round_l2=args.round_l2_like_keras)
        try:
            res = run_module.run_spec(SETUPS[name], opts, log=lambda m: print(m, flush=True))
        except KeyboardInterrupt:
            print(f"{name}: interrupted; the finished epochs are in {opts.out_dir}", file=sys.stderr)
            return 130
        except DatasetNotFoundError as exc:
            print(f"{name}: skipped, CIFAR-10 is not available.\n{exc}\n"
                  "Or pass --synthetic for CIFAR-10-shaped synthetic data (figures will say so).",
                  file=sys.stderr, flush=True)
            if named:
                code = 1
            continue
        except ValueError as exc:  # e.g. --train-size larger than the data
            print(f"{name}: {exc}", file=sys.stderr)
            code = 1
            continue
        results.append((name, res))
        s = res.summary
        print(f"{name}: {res.status}; {res.epochs_done} epochs; max rel Δ loss {_fmt(s['max_loss_rel_diff'])}, "
              f"max |Δ acc| {_fmt(s['max_accuracy_abs_diff'])}, max rel Δ weights "
              f"{_fmt(s['max_weights_rel_diff'])} -> {res.out_dir}", flush=True)
    if not args.no_figures and {"xor-221", "xor-211"} <= {name for name, _ in results}:
        from . import plots
        for path in plots.plot_xor_suite(args.out, precision):
            print(f"XOR architectures together: {path}")
    return code


def _fmt(v) -> str:
    return "–" if v is None else f"{v:.2e}"
