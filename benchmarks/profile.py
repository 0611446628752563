"""Where a training step's time goes: per layer (forward, backward), loss, optimizer, rest.

    python -m benchmarks.profile SETUP [--samples N] [--epochs K] [--threads T]

SETUP is one of ``benchmarks.epochs``' setups (``mnist-conv``, ``imdb-conv1d``,
...), built from the same exercise definitions on the same synthetic arrays.
Each graph node's ``forward`` and ``backward``, the compiled loss and the
optimizer's update are wrapped with a timer for the measured epochs (after a
warm-up fit that loads the Numba kernels); "rest" is the step time nobody
claimed (batching, metrics, callbacks, Python). Times are wall-clock per
step, so with several threads they include waiting; ``--threads 1`` gives
each part's CPU cost alone. A fused node (conv + max pooling) is one row.
The header line adds the process's CPU time and minor page faults per step
(a step that allocates fresh large arrays every time pays a fault per 4 KB page).
"""
from __future__ import annotations

import argparse
import collections
import resource
import time
from typing import Any, Callable

from . import epochs as E


class _Timers:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self.calls: collections.Counter = collections.Counter()

    def wrap(self, label: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1
        return timed


class _TimedLoss:
    """The compiled loss with its call timed (``__call__`` is looked up on the class)."""

    def __init__(self, loss: Any, timers: _Timers) -> None:
        self._loss, self._call = loss, timers.wrap("loss + its gradient", loss.__call__)

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loss, name)


def instrument(model: Any, timers: _Timers) -> Callable[[], None]:
    """Wrap the model's layers, loss and optimizer; returns a function that undoes it."""
    undo = []
    for i, (node, *_rest) in enumerate(model.graph._plan):
        layer = node.layer
        label = f"{i:2d} {type(layer).__name__} {layer.name}"
        for what in ("forward", "backward"):
            setattr(layer, what, timers.wrap(f"{label} {what}", getattr(layer, what)))
            undo.append((layer, what))
    model.optimizer.apply_guarded = timers.wrap("optimizer update", model.optimizer.apply_guarded)
    undo.append((model.optimizer, "apply_guarded"))
    loss = model.compiled_loss
    model.compiled_loss = _TimedLoss(loss, timers)

    def restore() -> None:
        for obj, attr in undo:
            del obj.__dict__[attr]
        model.compiled_loss = loss
    return restore


def profile(setup_name: str, samples: int | None = None, epochs: int = 2,
            stats: dict | None = None) -> tuple[float, list[tuple[str, float, float]]]:
    """(seconds per step, [(part, seconds per step, calls per step)]) for minidl on the setup;
    ``stats``, when given, receives the CPU seconds and minor page faults per step, and the
    large dense products run by the ``prange`` GEMM in parallel and serially (its guard's choice)."""
    setup = E.BY_NAME[setup_name]
    samples = samples or max(setup.batch * 20, setup.samples // 20)
    model = E.build("minidl", setup)
    x, y = E.make_data(setup, samples)
    model.fit(x[:setup.batch * 2], y[:setup.batch * 2], batch_size=setup.batch, epochs=1, verbose=0)
    timers = _Timers()
    restore = instrument(model, timers)
    from minidl.ops.numba import gemm
    gemm_before = dict(gemm.counts)
    try:
        faults, cpu, start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time(), time.perf_counter()
        model.fit(x, y, batch_size=setup.batch, epochs=epochs, verbose=0)
        total = time.perf_counter() - start
        cpu, faults = time.process_time() - cpu, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    finally:
        restore()
    steps = epochs * -(-len(x) // setup.batch)  # (XOR's data are its 4 cases, whatever ``samples`` asks)
    if stats is not None:
        stats.update(cpu_per_step=cpu / steps, minor_faults_per_step=faults / steps,
                     gemm_calls={way: n - gemm_before[way] for way, n in gemm.counts.items()})
    parts = [(k, v / steps, timers.calls[k] / steps) for k, v in timers.seconds.items()]
    parts.append(("rest (batching, metrics, Python)", (total - sum(timers.seconds.values())) / steps, 0.0))
    return total / steps, parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.splitlines()[0])
    parser.add_argument("setup", choices=list(E.BY_NAME))
    parser.add_argument("--samples", type=int, default=None, help="training samples (default: a 20th of an epoch)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="minidl kernel threads (default: all cores)")
    args = parser.parse_args(argv)
    if args.threads:
        import minidl
        minidl.config.set_num_threads(args.threads)
    stats: dict = {}
    step, parts = profile(args.setup, args.samples, args.epochs, stats)
    print(f"{args.setup}: {step * 1e3:.2f} ms per step (batch {E.BY_NAME[args.setup].batch}); "
          f"CPU {stats['cpu_per_step'] * 1e3:.2f} ms, {stats['minor_faults_per_step']:.0f} minor page faults per step")
    calls = stats["gemm_calls"]
    if any(calls.values()):
        print(f"large dense products (block GEMM): {calls['parallel']} by the prange loop in parallel, "
              f"{calls['serial']} on one thread, {calls['pool']} on the kernel pool")
    print(f"| part | ms / step | share | calls / step |\n|---|---:|---:|---:|")
    for name, seconds, calls in sorted(parts, key=lambda p: -p[1]):
        print(f"| {name} | {seconds * 1e3:.3f} | {100 * seconds / step:.1f} % | {calls:g} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
