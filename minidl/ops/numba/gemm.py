"""Matrix products for the Numba backend: fixed blocks of single-threaded BLAS.

The larger of the two output dimensions is cut into blocks whose number depends
on the problem size only; each block is one BLAS call writing its own slice of
the output, every element with the full inner product, so the result does not
depend on the thread count. Tiny products (XOR's 1×2 layers) go straight to
NumPy; so do operands that are not 2-D (batched matmul stays NumPy's).

Two ways to run the blocks:

* ``jit.gemm_blocks``: a ``prange`` loop calling NumPy's own CBLAS ``?gemm``
  per block, where NumPy's OpenBLAS was found (``blas.gemm_function``) and
  Numba's threading layer is OpenMP or TBB. Their threads take work in
  microseconds; the kernel pool's Python helpers take ~45 µs to wake (median,
  this 2-core VM), which made two blocks of the course's products (0.1-0.4 ms
  each) little faster than one. CIFAR-10's dense layer, forward + backward
  (``python -m pytest benchmarks --benchmark-only -k dense``, two threads, against
  ``MINIDL_OPENMP_GEMM=0``): batch 128 2.21 -> 1.58 ms, batch 50 1.34 -> 0.90 ms.
  Used unless ``MINIDL_OPENMP_GEMM=0`` (``minidl.config.openmp_gemm``). GNU OpenMP
  is not fork-safe: Numba terminates a child forked after its threads started
  at the child's first ``prange`` ("Terminating: fork() called from a process
  already using GNU OpenMP"), so such a child (``multiprocessing``'s default
  on Linux) keeps to the pool (``_note_fork``).
* otherwise (``MINIDL_OPENMP_GEMM=0``, a forked child, another threading layer)
  the kernel pool (``threads.run``), each task one of those blocks
  (``jit.gemm_block_range``): the same BLAS calls, so the same bits.

Products below ``tuning.PAR_MACS`` are cut for the pool instead (``split``), one
``np.matmul`` per block.

A spinning OpenMP thread that the scheduler preempts stalls a whole
``prange`` call (why the pool exists, see ``threads``). So every
``PROBE_EVERY``-th call of a product shape runs serially (the same blocks on one
thread: the same bits), timed; when the parallel calls since the last such probe
took longer on average than the serial ones, that shape runs serially for
``tuning.BACKOFF_S`` seconds, then tries ``TRIAL_CALLS`` parallel calls again
(each failed trial doubling the wait, up to ``MAX_BACKOFF_S``).
"""
from __future__ import annotations

import os
import time
from functools import partial

import numpy as np

from ... import config
from . import blas, tuning
from .threads import _local as _pool_local
from .threads import run, single_threaded_blas, split

#: one call in this many runs serially while the parallel way is in use, timed
PROBE_EVERY = 64
#: parallel calls tried after a back-off before the next serial probe decides again
TRIAL_CALLS = 8
#: a shape whose trials keep failing waits at most this long between them
MAX_BACKOFF_S = 32.0


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a (m, k) @ b (k, n) -> out (m, n); a and b may be transposed views."""
    if a.ndim != 2 or b.ndim != 2:
        return np.matmul(a, b)
    m, k = a.shape
    n = b.shape[1]
    if k != b.shape[0]:
        return np.matmul(a, b)  # NumPy's own shape error
    if out is None:
        out = np.empty((m, n), dtype=np.result_type(a, b))
    if m * k * n < tuning.TINY_MACS:
        return np.matmul(a, b, out=out)
    if m * k * n >= tuning.PAR_MACS and _blocks_usable(a, b, out):
        _block_matmul(a, b, out)
        return out
    if m >= n:
        blocks = split(m, max(tuning.MIN_SIDE, tuning.GRAIN_MACS // max(k * n, 1)), most=16)
        tasks = [partial(np.matmul, a[lo:hi], b, out=out[lo:hi]) for lo, hi in blocks]
    else:
        blocks = split(n, max(tuning.MIN_SIDE, tuning.GRAIN_MACS // max(m * k, 1)), most=16)
        tasks = [partial(np.matmul, a, b[:, lo:hi], out=out[:, lo:hi]) for lo, hi in blocks]
    run(tasks)
    return out


# ---- the prange way ------------------------------------------------------------------------

def block_bounds(total: int, macs: int) -> np.ndarray:
    """Cuts of ``total`` rows (or columns) for a product of ``macs`` multiply-adds: two blocks
    from ``tuning.PAR_MACS``, more (a power of two, at most 16) only while each keeps
    ``tuning.BLOCK_MACS``, none narrower than ``tuning.PAR_SIDE``. Sizes only, never threads."""
    count = 1
    if macs >= tuning.PAR_MACS:
        count = 2
        while count < 16 and macs // (2 * count) >= tuning.BLOCK_MACS:
            count *= 2
    while count > 1 and total // count < tuning.PAR_SIDE:
        count //= 2
    return np.array([i * total // count for i in range(count + 1)], dtype=np.int64)


def _operand(x: np.ndarray) -> tuple[np.ndarray, int, bool] | None:
    """(row-major buffer, leading dimension, transposed) describing ``x`` for BLAS, or None."""
    item = x.itemsize
    if x.strides[1] == item and x.strides[0] % item == 0 and x.strides[0] >= x.shape[1] * item:
        return x, x.strides[0] // item, False
    if x.strides[0] == item and x.strides[1] % item == 0 and x.strides[1] >= x.shape[0] * item:
        return x.T, x.strides[1] // item, True
    return None


_layer_ok: bool | None = None  # None: not asked yet
_forked_after_launch = False


def _note_fork() -> None:
    """In a forked child: were Numba's threads already started (in an ancestor)? Then this
    process never runs the ``prange`` way: GNU OpenMP's threads do not exist after a fork,
    and Numba terminates such a child at its first ``prange`` ("Terminating: fork() called
    from a process already using GNU OpenMP")."""
    global _forked_after_launch
    try:
        from numba.np.ufunc import parallel
        _forked_after_launch = _forked_after_launch or bool(parallel._is_initialized)
    except Exception:  # noqa: BLE001  (a Numba without that flag: assume started, stay safe)
        _forked_after_launch = True


os.register_at_fork(after_in_child=_note_fork)


def _layer_is_thread_safe() -> bool:
    """Whether this process may run ``prange`` loops with several threads: not a child forked
    after they started (``_note_fork``), and Numba's threading layer is OpenMP or TBB (asked
    once; its ``workqueue`` layer aborts when two threads launch ``prange`` loops at once, as
    the kernel pool's could)."""
    global _layer_ok
    if _forked_after_launch:
        return False
    if _layer_ok is None:
        try:
            import numba
            from numba.np.ufunc import parallel
            parallel._launch_threads()  # chooses the layer without running a kernel
            _layer_ok = numba.threading_layer() in ("omp", "tbb")
        except Exception:  # noqa: BLE001  (any failure: keep to the pool)
            _layer_ok = False
    return _layer_ok


def _blocks_usable(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> bool:
    return (a.dtype == b.dtype == out.dtype and out.flags.c_contiguous and out.size > 0
            and blas.gemm_function(out.dtype) is not None)


class _Times:
    """One product shape's timings: the parallel calls since the last serial probe, the
    serial calls' mean, and until when the shape runs serially."""

    __slots__ = ("window", "count", "serial", "calls", "next_probe", "serial_until", "backoff")

    def __init__(self) -> None:
        self.window = 0.0
        self.count = 0
        self.serial: float | None = None
        self.calls = 0
        self.next_probe = PROBE_EVERY
        self.serial_until = 0.0
        self.backoff = tuning.BACKOFF_S

    def parallel_next(self, now: float) -> bool:
        if now < self.serial_until:
            return False
        self.calls += 1
        return self.calls < self.next_probe

    def note(self, parallel: bool, seconds: float, now: float) -> None:
        """Decides at each serial probe, on the mean of the parallel calls before it (one call
        the scheduler held up does not decide; a lasting slow-down does). After a back-off
        the trial is short (``TRIAL_CALLS``), and each failed trial doubles the next back-off."""
        if parallel:
            if self.calls > PROBE_EVERY or self.serial is not None:  # the first calls start threads
                self.window += seconds
                self.count += 1
            return
        self.serial = seconds if self.serial is None else 0.5 * (self.serial + seconds)
        if self.calls < self.next_probe:
            return  # a serial call during a back-off
        if self.count and self.window / self.count > self.serial:
            self.serial_until = now + self.backoff
            self.backoff = min(2 * self.backoff, MAX_BACKOFF_S)
            self.next_probe = self.calls + TRIAL_CALLS
        else:
            self.backoff = tuning.BACKOFF_S
            self.next_probe = self.calls + PROBE_EVERY
        self.window, self.count = 0.0, 0


_times: dict[tuple, _Times] = {}
#: calls of the block GEMM since the process started, each way: the prange loop on several
#: threads or on this one, or the kernel pool (``benchmarks.profile`` prints them)
counts = {"parallel": 0, "serial": 0, "pool": 0}


def _block_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """``out = a @ b`` in ``block_bounds``' blocks: a ``prange`` loop where this process may
    run one (``config.openmp_gemm`` and ``_layer_is_thread_safe``), else the kernel pool,
    each of its tasks a block on its thread. The same BLAS calls either way: the same bits."""
    from .jit.gemm_blocks import gemm_block_range
    m, k = a.shape
    n = b.shape[1]
    rows = m >= n
    bounds = block_bounds(m if rows else n, m * k * n)
    ops = _operand(a), _operand(b)
    if ops[0] is None or ops[1] is None or len(bounds) == 2:
        np.matmul(a, b, out=out)  # one block (or a layout BLAS cannot take): NumPy's own call
        return
    (a_buf, lda, ta), (b_buf, ldb, tb) = ops
    args = (blas.gemm_function(out.dtype), out.dtype.type(1), out.dtype.type(0), a_buf, lda, ta, b_buf, ldb, tb,
            out, out.shape[1], k, bounds, rows)
    if config.openmp_gemm() and _layer_is_thread_safe():
        _prange_matmul(args, len(bounds) - 1, (m, k, n, out.dtype.char, ta, tb, lda, ldb))
        return
    counts["pool"] += 1
    run([partial(gemm_block_range, *args, i, i + 1) for i in range(len(bounds) - 1)])


def _prange_matmul(args: tuple, blocks: int, key: tuple) -> None:
    """The blocks as one ``prange`` loop, or on this thread (inside a pool task, one kernel
    thread, or while ``_Times`` has this shape run serially)."""
    import numba

    from .jit.gemm_blocks import gemm_block_range, gemm_blocks
    times = _times.get(key)
    if times is None:
        if len(_times) > 256:  # many shapes (a short last batch each): start over
            _times.clear()
        times = _times[key] = _Times()
    threads = 1 if getattr(_pool_local, "inside", False) else \
        min(config.num_threads(), numba.config.NUMBA_NUM_THREADS)
    start = time.perf_counter()
    parallel = threads > 1 and times.parallel_next(start)
    with single_threaded_blas():
        if parallel:
            before = numba.get_num_threads()  # thread-local in Numba: put back for the caller's own prange code
            numba.set_num_threads(threads)
            try:
                gemm_blocks(*args)
            finally:
                numba.set_num_threads(before)
        else:
            gemm_block_range(*args, 0, blocks)
    counts["parallel" if parallel else "serial"] += 1
    if threads > 1:
        end = time.perf_counter()
        times.note(parallel, end - start, end)
