"""Seconds per training epoch, minidl against Keras and PyTorch (CPU), on the report's setups, in one run.

    python -m benchmarks.epochs [--quick] [--out DIR] [--setups NAME,...] [--rounds N]
                                [--frameworks minidl,keras,torch]

PyTorch is optional (``pip install minidl[bench]``): without it the default
frameworks are minidl and Keras and the PyTorch columns read "–". Its
networks are ``benchmarks.torch_nets``: the same layer sizes, loss, batch size
and SGD learning rate, L2 as SGD weight decay ``2·l2`` on the same kernels.
PyTorch runs with its default threads. It and minidl's large GEMMs (Numba's
``prange``) share one OpenMP runtime in this process (PyTorch loads its libgomp
globally, and Numba's parallel regions then call it), so one wait policy holds
for both: the environment's. OpenMP's default, active waits (threads spin at
barriers), is the fast one on an idle machine (PyTorch's CIFAR-10 dense epoch
0.90-0.95 s against 1.93-2.28 s with ``OMP_WAIT_POLICY=PASSIVE``; minidl's
1.13-1.25 s against 0.70-0.73 s); on a machine shared with other jobs set
``OMP_WAIT_POLICY=PASSIVE`` (spinning threads there cost PyTorch 3-8x in wall
time). Tables made before 2026-12-02 ran PyTorch with passive waits.

Data are synthetic arrays of the real shapes and dtypes (float32 inputs,
one-hot or 0/1 targets, integer word ids), the same arrays for both
frameworks: timing does not depend on the values. An epoch is the real
training-set size (CIFAR-10 50,000, MNIST 60,000, IMDB 25,000); ``--quick``
trains on a tenth of it (XOR: 10 epochs) and scales the time up, which
the tables say.

Protocol: both models are built from the same architecture and optimizer,
warmed up (Numba kernels loaded, Keras's train function traced), then the
frameworks alternate for ``--rounds`` fit calls each (the machine may be
shared: alternating spreads any load over both, and each keeps its fastest
round). An epoch's time is measured by a callback from the start to the end
of the epoch, so a fit call's one-off set-up is excluded for both; XOR times
50 epochs per call (10 with ``--quick``). The tables also give the process's
CPU seconds per epoch (all threads): on a machine shared with other jobs the
wall time depends on the scheduler, the CPU time much less (TensorFlow's
threads spin while they wait, which counts as CPU time).

GFLOP/s count the multiply-adds (×2) of the forward pass, the weight
gradients, and the input gradients of every layer but the first (neither
framework computes those). The peak is the faster of a 4096×4096 float32
``np.matmul`` with NumPy's default BLAS threads and with one thread, timed
in the same run. The CIFAR-10 dense epoch's peak memory is measured in a
separate process without TensorFlow (``--memory-probe``): the growth of the
peak resident set from just before the training set is created to the end
of the epoch (Linux VmHWM, reset first), and tracemalloc's peak during the
epoch plus the set itself, each divided by the float32 training set's size
(inputs and one-hot targets).

Writes ``epochs.json`` and ``epochs.md`` into ``--out`` (default
``results/benchmarks``), each atomically (temporary file, then rename).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from minidl.io import write_text

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- the setups -----------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    """One training configuration of the report."""

    name: str
    description: str
    batch: int
    samples: int            # one full epoch
    flops_per_sample: int   # training FLOPs, see the module doc
    epochs_per_call: int = 1
    min_peak_share: float | None = None  # the kernel issue's targets: this share of the matmul peak
    max_keras_ratio: float = 0.4         # minidl's time at most this × Keras's


def _dense_flops(sizes: list[int]) -> int:
    """Training FLOPs per sample of a dense chain in → h1 → ... → out."""
    macs = [a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * (2 * sum(macs) + sum(macs[1:]))  # forward + dW, + dx except layer 1


# MNIST conv: conv1 24·24·(5·5·1)·30, conv2 10·10·(3·3·30)·10, dense 250·10
_MNIST_CONV_MACS = [24 * 24 * 25 * 30, 10 * 10 * 270 * 10, 250 * 10]
# IMDB: Conv1D 400·(4·50)·16, dense 3200·30, dense 30·1 (the embedding gather has no FLOPs)
_IMDB_MACS = [400 * 200 * 16, 3200 * 30, 30]

SETUPS: list[Setup] = [
    Setup("cifar10-dense-b50", "CIFAR-10 3072 → 100 sigmoid → 10, L2 1e-4, MSE, SGD 0.003",
          50, 50_000, _dense_flops([3072, 100, 10]), min_peak_share=0.40),
    Setup("cifar10-dense-b128", "CIFAR-10 3072 → 100 sigmoid → 10, L2 1e-4, MSE, SGD 0.003",
          128, 50_000, _dense_flops([3072, 100, 10]), min_peak_share=0.50),
    Setup("xor", "XOR 2 → 2 tanh → 1 tanh, MSE, SGD 0.1, 4 samples",
          1, 4, _dense_flops([2, 2, 1]), epochs_per_call=50, max_keras_ratio=0.01),
    Setup("mnist-dense", "MNIST 784 → 100 relu → 10 softmax, CCE, SGD 0.001",
          100, 60_000, _dense_flops([784, 100, 10]), min_peak_share=0.45),
    Setup("mnist-conv", "MNIST Conv2D 30 5×5 relu → pool → Conv2D 10 3×3 relu → pool → Dropout 0.2 "
          "→ Dense 10 softmax, CCE, SGD 0.001", 100, 60_000,
          2 * (2 * sum(_MNIST_CONV_MACS) + sum(_MNIST_CONV_MACS[1:])), min_peak_share=0.35),
    Setup("imdb-conv1d", "IMDB Embedding(10000, 50) → Dropout 0.5 → Conv1D 16 k4 same relu → pool "
          "→ Dropout 0.5 → Dense 30 relu L2 → Dense 1 sigmoid L2, BCE, SGD 0.002, 400 words",
          50, 25_000, 2 * (3 * sum(_IMDB_MACS)), min_peak_share=0.35),  # every layer's dx: the embedding needs it
]
BY_NAME = {s.name: s for s in SETUPS}


def make_data(setup: Setup, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic (x, y) of the setup's shapes: n samples."""
    rng = np.random.default_rng(seed)
    if setup.name.startswith("cifar10"):
        return rng.standard_normal((n, 3072), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    if setup.name == "xor":
        x = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float32)
        return x, np.array([[-1], [1], [1], [-1]], dtype=np.float32)
    if setup.name == "mnist-dense":  # ej08's dense network flattens 28×28×1 images itself
        return rng.random((n, 28, 28, 1), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    if setup.name == "mnist-conv":
        return rng.random((n, 28, 28, 1), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    if setup.name == "imdb-conv1d":
        return rng.integers(1, 10_000, (n, 400)).astype(np.int32), rng.integers(0, 2, (n, 1)).astype(np.float32)
    raise ValueError(f"unknown setup {setup.name!r}")


# The networks are compare.exercises' definitions (one place for every network of the report).
_EXERCISE_OF = {"cifar10-dense-b50": ("p3", "mse"), "cifar10-dense-b128": ("p3", "mse"),
                "xor": ("p6", "221_pm1"), "mnist-dense": ("ej08", "dense"), "mnist-conv": ("ej08", "conv"),
                "imdb-conv1d": ("ej04", "sgd")}


FRAMEWORKS = ("minidl", "keras", "torch")
LABELS = {"minidl": "minidl", "keras": "Keras", "torch": "PyTorch"}


def torch_available() -> bool:
    """Is PyTorch importable (the optional ``bench`` extra)?"""
    import importlib.util
    return importlib.util.find_spec("torch") is not None


def build(framework: str, setup: Setup):
    """The setup's compiled model in ``framework`` ("minidl", "keras" or "torch"), seeded."""
    from compare.exercises import get
    if setup.name not in _EXERCISE_OF:
        raise ValueError(f"unknown setup {setup.name!r}")
    if framework == "torch":
        from benchmarks import torch_nets
        return torch_nets.build(setup.name)
    if framework == "minidl":
        import minidl as lib
        lib.config.set_random_seed(0)
    else:
        import keras as lib
        lib.utils.set_random_seed(0)
    name, variant = _EXERCISE_OF[setup.name]
    return get(name).build(lib, variant)


def _epoch_timer(framework: str):
    """A callback recording each epoch's duration (begin → end) in ``.times``."""
    base = {"minidl": lambda: __import__("minidl").callbacks.Callback,
            "keras": lambda: __import__("keras").callbacks.Callback, "torch": lambda: object}[framework]()

    class EpochTimer(base):
        def __init__(self):
            super().__init__()
            self.times: list[float] = []
            self.cpu_times: list[float] = []
            self._start = self._cpu_start = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self._start, self._cpu_start = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._start)
            self.cpu_times.append(time.process_time() - self._cpu_start)

    return EpochTimer()


def _fit_epoch_seconds(framework: str, model, x, y, setup: Setup, epochs: int) -> tuple[float, float]:
    """Mean (wall, process CPU) seconds per epoch of one fit call of ``epochs`` epochs."""
    timer = _epoch_timer(framework)
    model.fit(x, y, batch_size=setup.batch, epochs=epochs, verbose=0, callbacks=[timer], shuffle=True)
    return sum(timer.times) / len(timer.times), sum(timer.cpu_times) / len(timer.cpu_times)


# ---- measurements --------------------------------------------------------------------

def matmul_peak(size: int = 4096, reps: int = 3) -> dict[str, float]:
    """float32 GFLOP/s of a size³ np.matmul: NumPy's default BLAS threads, and one thread."""
    from minidl.ops.numba.threads import single_threaded_blas
    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    b = a.T.copy()

    def best() -> float:
        a @ b
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t)
        return 2 * size ** 3 / min(times) / 1e9

    default = best()
    with single_threaded_blas():
        one = best()
    return {"default_threads": default, "one_thread": one, "peak": max(default, one)}


def time_setup(setup: Setup, frameworks: list[str], rounds: int, quick: bool) -> dict[str, Any]:
    """Alternating fit calls; the fastest round per framework, scaled to a full epoch."""
    full = setup.samples
    n = full if (not quick or setup.name == "xor") else max(setup.batch * 10, full // 10)
    epochs = setup.epochs_per_call if not quick else min(setup.epochs_per_call, 10)
    x, y = make_data(setup, n)
    load_before = os.getloadavg()
    models = {fw: build(fw, setup) for fw in frameworks}
    warm = min(n, setup.batch * 5)
    for fw, model in models.items():  # load kernels / trace the train function
        model.fit(x[:warm], y[:warm], batch_size=setup.batch, epochs=1, verbose=0)
    times: dict[str, list[float]] = {fw: [] for fw in frameworks}
    cpu: dict[str, list[float]] = {fw: [] for fw in frameworks}
    for r in range(rounds):
        order = frameworks if r % 2 == 0 else frameworks[::-1]
        for fw in order:
            time.sleep(0.5)  # TensorFlow's pools spin a while after work: let them go idle
            wall, cpu_s = _fit_epoch_seconds(fw, models[fw], x, y, setup, epochs)
            times[fw].append(wall * full / n)
            cpu[fw].append(cpu_s * full / n)
    result: dict[str, Any] = {"setup": asdict(setup), "samples_timed": n, "epochs_per_call": epochs,
                              "scaled_from_fraction": n / full, "load_before": load_before,
                              "load_after": os.getloadavg(), "seconds_per_epoch": {}, "rounds": times,
                              "cpu_seconds_per_epoch": {fw: min(cpu[fw]) for fw in frameworks}, "cpu_rounds": cpu}
    for fw in frameworks:
        best = min(times[fw])
        result["seconds_per_epoch"][fw] = best
        result.setdefault("gflops", {})[fw] = setup.flops_per_sample * full / best / 1e9
    sec = result["seconds_per_epoch"]
    if "minidl" in times and "keras" in times:
        result["ratio"] = sec["minidl"] / sec["keras"]
    if "minidl" in times and "torch" in times:
        result["ratio_torch"] = sec["minidl"] / sec["torch"]
    return result


def _status_kib(field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status, in KiB."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def memory_probe(samples: int) -> dict[str, Any]:
    """CIFAR-10 dense, batch 128: peak memory of one epoch against the float32 set's size.

    Meant for a fresh process without TensorFlow (``--memory-probe``). The
    resident-set peak (VmHWM) is reset just before the set is created
    (``/proc/self/clear_refs``), so earlier peaks (Numba compiling) do not hide it.
    """
    import tracemalloc

    import minidl
    setup = BY_NAME["cifar10-dense-b128"]
    model = build("minidl", setup)
    xs, ys = make_data(setup, 512, seed=1)
    model.fit(xs, ys, batch_size=128, epochs=1, verbose=0)  # kernels loaded, buffers warm
    del xs, ys
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident set
    rss_before = _status_kib("VmRSS") * 1024
    x, y = make_data(setup, samples)
    set_bytes = x.nbytes + y.nbytes
    tracemalloc.start()
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_after = _status_kib("VmHWM") * 1024
    return {"samples": samples, "train_set_bytes": set_bytes, "x_bytes": x.nbytes,
            "rss_before_set_bytes": rss_before, "rss_peak_bytes": peak_after,
            "rss_peak_growth_bytes": peak_after - rss_before,
            "rss_ratio": (peak_after - rss_before) / set_bytes,
            "tracemalloc_peak_during_fit_bytes": traced_peak,
            "tracemalloc_ratio": (set_bytes + traced_peak) / set_bytes,
            "backend": minidl.config.backend()}


def _run_memory_probe(samples: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.epochs", "--memory-probe", str(samples)],
                         capture_output=True, text=True, cwd=REPO, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"memory probe failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- reporting ----------------------------------------------------------------------


def _verdicts(report: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for every target the run can judge: per setup the share of the
    matmul peak, the ratio to Keras, and not slower than PyTorch (the kernel issue's targets)."""
    peak = report["peak"]["peak"]
    out: list[tuple[str, str, bool | None]] = []
    for r in report["results"]:
        setup = Setup(**r["setup"])
        if setup.min_peak_share is not None and "minidl" in r["gflops"]:
            share = r["gflops"]["minidl"] / peak
            out.append((f"{setup.name}: ≥ {100 * setup.min_peak_share:.0f} % of the matmul peak",
                        f"{100 * share:.1f} %", share >= setup.min_peak_share))
        if "ratio" in r:
            out.append((f"{setup.name}: minidl ≤ {setup.max_keras_ratio}× Keras", f"{r['ratio']:.3f}×",
                        r["ratio"] <= setup.max_keras_ratio))
        if "ratio_torch" in r:
            out.append((f"{setup.name}: minidl not slower than PyTorch", f"{r['ratio_torch']:.2f}×",
                        r["ratio_torch"] <= 1.0))
    mem = report.get("memory")
    if mem:
        worst = max(mem["rss_ratio"], mem["tracemalloc_ratio"])
        out.append(("cifar10 dense epoch peak memory ≤ 1.5× the float32 set",
                    f"{mem['rss_ratio']:.2f}× (RSS), {mem['tracemalloc_ratio']:.2f}× (tracemalloc)", worst <= 1.5))
    return out


def to_markdown(report: dict[str, Any]) -> str:
    peak = report["peak"]
    fws = report.get("frameworks", ["minidl", "keras"])
    names = " / ".join(LABELS[fw] for fw in fws)
    lines = [f"# Seconds per epoch: {names} ({report['date']})", "",
             f"Machine: {report['machine']}; load average {report['load_start'][0]:.2f} at the start, "
             f"{report['load_end'][0]:.2f} at the end (1-minute). {report['versions']}.", "",
             f"float32 matmul peak (4096³ np.matmul): {peak['peak']:.1f} GFLOP/s "
             f"(default BLAS threads {peak['default_threads']:.1f}, one thread {peak['one_thread']:.1f}).", "",
             "Synthetic data of the real shapes." + (" Quick run: a tenth of each training set (XOR: 10 epochs),"
                                                     " times scaled to a full epoch." if report["quick"] else ""),
             "Wall seconds per epoch (fastest round), % of the matmul peak from the training FLOPs, "
             "the ratios of minidl's time to the others', and CPU seconds per epoch (all threads).", "",
             "| setup | batch | " + " | ".join(f"{LABELS[fw]} s/epoch (% peak)" for fw in FRAMEWORKS)
             + " | minidl/Keras | minidl/PyTorch | CPU s/epoch " + " / ".join(LABELS[fw] for fw in FRAMEWORKS)
             + " | load before → after |",
             "|---|---:|" + "---:|" * (len(FRAMEWORKS) + 3) + "---|"]
    for r in report["results"]:
        s = r["setup"]
        sec, gf, cpu = r["seconds_per_epoch"], r["gflops"], r["cpu_seconds_per_epoch"]
        fmt = ".5f" if s["name"] == "xor" else ".3f"

        def cell(fw: str) -> str:
            if fw not in sec:
                return "–"
            return f"{format(sec[fw], fmt)} ({100 * gf[fw] / peak['peak']:.1f} %)"

        ratio = "–" if "ratio" not in r else f"{r['ratio']:.3f}"
        ratio_t = "–" if "ratio_torch" not in r else f"{r['ratio_torch']:.3f}"
        cpu_cells = " / ".join(format(cpu[fw], fmt) if fw in cpu else "–" for fw in FRAMEWORKS)
        lines.append(f"| {s['name']} | {s['batch']} | " + " | ".join(cell(fw) for fw in FRAMEWORKS)
                     + f" | {ratio} | {ratio_t} | {cpu_cells} | {r['load_before'][0]:.2f} → {r['load_after'][0]:.2f} |")
    mem = report.get("memory")
    if mem:
        lines += ["", f"CIFAR-10 dense epoch (batch 128, {mem['samples']:,} samples, float32 set "
                      f"{mem['train_set_bytes'] / 2**20:.0f} MiB): peak RSS grew by "
                      f"{mem['rss_peak_growth_bytes'] / 2**20:.0f} MiB = {mem['rss_ratio']:.2f}× the set; "
                      f"tracemalloc: set + {mem['tracemalloc_peak_during_fit_bytes'] / 2**20:.1f} MiB peak during "
                      f"the epoch = {mem['tracemalloc_ratio']:.2f}× the set."]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in _verdicts(report):
        lines.append(f"| {target} | {measured} | {'yes' if met else 'no'} |")
    return "\n".join(lines) + "\n"


def _versions(frameworks: list[str]) -> str:
    import numba
    parts = [f"Python {platform.python_version()}", f"NumPy {np.__version__}", f"Numba {numba.__version__}"]
    if "keras" in frameworks:
        import keras
        import tensorflow as tf
        parts += [f"TensorFlow {tf.__version__}", f"Keras {keras.__version__}"]
    if "torch" in frameworks:
        import torch
        parts.append(f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads, "
                     f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')})")
    import minidl
    parts.append(f"minidl backend {minidl.config.backend()}, {minidl.config.num_threads()} kernel threads, "
                 f"OpenMP GEMM {'on' if minidl.config.openmp_gemm() else 'off (MINIDL_OPENMP_GEMM=0)'}")
    return ", ".join(parts)


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.epochs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each epoch, scaled up (smoke run)")
    parser.add_argument("--out", default=os.path.join(REPO, "results", "benchmarks"), help="output folder")
    parser.add_argument("--setups", default=",".join(BY_NAME), help=f"comma-separated, from {list(BY_NAME)}")
    parser.add_argument("--rounds", type=int, default=None, help="fit calls per framework (default 3, quick 1)")
    parser.add_argument("--frameworks", default=None,
                        help="comma-separated from minidl,keras,torch (default: all three, torch when installed)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory probe")
    parser.add_argument("--memory-probe", type=int, metavar="SAMPLES", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe)))
        return 0
    names = [s for s in args.setups.split(",") if s]
    unknown = [s for s in names if s not in BY_NAME]
    default = "minidl,keras,torch" if torch_available() else "minidl,keras"
    frameworks = [f for f in (args.frameworks or default).split(",") if f]
    if unknown or not names:
        parser.error(f"unknown setup(s) {unknown}; choose from {list(BY_NAME)}")
    if not frameworks or any(f not in FRAMEWORKS for f in frameworks) or len(set(frameworks)) != len(frameworks):
        parser.error(f"--frameworks takes a comma-separated subset of {','.join(FRAMEWORKS)}, got {args.frameworks!r}")
    if "torch" in frameworks and not torch_available():
        parser.error("--frameworks torch: PyTorch is not installed (pip install torch, or minidl[bench])")
    rounds = args.rounds or (1 if args.quick else 3)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    if "keras" in frameworks:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick, "rounds": rounds,
                              "machine": _machine(), "versions": _versions(frameworks), "frameworks": frameworks,
                              "load_start": os.getloadavg(), "data": "synthetic arrays of the real shapes"}
    report["peak"] = matmul_peak()
    print(f"matmul peak {report['peak']['peak']:.1f} GFLOP/s", flush=True)
    report["results"] = []
    for name in names:
        result = time_setup(BY_NAME[name], frameworks, rounds, args.quick)
        report["results"].append(result)
        sec = result["seconds_per_epoch"]
        print(f"{name:20s} " + "  ".join(f"{fw} {sec[fw]:.4f} s" for fw in sec)
              + (f"  minidl/Keras {result['ratio']:.3f}" if "ratio" in result else "")
              + (f"  minidl/PyTorch {result['ratio_torch']:.3f}" if "ratio_torch" in result else "")
              + f"  (load {result['load_before'][0]:.1f})", flush=True)
    if not args.no_memory:
        report["memory"] = _run_memory_probe(5_000 if args.quick else 50_000)
        print(f"memory: RSS {report['memory']['rss_ratio']:.2f}×, tracemalloc "
              f"{report['memory']['tracemalloc_ratio']:.2f}× the float32 set", flush=True)
    report["load_end"] = os.getloadavg()
    report["verdicts"] = [{"target": t, "measured": m, "met": ok} for t, m, ok in _verdicts(report)]
    write_text(os.path.join(args.out, "epochs.json"), json.dumps(report, indent=2) + "\n")
    markdown = to_markdown(report)
    write_text(os.path.join(args.out, "epochs.md"), markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
