"""After pytest-benchmark's tables, one line per group: how many times faster minidl's
Numba kernel is than the NumPy reference and than TensorFlow (ratios of the minimum times),
with the achieved GFLOP/s where the group counts FLOPs."""
from __future__ import annotations

import os
from collections import defaultdict


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    session = getattr(config, "_benchmarksession", None)
    benchmarks = getattr(session, "benchmarks", None) or []
    groups: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    for bench in benchmarks:
        impl = bench.extra_info.get("impl")
        if impl and bench.stats and bench.stats.rounds:
            groups[bench.group][impl] = (bench.stats.min, bench.extra_info.get("flops", 0))
    if not groups:
        return
    write = terminalreporter.write_line
    write("")
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    write(f"minidl Numba kernel speed-up (min times; load average now {load}, {os.cpu_count()} CPUs)")
    write(f"{'group':52s} {'numba ms':>9s} {'vs numpy':>9s} {'vs TF':>7s} {'GFLOP/s':>8s}")
    for group in sorted(groups):
        times = groups[group]
        if "minidl-numba" not in times:
            continue
        t, flops = times["minidl-numba"]
        ratio = {k: times[k][0] / t if k in times else float("nan") for k in ("minidl-numpy", "tensorflow")}
        gflops = f"{flops / t / 1e9:8.1f}" if flops else f"{'-':>8s}"
        write(f"{group:52s} {t * 1e3:9.3f} {ratio['minidl-numpy']:8.2f}x {ratio['tensorflow']:6.2f}x {gflops}")


def pytest_collection_modifyitems(session, config, items):
    """TensorFlow's versions last: its thread pools keep spinning for a while after
    each op and would steal the CPU from the minidl kernels timed next."""
    items.sort(key=lambda item: "tensorflow" in item.nodeid)
