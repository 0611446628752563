"""The prange GEMM (``minidl.ops.numba.gemm``): blocks from sizes only, every operand layout,
the same bits for any thread count, nested calls, and the back-off to serial calls."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from minidl import config  # noqa: E402
from minidl.ops.numba import blas, gemm, threads, tuning  # noqa: E402

pytestmark = pytest.mark.skipif(blas.gemm_function(np.float32) is None or not gemm._layer_is_thread_safe(),
                                reason="needs NumPy's OpenBLAS and Numba's OpenMP or TBB threading layer")


@pytest.fixture
def small_blocks(monkeypatch):
    """Products of any size through the prange GEMM, in several blocks."""
    monkeypatch.setattr(config, "_OPENMP_GEMM", True)
    monkeypatch.setattr(tuning, "TINY_MACS", 0)
    monkeypatch.setattr(tuning, "PAR_MACS", 0)
    monkeypatch.setattr(tuning, "BLOCK_MACS", 64)
    monkeypatch.setattr(tuning, "PAR_SIDE", 2)


def test_block_bounds_depend_on_sizes_only():
    assert list(gemm.block_bounds(100, tuning.PAR_MACS - 1)) == [0, 100]
    assert list(gemm.block_bounds(100, tuning.PAR_MACS)) == [0, 50, 100]
    big = gemm.block_bounds(4096, 64 * tuning.BLOCK_MACS)
    assert len(big) == 17 and big[0] == 0 and big[-1] == 4096  # at most 16 blocks
    assert len(gemm.block_bounds(2 * tuning.PAR_SIDE - 1, 64 * tuning.BLOCK_MACS)) == 2  # none too narrow
    counts = [len(gemm.block_bounds(1 << 12, macs)) - 1 for macs in (tuning.PAR_MACS, 4 * tuning.BLOCK_MACS,
                                                                    8 * tuning.BLOCK_MACS)]
    assert counts == [2, 4, 8]


def _layouts(rng, m, k, n, dtype):
    """(name, a, b) with a (m, k) and b (k, n) as C arrays, transposed views and column slices."""
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    a_t = np.ascontiguousarray(a.T).T                      # F-ordered: BLAS's transposed operand
    b_t = np.ascontiguousarray(b.T).T
    a_wide = np.zeros((m, k + 5), dtype)
    a_wide[:, 3:3 + k] = a                                 # rows with a leading dimension > k
    b_wide = np.zeros((k + 4, n), dtype).T.copy().T        # F-ordered, padded: a transposed slice
    b_wide[2:2 + k] = b
    return [("c", a, b), ("t", a_t, b_t), ("slices", a_wide[:, 3:3 + k], b_wide[2:2 + k]),
            ("mixed", a_t, b)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m, k, n", [(37, 11, 5), (6, 13, 41), (64, 64, 64), (2, 3, 2)])
def test_every_layout_agrees_with_numpy_and_threads_do_not_change_bits(small_blocks, monkeypatch, dtype, m, k, n):
    rng = np.random.default_rng(m * n)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for name, a, b in _layouts(rng, m, k, n, dtype):
        monkeypatch.setattr(config, "_NUM_THREADS", 2)
        two = gemm.matmul(a, b)
        monkeypatch.setattr(config, "_NUM_THREADS", 1)
        one = gemm.matmul(a, b)
        np.testing.assert_allclose(two, np.matmul(a, b), rtol=tol, atol=tol * k, err_msg=name)
        assert two.tobytes() == one.tobytes(), name
        out = np.full((m, n), np.nan, dtype)
        assert gemm.matmul(a, b, out=out) is out and out.tobytes() == one.tobytes()


def test_layouts_blas_cannot_take_fall_back(small_blocks):
    rng = np.random.default_rng(3)
    a = np.broadcast_to(rng.standard_normal((1, 8)).astype(np.float32), (9, 8))  # zero stride
    b = rng.standard_normal((16, 6)).astype(np.float32)[::2]                     # every other row
    assert gemm._operand(a) is None and gemm._operand(b[:, ::2]) is None
    np.testing.assert_allclose(gemm.matmul(a, b), np.matmul(a, b), rtol=1e-5, atol=1e-5)
    mixed = np.matmul(a.astype(np.float64), b)  # dtypes differ: NumPy's product
    np.testing.assert_allclose(gemm.matmul(a.astype(np.float64), b), mixed)


def test_a_product_inside_a_pool_task_runs_serially_with_the_same_bits(small_blocks, monkeypatch):
    monkeypatch.setattr(config, "_NUM_THREADS", 2)
    rng = np.random.default_rng(5)
    pairs = [(rng.standard_normal((40, 30)).astype(np.float32), rng.standard_normal((30, 20)).astype(np.float32))
             for _ in range(4)]
    direct = [gemm.matmul(a, b) for a, b in pairs]
    inside = [None] * 4

    def task(i):
        inside[i] = gemm.matmul(*pairs[i])

    threads.run([lambda i=i: task(i) for i in range(4)])
    for d, n in zip(direct, inside):
        assert d.tobytes() == n.tobytes()


def test_a_shape_whose_parallel_calls_are_slower_runs_serially_for_a_while(monkeypatch):
    times = gemm._Times()
    now = 100.0
    runs = [times.parallel_next(now) for _ in range(gemm.PROBE_EVERY)]
    assert runs[:-1] == [True] * (gemm.PROBE_EVERY - 1) and runs[-1] is False  # the probe
    times.note(True, 5.0, now)   # the first calls (threads starting) are not counted
    times.note(False, 1.0, now)
    assert times.serial_until == 0.0
    for _ in range(gemm.PROBE_EVERY - 1):
        assert times.parallel_next(now)
        times.note(True, 0.6 if times.calls % 7 else 3.0, now)  # faster on average, one call held up
    assert not times.parallel_next(now)
    times.note(False, 1.0, now)
    assert times.serial_until == 0.0  # mean ~0.94 < 1.0: stays parallel
    for _ in range(gemm.PROBE_EVERY - 1):
        times.parallel_next(now)
        times.note(True, 2.0, now)  # a lasting slow-down (an oversubscribed machine)
    times.parallel_next(now)
    times.note(False, 1.0, now)
    assert times.serial_until == now + tuning.BACKOFF_S
    assert not any(times.parallel_next(now + 1.0) for _ in range(10))
    later = now + tuning.BACKOFF_S
    trial = [times.parallel_next(later) for _ in range(gemm.TRIAL_CALLS)]  # a short trial, then a probe
    assert trial == [True] * (gemm.TRIAL_CALLS - 1) + [False]
    for _ in range(gemm.TRIAL_CALLS - 1):
        times.note(True, 2.0, later)
    times.note(False, 1.0, later)  # still slower: twice the wait
    assert times.serial_until == later + 2 * tuning.BACKOFF_S
    assert times.backoff == min(4 * tuning.BACKOFF_S, gemm.MAX_BACKOFF_S)
    later = times.serial_until
    for _ in range(gemm.TRIAL_CALLS - 1):
        assert times.parallel_next(later)
        times.note(True, 0.5, later)
    assert not times.parallel_next(later)
    times.note(False, 1.0, later)  # faster again: back to the long windows
    assert times.backoff == tuning.BACKOFF_S
    assert all(times.parallel_next(later) for _ in range(gemm.PROBE_EVERY - 1))


def test_the_openmp_gemm_is_on_by_default_and_a_forked_child_keeps_to_the_pool(tmp_path):
    """Numba terminates a child forked after GNU OpenMP ran, at the child's first prange:
    such a child must take the pool's way, with the parent's bits."""
    import os
    import subprocess
    import sys
    code = ("import multiprocessing as mp, numpy as np\n"
            "from minidl import config\n"
            "from minidl.ops.numba import gemm\n"
            "assert config.openmp_gemm()\n"
            "rng = np.random.default_rng(0)\n"
            "a = rng.standard_normal((128, 3072)).astype(np.float32)\n"
            "b = rng.standard_normal((3072, 100)).astype(np.float32)\n"
            "parent = gemm.matmul(a, b).tobytes()\n"
            "ran = dict(gemm.counts)\n"
            "def child(q):\n"
            "    same = gemm.matmul(a, b).tobytes() == parent\n"
            "    q.put((same, {k: v - ran[k] for k, v in gemm.counts.items()}))\n"
            "if __name__ == '__main__':\n"
            "    usable = gemm._layer_is_thread_safe()\n"
            "    assert ran['parallel'] + ran['serial'] == (1 if usable else 0), (ran, usable)\n"
            "    ctx = mp.get_context('fork'); q = ctx.Queue()\n"
            "    p = ctx.Process(target=child, args=(q,)); p.start(); p.join(60)\n"
            "    same, calls = q.get(timeout=5)\n"
            "    print(p.exitcode, same, calls['parallel'] + calls['serial'], calls['pool'], usable)\n")
    script = tmp_path / "fork_after_gemm.py"
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if k != "MINIDL_OPENMP_GEMM"}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    exitcode, same, prange_calls, pool_calls, usable = out.stdout.split()
    assert (exitcode, same, prange_calls, pool_calls) == ("0", "True", "0", "1")
    if usable != "True":
        pytest.skip("Numba's threading layer here is neither OpenMP nor TBB: the prange way never ran")


def test_the_openmp_gemm_can_be_turned_off_from_the_environment():
    import os
    import subprocess
    import sys
    code = ("import numpy as np\n"
            "from minidl import config\n"
            "from minidl.ops.numba import gemm\n"
            "assert not config.openmp_gemm()\n"
            "gemm.matmul(np.ones((128, 3072), np.float32), np.ones((3072, 100), np.float32))\n"
            "assert gemm.counts == {'parallel': 0, 'serial': 0, 'pool': 1}, gemm.counts\n")
    env = {**os.environ, "MINIDL_OPENMP_GEMM": "0"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m, k, n", [(128, 3072, 100), (3072, 128, 100), (1000, 200, 300), (37, 4096, 256)])
def test_the_pool_runs_the_same_blocks_with_the_same_bits(monkeypatch, dtype, m, k, n):
    """OpenMP on or off (or a forked child) changes the speed, never the bits."""
    rng = np.random.default_rng(m + n)
    for name, a, b in _layouts(rng, m, k, n, dtype):
        monkeypatch.setattr(config, "_OPENMP_GEMM", True)
        before = dict(gemm.counts)
        by_prange = gemm.matmul(a, b)
        assert gemm.counts["parallel"] + gemm.counts["serial"] == before["parallel"] + before["serial"] + 1, name
        monkeypatch.setattr(config, "_OPENMP_GEMM", False)
        by_pool = gemm.matmul(a, b)
        assert gemm.counts["pool"] == before["pool"] + 1, name
        np.testing.assert_array_equal(by_prange, by_pool, err_msg=name)
        np.testing.assert_allclose(by_pool, a.astype(np.float64) @ b.astype(np.float64),
                                   rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-3 if dtype == np.float32
                                   else 1e-10, err_msg=name)


def test_openmp_gemm_setting(monkeypatch):
    monkeypatch.setattr(config, "_OPENMP_GEMM", False)
    config.set_openmp_gemm(True)
    assert config.openmp_gemm()
    with pytest.raises(TypeError, match="set_openmp_gemm expects True or False"):
        config.set_openmp_gemm(1)
