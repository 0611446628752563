"""The Numba backend's BLAS bridge (NumPy's CBLAS called from kernels) and the output recycler."""
from __future__ import annotations

import os

import numpy as np
import pytest

from minidl.ops.numba import blas, memory

numba = pytest.importorskip("numba")


@pytest.fixture(scope="module")
def gemm_kernel():
    from minidl.ops.numba.jit.blas import gemm

    @numba.njit
    def call(fn, one, a, trans_a, b, trans_b, beta, c):
        gemm(fn, one, a, trans_a, b, trans_b, beta, c)

    return call


@pytest.mark.skipif(blas.gemm_function(np.float32) is None, reason="NumPy is not linked to an OpenBLAS here")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a,trans_b", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_from_numba_gives_numpys_bits(gemm_kernel, dtype, trans_a, trans_b):
    rng = np.random.default_rng(0)
    m, k, n = 37, 25, 30
    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    want = np.matmul(a.T if trans_a else a, b.T if trans_b else b)
    c = np.full((m, n), np.nan, dtype)
    gemm_kernel(blas.gemm_function(dtype), dtype(1), a, trans_a, b, trans_b, dtype(0), c)
    np.testing.assert_array_equal(c, want)
    # beta = 1 accumulates; a row range of a larger array is a valid operand
    rows = rng.standard_normal((2 * m, k)).astype(dtype)
    gemm_kernel(blas.gemm_function(dtype), dtype(1), rows[m:], False, b.T.copy() if trans_b else b, False,
                dtype(1), c)
    np.testing.assert_allclose(c, want + rows[m:] @ (b.T if trans_b else b), rtol=1e-5)


def test_gemm_function_is_none_for_other_dtypes():
    assert blas.gemm_function(np.int32) is None


@pytest.fixture
def recycler(monkeypatch):
    monkeypatch.setattr(memory, "_buffers", [])
    return memory


def _ids(recycler) -> list[int]:
    return [id(buf) for buf in recycler._buffers]


def test_recycler_reuses_a_buffer_once_nothing_refers_to_it(recycler):
    a = recycler.empty((1000, 100), np.float32)
    b = recycler.empty((1000, 100), np.float32)
    assert a.base is not b.base and a.shape == (1000, 100) and a.dtype == np.float32 and a.flags.c_contiguous
    base = id(a.base)  # an id, not a reference: holding the buffer would keep it taken
    del a
    c = recycler.empty((100, 1000), np.float32)  # same size, other shape
    assert id(c.base) == base
    view = c[10:20]
    del c
    d = recycler.empty((1000, 100), np.float32)
    assert id(d.base) != base and d.base is not b.base  # a view keeps its buffer taken
    del view
    assert id(recycler.empty((400, 250), np.float32).base) == base


def test_recycler_leaves_small_arrays_and_bounds_its_buffers(recycler, monkeypatch):
    assert recycler.empty((10, 10), np.float64).base is None and recycler._buffers == []
    monkeypatch.setattr(recycler, "RECYCLE_MAX_BUFFERS", 2)
    held = [recycler.empty((300, 300), np.float64) for _ in range(3)]  # the third is not kept
    assert len(recycler._buffers) == 2 and id(held[2].base) not in _ids(recycler)
    del held[0]
    other = recycler.empty((200, 300), np.float64)  # another size: the free buffer makes room
    assert [buf.nbytes for buf in recycler._buffers] == [720_000, 480_000]
    assert recycler._buffers[0] is held[0].base and recycler._buffers[1] is other.base


def test_without_numpys_openblas_the_convs_run_the_reference(monkeypatch):
    """Where NumPy uses another BLAS no GEMM is found: the conv ops defer to the NumPy reference."""
    from minidl import config, ops
    monkeypatch.setattr(config, "_BACKEND", "numba")
    monkeypatch.setattr(blas, "_GEMMS", {})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 9, 3)).astype(np.float32)
    k = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    from minidl.ops import registry
    assert registry.implementation("conv", (x, k)).__module__ == "minidl.ops.numba.conv"  # the Numba op runs
    np.testing.assert_array_equal(ops.conv(x, k, 1, "same"), ops.conv.reference(x, k, 1, "same"))
    y, saved = ops.conv_bias_act_max_pool(x, k, None, (1, 1), "valid", "relu", (2, 2), (2, 2), "valid")
    assert type(saved).__name__ != "ConvSaved"  # the reference's cache, not the Numba kernel's
    want, _ = ops.conv_bias_act_max_pool.reference(x, k, None, (1, 1), "valid", "relu", (2, 2), (2, 2), "valid")
    np.testing.assert_array_equal(y, want)


def test_openblas_is_found_beside_numpy_without_proc_maps(monkeypatch):
    """Where /proc/self/maps cannot be read (macOS, Windows) the OpenBLAS NumPy's wheel ships is found."""
    mapped = blas.openblas_paths()
    if not mapped:
        pytest.skip("NumPy is not linked to an OpenBLAS here")
    real_open = open

    def no_proc(path, *args, **kwargs):
        if str(path) == "/proc/self/maps":
            raise OSError("no /proc here")
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr("builtins.open", no_proc)
    shipped = blas.openblas_paths()
    assert shipped and all("openblas" in p.lower() for p in shipped)
    assert {os.path.realpath(p) for p in mapped} <= {os.path.realpath(p) for p in shipped}
