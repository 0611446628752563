"""How the Numba-backend kernels use the CPUs: single-threaded BLAS calls, and
a small pool that runs fixed blocks of work on a shared counter.

Why not OpenBLAS's threads or Numba's ``prange``: both split work statically
and wait at a barrier (spinning) for every thread. On a small machine
shared with other jobs (2 cores, load ~6), one descheduled thread stalls the call: a
10000×270×10 GEMM took 4.7 ms median with two OpenBLAS threads against
1.1 ms with one, and an OpenMP ``prange`` kernel 7 ms against 0.7 ms
serially (benchmarks, load ~6). Here the calling thread starts on the blocks
at once and the helpers take blocks as they get CPU time, so a busy machine
degrades to one-thread speed instead of below it, and an idle one uses every
core. The one exception is the large dense GEMMs (``gemm``, unless
``config.openmp_gemm()`` is off): there the pool's ~45 µs wake-ups ate the gain
of a second block, so they run as a ``prange`` loop of BLAS calls, with their
own timed fall-back to serial calls.

When the machine is oversubscribed even that loses: the caller, done with
its own blocks, sleeps until a preempted helper finishes its block, then
waits to be scheduled again (an MNIST-conv epoch took 27.5 s wall for 12.2 s
of CPU with two threads, against 10.7 s for 10.5 s serially, load ~4).
So ``run`` measures how long the caller waits at the end of each parallel
call; when that is a large share of the call (a moving average above
``tuning.WAIT_LIMIT``), it runs serially for ``tuning.BACKOFF_S`` seconds and then tries
the helpers again. This changes only the speed, never the results.

Determinism: callers split work into blocks that depend on the problem size
only, never on the thread count, and each block owns its outputs (or its own
partial sum, added in block order afterwards), so the bits do not depend on
scheduling or on ``config.num_threads()``.
"""
from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

from ... import config
from . import blas, tuning

_local = threading.local()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


# ---- BLAS threads ------------------------------------------------------------------

_BLAS = blas.thread_setters()
_blas_users = 0
_blas_saved = 0
_blas_lock = threading.Lock()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS calls inside run on one thread (re-entrant, safe across threads:
    the first entrant saves the count, the last one out restores it).
    Without a known OpenBLAS this does nothing."""
    global _blas_users, _blas_saved
    if _BLAS is None:
        yield
        return
    get, set_ = _BLAS
    with _blas_lock:
        if _blas_users == 0:
            _blas_saved = get()
            if _blas_saved != 1:
                set_(1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_saved != 1:
                set_(_blas_saved)


def blas_controlled() -> bool:
    """Whether minidl can pin BLAS to one thread (else the pool stays off)."""
    return _BLAS is not None


# ---- the pool -----------------------------------------------------------------------

_wait_share = 0.0
_serial_until = 0.0


def _note_wait(wait: float, total: float) -> None:
    """Update the moving average of the caller's idle share; back off when it is high.
    Unsynchronized on purpose: a lost update only delays the decision by a call."""
    global _wait_share, _serial_until
    _wait_share = 0.8 * _wait_share + 0.2 * (wait / total if total > 0 else 0.0)
    if _wait_share > tuning.WAIT_LIMIT:
        _serial_until = time.monotonic() + tuning.BACKOFF_S
        _wait_share = 0.0


def _executor(helpers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != helpers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(helpers, thread_name_prefix="minidl-kernel")
            _pool_size = helpers
        return _pool


def run(tasks: Sequence[Callable[[], None]]) -> None:
    """Run every task once, with BLAS on one thread, in parallel where threads are available.

    The calling thread works too; helpers join as they get scheduled. Tasks
    must write disjoint outputs. Nested calls (from inside a task) run inline,
    and so does everything when minidl cannot pin BLAS to one thread (then
    BLAS keeps its own threads and two levels would oversubscribe the CPUs).
    """
    threads = min(config.num_threads(), len(tasks))
    with single_threaded_blas():
        if (threads <= 1 or getattr(_local, "inside", False) or not blas_controlled()
                or time.monotonic() < _serial_until):
            for task in tasks:
                task()
            return
        counter = itertools.count()
        finished = itertools.count(1)
        all_done = threading.Event()
        errors: list[BaseException] = []
        count = len(tasks)
        # The helpers reach the tasks through ``holder`` only, emptied once all are done: a
        # helper still leaving ``work`` then holds no task, nor the arrays a task refers to
        # (``memory.empty`` recycles a buffer only when nothing else refers to it).
        holder = [tasks]

        def work() -> None:
            _local.inside = True
            try:
                while (i := next(counter)) < count:
                    try:
                        holder[0][i]()
                    except BaseException as exc:  # re-raised in the caller
                        errors.append(exc)
                    if next(finished) == count:
                        all_done.set()
            finally:
                _local.inside = False

        pool = _executor(config.num_threads() - 1)
        start = time.perf_counter()
        for _ in range(threads - 1):
            pool.submit(work)
        work()
        # Wait for the tasks, not for the helpers: a helper that only gets the CPU
        # after the caller has done everything finds no task left and returns.
        own_done = time.perf_counter()
        all_done.wait()
        holder[0] = ()
        end = time.perf_counter()
        _note_wait(end - own_done, end - start)
        if errors:
            raise errors[0]


def split(total: int, grain: int, most: int = 64) -> list[tuple[int, int]]:
    """[0, total) cut into about total/grain blocks (at most ``most``), as (lo, hi).

    Depends on the sizes only, never on the thread count (see the module doc).
    """
    count = max(1, min(most, total // max(grain, 1)))
    return [(b * total // count, (b + 1) * total // count) for b in range(count)]
