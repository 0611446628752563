"""Every tuning constant of the Numba backend, in one place, sized from this machine.

Cache sizes are read at import from ``/sys/devices/system/cpu/cpu0/cache``
(L1d, L2 and L3 as the kernel reports them for one core) with fallbacks
(48 KB, 1 MB, 8 MB) where that is not readable (not Linux, a container
without /sys). Only speeds depend on these values, never results: every
block split depends on the problem size and these constants, never on the
thread count (see ``threads``).

Tests shrink them (``monkeypatch.setattr(tuning, "GRAIN", 8)``) to force
many blocks on small shapes; the drivers read them at call time.
"""
from __future__ import annotations

import os
from pathlib import Path

_FALLBACK = {1: 48 << 10, 2: 1 << 20, 3: 8 << 20}


def _parse_size(text: str) -> int:
    """'1024K' / '32M' / '512' -> bytes."""
    text = text.strip().upper()
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    return int(text.rstrip("KMG")) * scale


def cache_sizes(root: str = "/sys/devices/system/cpu/cpu0/cache") -> dict[int, int]:
    """{level: bytes} of the data/unified caches one core sees; fallbacks where unknown."""
    sizes = dict(_FALLBACK)
    try:
        for index in sorted(Path(root).glob("index*")):
            if (index / "type").read_text().strip() == "Instruction":
                continue
            sizes[int((index / "level").read_text())] = _parse_size((index / "size").read_text())
    except (OSError, ValueError):
        return dict(_FALLBACK)
    return sizes


def core_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_CACHES = cache_sizes()
L1D_BYTES: int = _CACHES[1]
L2_BYTES: int = _CACHES[2]
L3_BYTES: int = _CACHES[3]
CORES: int = core_count()

# ---- block sizes ---------------------------------------------------------------------

#: conv drivers: one chunk's scratch (its column matrix and conv output) fills about
#: one core's L2, so the GEMM and the epilogue read it back from cache
CHUNK_BYTES: int = max(L2_BYTES, 64 << 10)
#: elements per block of the elementwise, pooling and gather kernels: a float32 block
#: and its output fit in half of L2 (1 MB L2 -> 65536 elements, ~0.05 ms of work,
#: against ~20 µs to hand a block to another thread)
GRAIN: int = max(L2_BYTES // 16, 1 << 14)
#: multiply-adds per GEMM block: ~0.05 ms of single-threaded SGEMM
GRAIN_MACS: int = 1 << 22
#: narrower GEMM blocks lose too much BLAS efficiency: each block re-packs the other
#: operand (128×3072 @ 3072×100 in four 32-row blocks: +35 % CPU time; two: +10 %)
MIN_SIDE: int = 64
#: below this many multiply-adds a matmul is one plain NumPy call
TINY_MACS: int = 1 << 16
#: the prange GEMM (``gemm``) from this many multiply-adds, in two blocks or more. Smaller
#: products stay with the pool: the OpenMP thread spins for milliseconds after each
#: ``prange`` call and took the second core from the pool's conv kernels (IMDB, whose dense
#: layer is 4.8 M: 4.5-5.1 -> 5.8-6.0 s per epoch), for 0.17 -> 0.12 ms on MNIST dense's 7.8 M
PAR_MACS: int = 1 << 23
#: more than two blocks only while each keeps this many (four blocks of CIFAR-10's 39 M MACs
#: were 10-25 % slower than two on two cores: each re-packs the other operand)
BLOCK_MACS: int = 1 << 24
#: and none narrower than this many rows or columns (IMDB's dense 50×3200 @ 3200×30: two of 25)
PAR_SIDE: int = 16
#: below this many elements NumPy's ufuncs beat a Numba call plus its argument checks
#: (XOR's 1×2 layers: ~1.5 µs against ~5 µs), so tiny arrays use the reference
SMALL: int = 256

# ---- the kernel pool's back-off (see threads.run) -----------------------------------

#: moving average of (caller's final wait / duration) of parallel calls above which
#: the helpers are left out for a while (idle machine: a few %; oversubscribed: 30-60 %)
WAIT_LIMIT: float = 0.3
#: how long run() stays serial once the helpers were found not to pay
BACKOFF_S: float = 2.0
