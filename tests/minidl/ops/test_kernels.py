"""The Numba kernels against the NumPy reference, their determinism, and the backend switch.

The kernels split their work into blocks run on the kernel pool; the
``path`` fixture runs them on one thread ("serial") or shrinks the block
sizes so that these small shapes split into many blocks over two threads
("parallel"), and lowers the "tiny arrays stay in NumPy" cut-off, so both
are compared with the reference. Tolerances: float32 rtol 1e-5, float64 1e-12,
with an absolute floor scaled by the magnitude of the terms summed.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from types import SimpleNamespace

from minidl import activations, config, losses, ops
from minidl.ops.numba import threads as _threads
from minidl.ops.numba import tuning


# The assertions below predate minidl.ops; these adapters give the old kernel API on top of
# the ops (which dispatch to Numba in these tests) and of their NumPy references.
def _with_bias(z, bias):
    if bias is not None:
        z = z + bias
    return z


conv = SimpleNamespace(
    conv2d_forward=lambda x, k, b, s, p: _with_bias(ops.conv(x, k, s, p), b),
    conv2d_backward=lambda x, k, dz, s, p, use_bias, need_dx=True: (
        *ops.conv_backward(x, k, dz, s, p, need_dx), ops.bias_grad(dz) if use_bias else None))
conv.conv1d_forward, conv.conv1d_backward = conv.conv2d_forward, conv.conv2d_backward
pool = SimpleNamespace(maxpool2d_forward=ops.max_pool_with_argmax, maxpool1d_forward=ops.max_pool_with_argmax,
                       maxpool2d_backward=ops.max_pool_backward, maxpool1d_backward=ops.max_pool_backward)
embedding = SimpleNamespace(forward=ops.embedding_lookup, backward=ops.embedding_scatter_add)
act_kernels = SimpleNamespace(
    forward=lambda z, bias, act: ops.bias_activation(z, bias, act.name),
    backward=lambda act, z, y, dy: ops.bias_activation_backward(act.name, z, y, dy),
    bias_grad=ops.bias_grad)
dense = SimpleNamespace(backward=lambda x, k, dz, use_bias, need_dx=True: (
    ops.matmul(dz, k.T) if need_dx else None, ops.matmul(x.T, dz), ops.bias_grad(dz) if use_bias else None))
xent = SimpleNamespace(softmax_cross_entropy=ops.softmax_cross_entropy_with_logits,
                       sparse_softmax_cross_entropy=ops.sparse_softmax_cross_entropy_with_logits)
reference = SimpleNamespace(
    conv2d_forward=lambda x, k, b, s, p: _with_bias(ops.conv.reference(x, k, s, p), b),
    conv2d_backward=lambda x, k, dz, s, p, use_bias: (
        *ops.conv_backward.reference(x, k, dz, s, p), dz.reshape(-1, dz.shape[-1]).sum(axis=0) if use_bias else None),
    maxpool2d_forward=ops.max_pool_with_argmax.reference, maxpool1d_forward=ops.max_pool_with_argmax.reference,
    maxpool2d_backward=ops.max_pool_backward.reference, maxpool1d_backward=ops.max_pool_backward.reference,
    embedding_forward=ops.embedding_lookup.reference, embedding_backward=ops.embedding_scatter_add.reference,
    dense_backward=lambda x, k, dz, use_bias: (dz @ k.T, x.T @ dz, dz.sum(axis=0) if use_bias else None))
reference.conv1d_forward, reference.conv1d_backward = reference.conv2d_forward, reference.conv2d_backward

RTOL = {np.float32: 1e-5, np.float64: 1e-12}
# The parallel path runs the same compiled kernels on other ranges: float32 suffices.
PATH_DTYPE = pytest.mark.parametrize("path, dtype", [("serial", np.float32), ("serial", np.float64),
                                                     ("parallel", np.float32)], indirect=["path"])


@pytest.fixture(params=["serial", "parallel"])
def path(request, monkeypatch):
    """Run the Numba backend through its serial or its parallel kernels."""
    monkeypatch.setattr(config, "_BACKEND", "numba")
    monkeypatch.setattr(tuning, "SMALL", 0)
    if request.param == "serial":
        monkeypatch.setattr(config, "_NUM_THREADS", 1)
    else:
        monkeypatch.setattr(config, "_NUM_THREADS", 2)
        monkeypatch.setattr(tuning, "GRAIN", 8)
        monkeypatch.setattr(tuning, "CHUNK_BYTES", 64)
        monkeypatch.setattr(tuning, "GRAIN_MACS", 64)
        monkeypatch.setattr(tuning, "MIN_SIDE", 2)
        monkeypatch.setattr(tuning, "TINY_MACS", 0)
        monkeypatch.setattr(config, "_OPENMP_GEMM", True)
        monkeypatch.setattr(tuning, "PAR_MACS", 0)  # every product through the prange GEMM,
        monkeypatch.setattr(tuning, "BLOCK_MACS", 64)  # in up to 16 blocks
        monkeypatch.setattr(tuning, "PAR_SIDE", 1)
    return request.param


def _rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def _close(actual, expected, dtype, scale=1.0):
    """assert_allclose with the dtype's rtol and an atol for sums that cancel."""
    rtol = RTOL[dtype]
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def _noncontiguous(a: np.ndarray) -> np.ndarray:
    """A strided view holding a's values: every other element of a larger array."""
    big = np.zeros((*a.shape[:-1], 2 * a.shape[-1]), dtype=a.dtype)
    big[..., ::2] = a
    view = big[..., ::2]
    assert not view.flags.c_contiguous
    return view


# ---- convolution ------------------------------------------------------------------

CONV2D_CASES = [
    # (n, h, w, cin), (kh, kw, cout), strides, padding
    ((1, 5, 5, 1), (3, 3, 2), (1, 1), "valid"),      # batch of 1, one channel
    ((2, 7, 6, 3), (3, 2, 4), (1, 1), "same"),       # odd sizes, even kernel width
    ((3, 9, 8, 2), (3, 3, 5), (2, 3), "valid"),      # stride > 1
    ((3, 9, 8, 2), (4, 3, 5), (2, 3), "same"),       # stride > 1, uneven 'same' split
    ((2, 4, 4, 3), (5, 5, 2), (1, 1), "same"),       # kernel larger than the input
    ((2, 6, 6, 4), (1, 1, 3), (2, 2), "valid"),      # 1×1 kernel, stride 2
    ((2, 7, 6, 5), (3, 2, 3), (1, 1), "same"),       # cout <= cin: dx by correlating dz
    ((2, 8, 7, 4), (3, 3, 2), (1, 1), "valid"),
]


@PATH_DTYPE
@pytest.mark.parametrize("xshape, kshape, strides, padding", CONV2D_CASES)
def test_conv2d_matches_reference(path, dtype, xshape, kshape, strides, padding):
    rng = np.random.default_rng(0)
    x = _rand(rng, xshape, dtype)
    kernel = _rand(rng, (*kshape[:2], xshape[3], kshape[2]), dtype)
    bias = _rand(rng, (kshape[2],), dtype)
    terms = kshape[0] * kshape[1] * xshape[3]
    y = conv.conv2d_forward(x, kernel, bias, strides, padding)
    _close(y, reference.conv2d_forward(x, kernel, bias, strides, padding), dtype, terms)
    dz = _rand(rng, y.shape, dtype)
    got = conv.conv2d_backward(x, kernel, dz, strides, padding, True)
    want = reference.conv2d_backward(x, kernel, dz, strides, padding, True)
    for g, w, scale in zip(got, want, (terms, dz.size, dz.size)):
        assert g.shape == w.shape and g.dtype == w.dtype
        _close(g, w, dtype, scale)
    dx, dkernel, dbias = conv.conv2d_backward(x, kernel, dz, strides, padding, False, need_dx=False)
    assert dx is None and dbias is None
    _close(dkernel, want[1], dtype, dz.size)


@pytest.mark.parametrize("view", ["transposed", "sliced"])
def test_conv2d_noncontiguous_inputs(path, view):
    rng = np.random.default_rng(1)
    base = _rand(rng, (2, 8, 7, 3), np.float32)
    x = base.transpose(0, 2, 1, 3) if view == "transposed" else base[:, 1:7:2, ::2]
    kernel = _rand(rng, (3, 2, 3, 4), np.float32)[::-1]  # negative strides
    y = conv.conv2d_forward(x, kernel, None, (1, 2), "same")
    _close(y, reference.conv2d_forward(x, kernel, None, (1, 2), "same"), np.float32, 18)
    dz = _noncontiguous(_rand(rng, y.shape, np.float32))
    for g, w in zip(conv.conv2d_backward(x, kernel, dz, (1, 2), "same", True),
                    reference.conv2d_backward(x, kernel, dz, (1, 2), "same", True)):
        _close(g, w, np.float32, 100)


CONV1D_CASES = [
    ((1, 9, 2), (3, 4), 1, "valid"),
    ((3, 10, 5), (4, 6), 1, "same"),   # even kernel 'same': IMDB's Conv1D(16, 4, 'same')
    ((2, 11, 3), (3, 2), 2, "same"),
    ((2, 11, 3), (4, 2), 3, "valid"),
    ((3, 12, 6), (4, 3), 1, "same"),   # cout <= cin
]


@PATH_DTYPE
@pytest.mark.parametrize("xshape, kshape, stride, padding", CONV1D_CASES)
def test_conv1d_matches_reference(path, dtype, xshape, kshape, stride, padding):
    rng = np.random.default_rng(2)
    x = _rand(rng, xshape, dtype)
    kernel = _rand(rng, (kshape[0], xshape[2], kshape[1]), dtype)
    bias = _rand(rng, (kshape[1],), dtype)
    y = conv.conv1d_forward(x, kernel, bias, stride, padding)
    _close(y, reference.conv1d_forward(x, kernel, bias, stride, padding), dtype, 20)
    dz = _rand(rng, y.shape, dtype)
    got = conv.conv1d_backward(x, kernel, dz, stride, padding, True)
    want = reference.conv1d_backward(x, kernel, dz, stride, padding, True)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        _close(g, w, dtype, dz.size)


def test_conv_window_too_large_is_a_clear_error(path):
    x = np.zeros((1, 3, 3, 1), np.float32)
    with pytest.raises(ValueError, match="does not fit"):
        conv.conv2d_forward(x, np.zeros((4, 4, 1, 1), np.float32), None, (1, 1), "valid")


def test_conv_backward_names_a_dy_of_the_wrong_shape(path):
    x, kernel = np.zeros((2, 9, 9, 3), np.float32), np.zeros((3, 3, 3, 4), np.float32)
    with pytest.raises(ValueError, match=r"conv_backward: dy has shape \(2, 6, 6, 4\), expected \(2, 7, 7, 4\)"):
        ops.conv_backward(x, kernel, np.zeros((2, 6, 6, 4), np.float32), 1, "valid")


# ---- max pooling --------------------------------------------------------------------

POOL2D_CASES = [
    ((1, 4, 4, 1), (2, 2), (2, 2), "valid"),
    ((2, 7, 5, 3), (2, 2), (2, 2), "valid"),   # odd sizes: last row/column dropped
    ((2, 7, 5, 3), (2, 2), (2, 2), "same"),    # odd sizes: -inf padding
    ((2, 6, 6, 2), (3, 3), (1, 2), "valid"),   # overlapping windows
    ((2, 5, 6, 2), (3, 2), (2, 1), "same"),
]


@PATH_DTYPE
@pytest.mark.parametrize("xshape, pool_size, strides, padding", POOL2D_CASES)
@pytest.mark.parametrize("values", ["normal", "ties"])
def test_maxpool2d_matches_reference_exactly(path, dtype, xshape, pool_size, strides, padding, values):
    rng = np.random.default_rng(3)
    x = _rand(rng, xshape, dtype) if values == "normal" else rng.integers(-2, 2, xshape).astype(dtype)
    y, argmax = pool.maxpool2d_forward(x, pool_size, strides, padding)
    y_ref, argmax_ref = reference.maxpool2d_forward(x, pool_size, strides, padding)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(argmax, argmax_ref)
    dy = _rand(rng, y.shape, dtype)
    dx = pool.maxpool2d_backward(dy, argmax, x.shape, pool_size, strides, padding)
    dx_ref = reference.maxpool2d_backward(dy, argmax_ref, x.shape, pool_size, strides, padding)
    assert dx.shape == dx_ref.shape
    np.testing.assert_array_equal(dx, dx_ref)  # same additions in the same order


def test_maxpool2d_nan_inf_and_noncontiguous(path):
    rng = np.random.default_rng(4)
    x = _rand(rng, (2, 6, 5, 3), np.float32)
    x[0, 0, 1, 0] = np.nan
    x[1, :2, :2, 1] = -np.inf
    x[1, 4, 4, 2] = np.inf
    x = x.transpose(0, 2, 1, 3)  # (2, 5, 6, 3), non-contiguous
    for padding in ("valid", "same"):
        y, argmax = pool.maxpool2d_forward(x, (2, 2), (2, 2), padding)
        y_ref, argmax_ref = reference.maxpool2d_forward(x, (2, 2), (2, 2), padding)
        np.testing.assert_array_equal(y, y_ref)
        np.testing.assert_array_equal(argmax, argmax_ref)


@pytest.mark.parametrize("fill", [-np.inf, np.nan, 0.0, -0.0])
def test_maxpool2d_windows_over_the_padding_and_constant_values(path, fill):
    """Windows that start in the padding (top = 1 here) over constant, -inf or NaN cells:
    the kernel skips padded cells instead of comparing them, and must still record the
    reference's winner (index 0, a padded cell, when nothing beats -inf)."""
    rng = np.random.default_rng(6)
    x = np.full((2, 5, 6, 2), fill, np.float32)
    x[1, 2:, 3:, 1] = _rand(rng, (3, 3), np.float32)
    for pool_size, strides in (((3, 2), (2, 1)), ((3, 3), (2, 2)), ((2, 2), (1, 1))):
        y, argmax = pool.maxpool2d_forward(x, pool_size, strides, "same")
        y_ref, argmax_ref = reference.maxpool2d_forward(x, pool_size, strides, "same")
        np.testing.assert_array_equal(y, y_ref)
        assert np.signbit(y).tolist() == np.signbit(y_ref).tolist()
        np.testing.assert_array_equal(argmax, argmax_ref)
        dy = _rand(rng, y.shape, np.float32)
        np.testing.assert_array_equal(pool.maxpool2d_backward(dy, argmax, x.shape, pool_size, strides, "same"),
                                      reference.maxpool2d_backward(dy, argmax_ref, x.shape, pool_size, strides,
                                                                   "same"))


@pytest.mark.parametrize("xshape, pool_size, stride, padding",
                         [((1, 5, 2), 2, 2, "valid"), ((3, 9, 4), 2, 2, "same"), ((2, 10, 3), 3, 2, "valid")])
def test_maxpool1d_matches_reference_exactly(path, xshape, pool_size, stride, padding):
    rng = np.random.default_rng(5)
    x = _rand(rng, xshape, np.float32)
    y, argmax = pool.maxpool1d_forward(x, pool_size, stride, padding)
    y_ref, argmax_ref = reference.maxpool1d_forward(x, pool_size, stride, padding)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(argmax, argmax_ref)
    dy = _noncontiguous(_rand(rng, y.shape, np.float32))
    np.testing.assert_array_equal(pool.maxpool1d_backward(dy, argmax, x.shape, pool_size, stride, padding),
                                  reference.maxpool1d_backward(dy, argmax_ref, x.shape, pool_size, stride, padding))


# ---- embedding ------------------------------------------------------------------------

@PATH_DTYPE
@pytest.mark.parametrize("shape, input_dim", [((1, 1), 3), ((4, 7), 5), ((3, 2, 5), 50)])
def test_embedding_matches_reference_exactly(path, dtype, shape, input_dim):
    rng = np.random.default_rng(6)
    ids = rng.integers(0, input_dim, shape)  # small vocabularies: many repeated ids
    table = _rand(rng, (input_dim, 4), dtype)
    np.testing.assert_array_equal(embedding.forward(ids, table), reference.embedding_forward(ids, table))
    dy = _rand(rng, (*shape, 4), dtype)
    np.testing.assert_array_equal(embedding.backward(ids, dy, input_dim),
                                  reference.embedding_backward(ids, dy, input_dim))
    ids_t = ids.T  # non-contiguous ids, non-contiguous gradient
    dy_t = _noncontiguous(_rand(rng, (*ids_t.shape, 4), dtype))
    np.testing.assert_array_equal(embedding.backward(ids_t, dy_t, input_dim),
                                  reference.embedding_backward(ids_t, dy_t, input_dim))


def test_embedding_bad_ids_raise_like_the_reference(path):
    table = np.zeros((4, 2), np.float32)
    with pytest.raises(IndexError):
        embedding.forward(np.array([[1, 4]]), table)


# ---- dense, activations, bias gradient -------------------------------------------------

@PATH_DTYPE
@pytest.mark.parametrize("name", ["linear", "sigmoid", "tanh", "relu", "softmax"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_bias_activation_matches_reference(path, dtype, name, with_bias):
    rng = np.random.default_rng(7)
    act = activations.get(name)
    z = 3 * _rand(rng, (5, 2, 7), dtype)
    z[0, 0, :3] = [0, -0.0, 40]
    bias = _rand(rng, (7,), dtype) if with_bias else None
    z_ref = z + bias if with_bias else z.copy()
    y_ref = act(z_ref)
    zz, y = act_kernels.forward(z.copy(), bias, act)
    _close(zz, z_ref, dtype)
    _close(y, y_ref, dtype)
    dy = _noncontiguous(_rand(rng, z.shape, dtype))
    _close(act_kernels.backward(act, zz, y, dy), act.backward(z_ref, y_ref, dy), dtype)


@PATH_DTYPE
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_tanh_and_sigmoid_have_the_references_bits(path, dtype, name, with_bias):
    """NumPy's own tanh and exp, in row blocks: the reference's bits, NaN and ±inf included."""
    rng = np.random.default_rng(17)
    z = 8 * _rand(rng, (37, 19), dtype)
    z[0, :6] = [0, -0.0, np.nan, np.inf, -np.inf, 100]
    bias = _rand(rng, (19,), dtype) if with_bias else None
    y_ref = ops.bias_activation.reference(z.copy(), bias, name)[1]
    zz, y = ops.bias_activation(z.copy(), bias, name)
    np.testing.assert_array_equal(y, y_ref)
    assert np.signbit(y).tolist() == np.signbit(y_ref).tolist()


@PATH_DTYPE
@pytest.mark.parametrize("size", [(2, 2), (1, 2), (3, 2), (2, 3), (7, 1), (1, 1), (3, 3)])
@pytest.mark.parametrize("channels", [1, 3, 32])
def test_upsampling_has_the_references_bits(path, dtype, size, channels):
    """Forward copies; backward adds each cell's copies in NumPy's order (-0 included)."""
    rng = np.random.default_rng(18)
    x = _noncontiguous(_rand(rng, (3, 5, 4, channels), dtype))
    y, y_ref = ops.upsampling2d(x, size), ops.upsampling2d.reference(x, size)
    np.testing.assert_array_equal(y, y_ref)
    dy = _rand(rng, y_ref.shape, dtype)
    dy[0, :2, :2] = -0.0
    g, g_ref = ops.upsampling2d_backward(dy, size), ops.upsampling2d_backward.reference(dy, size)
    np.testing.assert_array_equal(g, g_ref)
    assert np.signbit(g).tolist() == np.signbit(g_ref).tolist()


@PATH_DTYPE
@pytest.mark.parametrize("n", [1, 7, 300])
def test_dense_backward_matches_reference(path, dtype, n):
    rng = np.random.default_rng(8)
    x, kernel, dz = _rand(rng, (n, 6), dtype), _rand(rng, (6, 3), dtype), _rand(rng, (n, 3), dtype)
    for got, want in zip(dense.backward(x, kernel, dz, True), reference.dense_backward(x, kernel, dz, True)):
        _close(got, want, dtype, n)
    assert dense.backward(x, kernel, dz, True, need_dx=False)[0] is None


def test_bias_grad_blocks_match_sum(path):
    rng = np.random.default_rng(9)
    dz = _rand(rng, (1001, 5), np.float32)
    _close(act_kernels.bias_grad(dz), dz.sum(axis=0), np.float32, 1000)


# ---- fused softmax cross-entropy ---------------------------------------------------------

@PATH_DTYPE
@pytest.mark.parametrize("shape", [(1, 3), (6, 10), (2, 3, 4)])
def test_softmax_cross_entropy_matches_losses(path, dtype, shape):
    rng = np.random.default_rng(10)
    z = 4 * _rand(rng, shape, dtype)
    t = rng.dirichlet(np.ones(shape[-1]), shape[:-1]).astype(dtype)
    ref = losses.CategoricalCrossentropy(from_logits=True)
    per_sample, grad = xent.softmax_cross_entropy(t, z)
    _close(per_sample, ref.per_sample(t, z), dtype, 10)
    _close(grad, ref.gradient(t, z), dtype)
    labels = rng.integers(0, shape[-1], shape[:-1])
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True)
    per_sample, grad = xent.sparse_softmax_cross_entropy(labels, z)
    _close(per_sample, sparse.per_sample(labels, z), dtype, 10)
    _close(grad, sparse.gradient(labels, z), dtype)


# ---- determinism ------------------------------------------------------------------------

def _all_kernels(rng):
    """Every kernel with a reduction or a scatter, on inputs big enough to split into blocks."""
    x = _rand(rng, (17, 9, 8, 3), np.float32)
    kernel = _rand(rng, (3, 3, 3, 4), np.float32)
    dz = _rand(rng, (17, 9, 8, 4), np.float32)
    y, argmax = pool.maxpool2d_forward(x, (3, 3), (1, 1), "same")
    ids = rng.integers(0, 7, (40, 30))
    return [*conv.conv2d_backward(x, kernel, dz, (1, 1), "same", True),
            act_kernels.bias_grad(dz.reshape(-1, 4)),
            pool.maxpool2d_backward(dz[..., :3], argmax, x.shape, (3, 3), (1, 1), "same"),
            embedding.backward(ids, _rand(rng, (40, 30, 5), np.float32), 7),
            *dense.backward(x.reshape(17, -1), _rand(rng, (216, 6), np.float32),
                            _rand(rng, (17, 6), np.float32), True)]


def test_results_are_the_same_bits_run_to_run(path):
    first = _all_kernels(np.random.default_rng(11))
    second = _all_kernels(np.random.default_rng(11))
    for a, b in zip(first, second):
        assert a.tobytes() == b.tobytes()


def test_results_do_not_depend_on_the_thread_count(path, monkeypatch):
    many = _all_kernels(np.random.default_rng(12))
    monkeypatch.setattr(config, "_NUM_THREADS", 1 if config.num_threads() > 1 else 3)
    other = _all_kernels(np.random.default_rng(12))
    for a, b in zip(many, other):
        assert a.tobytes() == b.tobytes()


def test_num_threads_setting(monkeypatch):
    monkeypatch.setattr(config, "_NUM_THREADS", config.num_threads())
    config.set_num_threads(3)
    assert config.num_threads() == 3
    with pytest.raises(ValueError, match="positive integer"):
        config.set_num_threads(0)


# ---- the backend switch ------------------------------------------------------------------

def test_set_backend_switches_and_rejects_unknown_names(monkeypatch):
    monkeypatch.setattr(config, "_BACKEND", "numba")
    rng = np.random.default_rng(13)
    x, kernel = _rand(rng, (2, 6, 6, 3), np.float32), _rand(rng, (3, 3, 3, 4), np.float32)
    ref = reference.conv2d_forward(x, kernel, None, (1, 1), "valid")
    config.set_backend("numpy")
    assert config.backend() == "numpy"
    np.testing.assert_array_equal(conv.conv2d_forward(x, kernel, None, (1, 1), "valid"), ref)  # the same code
    config.set_backend("numba")
    assert config.backend() == "numba"
    with pytest.raises(ValueError, match="unknown backend 'cuda'"):
        config.set_backend("cuda")


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_backend_environment_variable():
    code = "import sys, minidl; print(minidl.config.backend(), 'numba' in sys.modules)"
    assert _python(code, MINIDL_BACKEND="numpy").stdout.split() == ["numpy", "False"]
    # the default is Numba, and importing minidl does not import it (kernels load lazily)
    env = {k: v for k, v in os.environ.items() if k != "MINIDL_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.stdout.split() == ["numba", "False"]
    bad = _python(code, MINIDL_BACKEND="gpu")
    assert bad.returncode != 0 and "MINIDL_BACKEND='gpu' names no minidl backend" in bad.stderr
    # the allocator tuning is opt-in: not applied by import minidl nor by a Numba kernel
    code = ("import minidl, numpy as np; from minidl.ops.numba import memory as m; a = m._applied; "
            "minidl.ops.bias_grad(np.ones((300, 3))); print(a, m._applied)")
    env.pop("MINIDL_MALLOC_TUNING", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.stdout.split() == ["None", "None"], out.stderr
    assert _python(code, MINIDL_MALLOC_TUNING="1").stdout.split() == ["None", "True"]


def test_a_training_step_agrees_between_backends(monkeypatch):
    """The MNIST conv net shape in miniature: one SGD step from the same weights."""
    import minidl
    from minidl import layers

    def step(backend):
        monkeypatch.setattr(config, "_BACKEND", backend)
        config.set_random_seed(0)
        model = minidl.Sequential([minidl.Input((12, 12, 1)), layers.Conv2D(6, 5, activation="relu"),
                                   layers.MaxPooling2D(2), layers.Conv2D(4, 3, activation="relu", padding="same"),
                                   layers.Flatten(), layers.Dense(10, activation="softmax")])
        model.compile(minidl.optimizers.SGD(0.1), "categorical_crossentropy")
        rng = np.random.default_rng(14)
        x = rng.random((8, 12, 12, 1)).astype(np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 8)]
        loss = model.train_on_batch(x, y)
        return loss, model.get_weights()

    loss_nb, w_nb = step("numba")
    loss_np, w_np = step("numpy")
    assert loss_nb == pytest.approx(loss_np, rel=1e-5)
    for a, b in zip(w_nb, w_np):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_kernel_pool_runs_every_task_once_and_reraises(monkeypatch):
    monkeypatch.setattr(config, "_NUM_THREADS", 2)
    hits = np.zeros(40, dtype=int)

    def task(i):
        hits[i] += 1

    _threads.run([lambda i=i: task(i) for i in range(40)])
    assert (hits == 1).all()

    def bad():
        raise RuntimeError("task failed")

    with pytest.raises(RuntimeError, match="task failed"):
        _threads.run([bad, lambda: None, bad])
    assert _threads.split(10, 3) == [(0, 3), (3, 6), (6, 10)] and _threads.split(5, 100) == [(0, 5)]


def test_kernel_pool_backs_off_when_helpers_do_not_pay(monkeypatch):
    """A caller that mostly waits for its helpers switches to serial runs for a while."""
    monkeypatch.setattr(_threads, "_wait_share", 0.0)
    monkeypatch.setattr(_threads, "_serial_until", 0.0)
    for _ in range(3):
        _threads._note_wait(0.01, 0.1)  # waiting 10 % of the call: keep the helpers
    assert _threads._serial_until == 0.0
    for _ in range(5):
        _threads._note_wait(0.08, 0.1)  # waiting 80 %: back off
    assert _threads._serial_until > 0.0
    hits = []
    _threads.run([lambda: hits.append(1)] * 5)  # still runs everything, serially
    assert len(hits) == 5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bits, threshold", [(1, 1), (8, 64), (8, 1), (16, 13107), (32, 858993460), (8, 256)])
@pytest.mark.parametrize("shape", [(2, 1), (3, 21), (5, 64), (7, 13, 11), (300, 129)])
def test_dropout_apply_has_the_references_bits(monkeypatch, dtype, bits, threshold, shape):
    """One pass reading the words (any width, partial last word, every unit dropped when the
    threshold is 2**b) against the reference's bool mask, float mask and product; dropped
    inf and NaN give NaN, dropped negatives -0, as x · 0."""
    monkeypatch.setattr(config, "_BACKEND", "numba")
    monkeypatch.setattr(tuning, "SMALL", 0)
    rng = np.random.default_rng(19)
    x = _noncontiguous(_rand(rng, shape, dtype))
    x.reshape(-1)[:5] = [np.inf, -np.inf, np.nan, -0.0, -3.0][:x.size]
    words = rng.integers(0, 1 << 63, -(-x.size * bits // 64), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    with np.errstate(invalid="ignore"):
        y, y_ref = (ops.dropout_apply(x, words, bits, threshold, 1 / 0.7),
                    ops.dropout_apply.reference(x, words, bits, threshold, 1 / 0.7))
    assert y.shape == x.shape and y.dtype == x.dtype
    assert y.tobytes() == y_ref.tobytes()
