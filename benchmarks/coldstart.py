"""Cold start: ``import minidl`` plus the first training step, with a cold and a warm Numba cache.

    python -m benchmarks.coldstart [--repeats N]

Each measurement is a fresh Python process whose Numba cache lives in a
temporary folder (``NUMBA_CACHE_DIR``): the first run finds it empty and
compiles every kernel the step needs; the next runs load them from it. The
step is one ``train_on_batch`` of the MNIST conv net at batch 100 (conv,
pooling, dropout, dense, fused bias + activation, softmax cross-entropy),
then one of the IMDB Conv1D net at batch 50 (embedding, Conv1D, pooling 1-D).
Reported: seconds from the child's first line to ``import minidl`` done, to
the end of the first step, to the end of the IMDB step, and the whole
process's wall time seen from outside (interpreter start-up included).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import time
t0 = time.perf_counter()
import json
import numpy as np
import minidl
t_import = time.perf_counter() - t0
from minidl import layers as L
rng = np.random.default_rng(0)
m = minidl.Sequential([minidl.Input((28, 28, 1)), L.Conv2D(30, 5, activation="relu"), L.MaxPooling2D(2),
                       L.Conv2D(10, 3, activation="relu"), L.MaxPooling2D(2), L.Dropout(0.2), L.Flatten(),
                       L.Dense(10, activation="softmax")])
m.compile(minidl.optimizers.SGD(0.001), "categorical_crossentropy", metrics=["accuracy"])
m.train_on_batch(rng.random((100, 28, 28, 1), dtype=np.float32), np.eye(10, dtype=np.float32)[rng.integers(0, 10, 100)])
t_step = time.perf_counter() - t0
m = minidl.Sequential([minidl.Input((400,)), L.Embedding(10000, 50), L.Dropout(0.5),
                       L.Conv1D(16, 4, padding="same", activation="relu"), L.MaxPooling1D(2), L.Dropout(0.5),
                       L.Flatten(), L.Dense(30, activation="relu"), L.Dense(1, activation="sigmoid")])
m.compile(minidl.optimizers.SGD(0.002), "binary_crossentropy")
m.train_on_batch(rng.integers(1, 10000, (50, 400)).astype(np.float32), rng.integers(0, 2, (50, 1)).astype(np.float32))
t_imdb = time.perf_counter() - t0
print(json.dumps({"import_s": t_import, "import_and_first_step_s": t_step, "plus_imdb_step_s": t_imdb}))
"""


def measure(cache_dir: str) -> dict[str, float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "PYTHONPATH": REPO}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=600)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coldstart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm-cache runs (the minimum is reported)")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="minidl-numba-cache-") as cache:
        cold = measure(cache)
        warm = [measure(cache) for _ in range(max(1, args.repeats))]
    best = {k: min(w[k] for w in warm) for k in warm[0]}
    print(f"{'':34s} {'cold cache':>11s} {'warm (min of ' + str(len(warm)) + ')':>15s}")
    for key, label in (("import_s", "import minidl"), ("import_and_first_step_s", "+ first MNIST-conv step"),
                       ("plus_imdb_step_s", "+ first IMDB Conv1D step"), ("process_wall_s", "whole process (outside)")):
        print(f"{label:34s} {cold[key]:10.2f}s {best[key]:14.2f}s")
    print(json.dumps({"cold": cold, "warm": warm}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
