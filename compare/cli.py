"""``python -m compare``: train exercises in minidl and Keras side by side; ``report`` regenerates the report.

    python -m compare NAME... [--framework both|minidl|keras] [--quick] [--epochs N]
                      [--precision float32|float64] [--seeds K] [--out DIR] [--resume] ...
    python -m compare report [--out DIR]
    python -m compare --list

Exit codes: 0 done; 1 a run failed, or a result or checkpoint file it reads is
damaged; 2 bad arguments, unknown name, bad environment value (MINIDL_BACKEND,
MINIDL_NUM_THREADS) or an unwritable ``--out``; 130 interrupted (finished epochs
are kept and ``--resume`` continues). Every error is one line on stderr, said
before any training starts when it can be; ``--debug`` shows the traceback.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Callable, Sequence

from .argtypes import non_negative_int, positive_int, positive_seconds

DEFAULT_OUT = os.path.join("results", "compare")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


class OneLineParser(argparse.ArgumentParser):
    """argparse without the usage block on errors: one line on stderr, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (--help shows the usage)\n")


class CommandError(Exception):
    """A failure the user can fix, said in one line; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def one_line(text: object) -> str:
    return " | ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _known(exc: BaseException) -> bool:
    """A failure the tools describe fully themselves (no traceback would add anything)."""
    corrupt = getattr(sys.modules.get("compare.checkpoint"), "CorruptFile", None)
    return isinstance(exc, CommandError) or (corrupt is not None and isinstance(exc, corrupt))


def describe_error(exc: BaseException) -> str:
    """compare's own errors speak for themselves; others keep their type's name."""
    return one_line(exc) if _known(exc) else one_line(f"{type(exc).__name__}: {exc}")


def guarded(prog: str, debug: bool, body: Callable[[], int]) -> int:
    """Run ``body``; any error ends as one line on stderr and a non-zero status (with ``debug``:
    the traceback instead)."""
    try:
        return body()
    except Exception as exc:
        if debug:
            raise
        print(f"{prog}: {describe_error(exc)}" + ("" if _known(exc) else " (--debug shows the traceback)"),
              file=sys.stderr)
        return exc.code if isinstance(exc, CommandError) else 1


def import_minidl() -> None:
    """minidl reads MINIDL_BACKEND and MINIDL_NUM_THREADS at import: a bad value is a CommandError."""
    try:
        import minidl  # noqa: F401
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def probe_output(out: str, option: str = "--out") -> None:
    """Create ``out`` if missing, write a probe file into it atomically (as results are written)
    and remove it: an unwritable results folder fails now, not after the training. On failure,
    the folders this made are removed again."""
    target = os.path.abspath(out)
    missing, existing = [], target
    while not os.path.exists(existing):
        missing.append(existing)
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        where = "it is a file" if existing == target else f"{existing!r} is a file"
        raise CommandError(f"{option} {out!r} cannot be a results folder: {where}, not a folder")
    from minidl import io as minidl_io
    try:
        os.makedirs(target, exist_ok=True)
    except OSError as exc:
        _remove_empty(missing)
        raise CommandError(f"{option} {out!r}: cannot create the folder ({exc.strerror or exc})") from exc
    probe = os.path.join(target, f".write-probe-{os.getpid()}")
    try:
        minidl_io.write_text(probe, "probe\n")
        os.unlink(probe)
    except OSError as exc:
        _remove_empty(missing)
        raise CommandError(f"{option} {out!r}: cannot write a file there "
                           f"({exc.strerror or 'permission denied'})") from exc


def _remove_empty(folders: list[str]) -> None:
    for folder in folders:  # deepest first
        try:
            os.rmdir(folder)
        except OSError:
            return


def parser() -> argparse.ArgumentParser:
    from .exercises import NAMES
    p = OneLineParser(
        prog="python -m compare",
        description="Train the report's exercises in minidl and in Keras from the same initial weights, "
                    "on the same batches in the same order and precision; write one result JSON per "
                    "exercise, the report's figures with both libraries overlaid, and divergence tables. "
                    "'python -m compare report' regenerates REPORT.md and report.html from the results.",
        epilog=f"Names: {', '.join(NAMES)} (see --list).")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="exercises to run, or 'report'; none: every exercise as a quick run, then the report")
    p.add_argument("--list", action="store_true", help="list the exercises, their variants and epochs")
    p.add_argument("--framework", choices=("both", "minidl", "keras"), default="both")
    p.add_argument("--quick", action="store_true", help="few epochs on a data slice (figures say 'QUICK RUN')")
    p.add_argument("--epochs", type=positive_int, help="epochs (default: the exercise's, or its quick length)")
    p.add_argument("--precision", choices=("float32", "float64"), default="float32")
    p.add_argument("--seeds", type=positive_int, default=1,
                   help="runs per Dropout variant and library (the figure shows mean ± std); default 1")
    p.add_argument("--seed", type=non_negative_int, metavar="K",
                   help="train only seed K (0 ≤ K < --seeds) of each Dropout variant: processes given "
                        "different seeds (or variants) can share one --out folder, each merging its own "
                        "records into the exercise's result.json")
    p.add_argument("--variants", nargs="+", metavar="V", help="only these variants (p7 takes any n<N>_h<M>)")
    p.add_argument("--limit", type=positive_int, help="use the first N training (N/2 validation) samples")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"results root (default {DEFAULT_OUT})")
    p.add_argument("--data-dir", help="folder with the prepared .npz files (default $MINIDL_DATA_DIR, "
                                      "then the Keras cache)")
    p.add_argument("--resume", action="store_true", help="continue from the last finished epoch of each run")
    p.add_argument("--time-limit", type=positive_seconds, help="stop cleanly (resumable) after this many seconds")
    p.add_argument("--threads", type=positive_int, help="BLAS/Numba/TensorFlow threads (set before they load)")
    p.add_argument("--no-progress", action="store_true", help="no tqdm bars")
    p.add_argument("--no-figures", action="store_true", help="JSON and tables only")
    p.add_argument("--debug", action="store_true", help="show the traceback of any error")
    return p


def _list() -> None:
    from .exercises import NAMES, get
    for name in NAMES:
        ex = get(name)
        figs = f"figs {ex.figures[0]}-{ex.figures[-1]}" if ex.figures else "no report figure"
        print(f"{name:5s} {ex.title} ({ex.report}; {figs})")
        for v, d in ex.variants.items():
            drop = ", Dropout" if v in ex.dropout else ""
            print(f"      {v:18s} {ex.epochs_for(v, False):5d} epochs (quick {ex.epochs_for(v, True)}){drop}: {d}")


def _on_sigterm(signum, frame):  # pragma: no cover - by hand
    from . import lockstep
    if lockstep._stop_requested:
        raise KeyboardInterrupt(f"signal {signum}")
    lockstep.request_stop()
    print("SIGTERM: stopping after the current epoch (again to stop now)", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    return guarded("python -m compare", args.debug, lambda: _main(p, args))


def write_checked_report(out: str) -> list[str]:
    """Writes OUT's report (``compare.report.write_report``) after the checks both command
    lines make: minidl importable, an existing OUT writable. FileNotFoundError: no results."""
    import_minidl()
    if os.path.isdir(out):
        probe_output(out)
    from .report import write_report as write
    return write(out)


def _report(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if len(args.names) > 1:
        p.error("'report' takes no exercise names")
    try:
        paths = write_checked_report(args.out)
    except FileNotFoundError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    print("\n".join(paths))
    return 0


def _main(p: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.list:
        _list()
        return 0
    if args.names[:1] == ["report"]:
        return _report(p, args)
    from .exercises import NAMES, get
    default_suite = not args.names
    if default_suite:  # the main job: every exercise, quick, then the report
        args.names, args.quick = list(NAMES), args.quick or args.epochs is None
        print(f"python -m compare: no exercise named: running all of them ({', '.join(NAMES)})"
              f"{' as QUICK runs (slices, few epochs)' if args.quick else ''}, then the report; "
              "--list shows them, --help the options", file=sys.stderr)
    try:
        exercises = [get(n) for n in args.names]
    except KeyError as exc:
        p.error(str(exc.args[0]))
    for ex in exercises:
        for v in args.variants or []:
            if v not in ex.variants:
                p.error(f"{ex.name}: unknown variant {v!r}; choose from {', '.join(ex.variants)}")
    if args.seed is not None and args.seed >= args.seeds:
        p.error(f"--seed {args.seed} needs --seeds above it (seeds are 0 … --seeds - 1; got --seeds {args.seeds})")
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        p.error(f"--data-dir {args.data_dir!r} is not a directory")
    if args.threads is not None:  # before minidl, Numba and BLAS load
        for var in THREAD_VARIABLES:
            os.environ[var] = str(args.threads)
    import_minidl()
    probe_output(args.out)
    from . import lockstep
    options = {ex.name: lockstep.Options(
        out=args.out, framework=args.framework, quick=args.quick, epochs=args.epochs, precision=args.precision,
        seeds=args.seeds, seed=args.seed, data_dir=args.data_dir, variants=args.variants, limit=args.limit,
        resume=args.resume,
        progress=not args.no_progress, figures=not args.no_figures, time_limit=args.time_limit)
        for ex in exercises}
    for ex in exercises:  # every file a run reads back, read before any training
        lockstep.preflight(ex, options[ex.name])
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = 0
    for ex in exercises:
        try:
            result = lockstep.run_exercise(ex, options[ex.name])
        except KeyboardInterrupt:
            print(f"{ex.name}: interrupted; finished epochs kept (--resume continues)", file=sys.stderr)
            return 130
        except Exception as exc:  # one failing exercise does not stop the others
            if args.debug:
                raise
            print(f"{ex.name}: failed: {describe_error(exc)}", file=sys.stderr)
            code = 1
            continue
        print(summary_line(result))
    if default_suite:
        from .report import write_report
        print("\n".join(write_report(args.out)))
    return code


def summary_line(result: dict) -> str:
    """One line per variant: last validation (or training) metric per library (mean over the seeds
    that got furthest) and the largest divergence."""
    from .checkpoint import longest_seeds  # (NumPy and minidl load only after --threads is applied)
    lines = [f"{result['exercise']} ({result['mode']}, {result['precision']}): {result['status']}"]
    for v, run in result["runs"].items():
        if run.get("status") == "skipped":
            lines.append(f"  {v}: skipped ({run.get('reason')})")
            continue
        cells = []
        seeds = longest_seeds(run)  # a seed stopped early would pull the mean to its own epoch
        for lib in ("minidl", "keras"):
            vals = [s["histories"].get(lib, {}) for s in seeds if lib in s.get("histories", {})]
            for key in ("val_accuracy", "accuracy", "val_loss", "loss"):
                got = [h[key][-1] for h in vals if h.get(key)]
                if got:
                    cells.append(f"{lib} {key} {sum(got) / len(got):.4f}")
                    break
        w = [s.get("summary", {}).get("max_weights_rel_diff") for s in run.get("seeds", [])]
        w = [x for x in w if x is not None]
        if w:
            cells.append(f"max rel Δ weights {max(w):.1e}")
        if len(seeds) < len(run.get("seeds", [])):
            cells.append(f"{len(seeds)} of {len(run['seeds'])} seeds at epoch {seeds[0].get('epochs_done', 0)}")
        lines.append(f"  {v}: " + ", ".join(cells))
    return "\n".join(lines)
