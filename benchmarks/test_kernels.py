"""Kernel timings at the report's shapes: minidl Numba, minidl NumPy reference, TensorFlow.

Run with ``python -m pytest benchmarks --benchmark-only``. Each case is one
``benchmark.group`` holding the three versions; the session ends with a
table of ratios (see ``conftest.py``). TensorFlow ops run inside a
``tf.function`` (the graph Keras runs), backward through ``tf.GradientTape``
with the same upstream gradient, returning the same gradients minidl does.

Shapes (float32, channels last):

* dense 50×3072→100 and 128×3072→100, sigmoid: forward + backward;
* MNIST conv1 28×28×1 → 30 5×5 'valid' and conv2 12×12×30 → 10 3×3 'valid', batch 100;
* IMDB Conv1D 400×50 → 16, k 4, 'same', batch 50;
* VGG-like 32×32×64 → 64 3×3 'same', batch 32;
* 2×2 max pooling of each conv output;
* the IMDB embedding lookup, 10000×50 table, batch 50 × 400 ids;
* IMDB's first Dropout (rates 0.5 and 0.2) on 50×400×50.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from types import SimpleNamespace

import numpy as np
import pytest

from minidl import activations, config
from minidl import ops
from minidl.ops.padding import output_length


# The timings below were written against the old minidl.kernels API; these adapters map it
# onto minidl.ops (dispatched: Numba when the backend is "numba") and the ops' NumPy references.
def _biased(z, b):
    return z if b is None else z + b


act_kernels = SimpleNamespace(forward=lambda z, b, act: ops.bias_activation(z, b, act.name),
                              backward=lambda act, z, y, dy: ops.bias_activation_backward(act.name, z, y, dy))
dense = SimpleNamespace(matmul=ops.matmul, backward=lambda x, w, dz, use_bias, need_dx=True: (
    ops.matmul(dz, w.T) if need_dx else None, ops.matmul(x.T, dz), ops.bias_grad(dz) if use_bias else None))
conv = SimpleNamespace(
    conv2d_forward=lambda x, k, b, s, p: _biased(ops.conv(x, k, s, p), b),
    conv2d_backward=lambda x, k, dz, s, p, use_bias: (*ops.conv_backward(x, k, dz, s, p),
                                                      ops.bias_grad(dz) if use_bias else None))
conv.conv1d_forward, conv.conv1d_backward = conv.conv2d_forward, conv.conv2d_backward
pool = SimpleNamespace(maxpool2d_forward=ops.max_pool_with_argmax, maxpool1d_forward=ops.max_pool_with_argmax,
                       maxpool2d_backward=ops.max_pool_backward, maxpool1d_backward=ops.max_pool_backward)
embedding = SimpleNamespace(forward=ops.embedding_lookup, backward=ops.embedding_scatter_add)
reference = SimpleNamespace(
    conv2d_forward=lambda x, k, b, s, p: _biased(ops.conv.reference(x, k, s, p), b),
    conv2d_backward=lambda x, k, dz, s, p, use_bias: (*ops.conv_backward.reference(x, k, dz, s, p),
                                                      dz.reshape(-1, dz.shape[-1]).sum(axis=0) if use_bias else None),
    maxpool2d_forward=ops.max_pool_with_argmax.reference, maxpool1d_forward=ops.max_pool_with_argmax.reference,
    maxpool2d_backward=ops.max_pool_backward.reference, maxpool1d_backward=ops.max_pool_backward.reference,
    embedding_forward=ops.embedding_lookup.reference, embedding_backward=ops.embedding_scatter_add.reference)
reference.conv1d_forward, reference.conv1d_backward = reference.conv2d_forward, reference.conv2d_backward

IMPLS = ["minidl-numba", "minidl-numpy", "tensorflow"]


@pytest.fixture(scope="module")
def tf():
    tf = pytest.importorskip("tensorflow")
    return tf


def _rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _run(benchmark, impl: str, group: str, fns: dict[str, Callable[[], object]], flops: float) -> None:
    """Time ``fns[impl]`` under ``group``; minidl versions run with their backend selected."""
    benchmark.group = group
    benchmark.extra_info["flops"] = flops
    benchmark.extra_info["impl"] = impl
    previous = config.backend()
    config.set_backend("numpy" if impl == "minidl-numpy" else "numba")
    try:
        fn = fns[impl]
        fn()  # compile / trace outside the timing
        benchmark.pedantic(fn, rounds=7, iterations=1, warmup_rounds=1)
    finally:
        config.set_backend(previous)


# ---- dense --------------------------------------------------------------------------

def _dense_minidl(x, w, b, dy):
    """Forward (matmul, bias + sigmoid) and backward (sigmoid', dense backward) as Dense runs them."""
    z, y = act_kernels.forward(dense.matmul(x, w), b, activations.sigmoid)
    dz = act_kernels.backward(activations.sigmoid, z, y, dy)
    return dense.backward(x, w, dz, True)


@pytest.mark.parametrize("n", [50, 128])
@pytest.mark.parametrize("impl", IMPLS)
def test_dense_forward_backward(benchmark, request, impl, n):
    x, w, b, dy = _rand((n, 3072)), _rand((3072, 100), 1) * 0.02, _rand((100,), 2), _rand((n, 100), 3)
    fns = {"minidl-numba": lambda: _dense_minidl(x, w, b, dy),
           "minidl-numpy": lambda: _dense_minidl(x, w, b, dy)}
    if impl == "tensorflow":
        tf = request.getfixturevalue("tf")
        tx, tw, tb, tdy = (tf.constant(a) for a in (x, w, b, dy))

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                tape.watch([tx, tw, tb])
                y = tf.sigmoid(tf.matmul(tx, tw) + tb)
            return tape.gradient(y, [tx, tw, tb], output_gradients=tdy)

        fns["tensorflow"] = lambda: [g.numpy() for g in step()]
    _run(benchmark, impl, f"dense {n}x3072x100 fwd+bwd", fns, 3 * 2 * n * 3072 * 100)


# ---- convolutions ---------------------------------------------------------------------

@dataclass(frozen=True)
class ConvCase:
    name: str
    x: tuple[int, ...]       # (n, h, w, cin) or (n, length, cin)
    kernel: tuple[int, ...]  # (kh, kw, cin, cout) or (k, cin, cout)
    padding: str

    @property
    def rank(self) -> int:
        return len(self.x) - 2

    def macs(self) -> int:
        """Multiply-adds of the forward pass (stride 1)."""
        out = math.prod(output_length(n, k, 1, self.padding) for n, k in zip(self.x[1:-1], self.kernel[:-2]))
        return self.x[0] * out * math.prod(self.kernel)


CONV_CASES = [
    ConvCase("mnist conv1 28x28x1->30 5x5", (100, 28, 28, 1), (5, 5, 1, 30), "valid"),
    ConvCase("mnist conv2 12x12x30->10 3x3", (100, 12, 12, 30), (3, 3, 30, 10), "valid"),
    ConvCase("imdb conv1d 400x50->16 k4 same", (50, 400, 50), (4, 50, 16), "same"),
    ConvCase("vgg conv 32x32x64->64 3x3 same", (32, 32, 32, 64), (3, 3, 64, 64), "same"),
]


def _conv_fns(case: ConvCase, tf_module, direction: str):
    x, k, b = _rand(case.x), _rand(case.kernel, 1) * 0.1, _rand(case.kernel[-1:], 2)
    if case.rank == 2:
        fwd = {"numba": lambda: conv.conv2d_forward(x, k, b, (1, 1), case.padding),
               "numpy": lambda: reference.conv2d_forward(x, k, b, (1, 1), case.padding)}
    else:
        fwd = {"numba": lambda: conv.conv1d_forward(x, k, b, 1, case.padding),
               "numpy": lambda: reference.conv1d_forward(x, k, b, 1, case.padding)}
    dz = _rand(fwd["numpy"]().shape, 3)
    if case.rank == 2:
        bwd = {"numba": lambda: conv.conv2d_backward(x, k, dz, (1, 1), case.padding, True),
               "numpy": lambda: reference.conv2d_backward(x, k, dz, (1, 1), case.padding, True)}
    else:
        bwd = {"numba": lambda: conv.conv1d_backward(x, k, dz, 1, case.padding, True),
               "numpy": lambda: reference.conv1d_backward(x, k, dz, 1, case.padding, True)}
    chosen = fwd if direction == "fwd" else bwd
    fns = {"minidl-numba": chosen["numba"], "minidl-numpy": chosen["numpy"]}
    if tf_module is not None:
        tf = tf_module
        tx, tk, tb, tdz = (tf.constant(a) for a in (x, k, b, dz))
        op = tf.nn.conv2d if case.rank == 2 else tf.nn.conv1d
        pad = case.padding.upper()

        def forward(xx, kk, bb):
            return tf.nn.bias_add(op(xx, kk, 1, pad), bb)

        @tf.function
        def tf_fwd():
            return forward(tx, tk, tb)

        @tf.function
        def tf_bwd():
            with tf.GradientTape() as tape:
                tape.watch([tx, tk, tb])
                y = forward(tx, tk, tb)
            return tape.gradient(y, [tx, tk, tb], output_gradients=tdz)

        fns["tensorflow"] = ((lambda: tf_fwd().numpy()) if direction == "fwd"
                             else (lambda: [g.numpy() for g in tf_bwd()]))
    return fns


@pytest.mark.parametrize("direction", ["fwd", "bwd"])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: c.name.split()[0] + "-" + c.name.split()[1])
@pytest.mark.parametrize("impl", IMPLS)
def test_conv(benchmark, request, impl, case, direction):
    tf = request.getfixturevalue("tf") if impl == "tensorflow" else None
    flops = 2 * case.macs() * (1 if direction == "fwd" else 2)  # backward: dx and dW
    _run(benchmark, impl, f"{case.name} {direction}", _conv_fns(case, tf, direction), flops)


# ---- max pooling ----------------------------------------------------------------------

POOL_CASES = [("mnist pool1 24x24x30", (100, 24, 24, 30)), ("mnist pool2 10x10x10", (100, 10, 10, 10)),
              ("imdb pool1d 400x16", (50, 400, 16)), ("vgg pool 32x32x64", (32, 32, 32, 64))]


@pytest.mark.parametrize("direction", ["fwd", "bwd"])
@pytest.mark.parametrize("name, shape", POOL_CASES, ids=[c[0].split()[1] + "-" + c[0].split()[0] for c in POOL_CASES])
@pytest.mark.parametrize("impl", IMPLS)
def test_maxpool(benchmark, request, impl, name, shape, direction):
    x = _rand(shape)
    two_d = len(shape) == 4
    if two_d:
        fwd = {"numba": lambda: pool.maxpool2d_forward(x, (2, 2), (2, 2), "valid"),
               "numpy": lambda: reference.maxpool2d_forward(x, (2, 2), (2, 2), "valid")}
    else:
        fwd = {"numba": lambda: pool.maxpool1d_forward(x, 2, 2, "valid"),
               "numpy": lambda: reference.maxpool1d_forward(x, 2, 2, "valid")}
    config.set_backend("numba")
    y, argmax_nb = fwd["numba"]()
    _, argmax_np = fwd["numpy"]()
    dy = _rand(y.shape, 1)
    if two_d:
        bwd = {"numba": lambda: pool.maxpool2d_backward(dy, argmax_nb, x.shape, (2, 2), (2, 2), "valid"),
               "numpy": lambda: reference.maxpool2d_backward(dy, argmax_np, x.shape, (2, 2), (2, 2), "valid")}
    else:
        bwd = {"numba": lambda: pool.maxpool1d_backward(dy, argmax_nb, x.shape, 2, 2, "valid"),
               "numpy": lambda: reference.maxpool1d_backward(dy, argmax_np, x.shape, 2, 2, "valid")}
    chosen = fwd if direction == "fwd" else bwd
    fns = {"minidl-numba": chosen["numba"], "minidl-numpy": chosen["numpy"]}
    if impl == "tensorflow":
        tf = request.getfixturevalue("tf")
        tx, tdy = tf.constant(x), tf.constant(dy)
        op = tf.nn.max_pool2d if two_d else tf.nn.max_pool1d

        @tf.function
        def tf_fwd():
            return op(tx, 2, 2, "VALID")

        @tf.function
        def tf_bwd():
            with tf.GradientTape() as tape:
                tape.watch(tx)
                out = op(tx, 2, 2, "VALID")
            return tape.gradient(out, tx, output_gradients=tdy)

        fns["tensorflow"] = (lambda: tf_fwd().numpy()) if direction == "fwd" else (lambda: tf_bwd().numpy())
    _run(benchmark, impl, f"maxpool 2x2 {name} {direction}", fns, 0)


# ---- embedding ------------------------------------------------------------------------

@pytest.mark.parametrize("direction", ["fwd", "bwd"])
@pytest.mark.parametrize("impl", IMPLS)
def test_embedding(benchmark, request, impl, direction):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 10000, (50, 400))
    table, dy = _rand((10000, 50)), _rand((50, 400, 50), 1)
    if direction == "fwd":
        fns = {"minidl-numba": lambda: embedding.forward(ids, table),
               "minidl-numpy": lambda: reference.embedding_forward(ids, table)}
    else:
        fns = {"minidl-numba": lambda: embedding.backward(ids, dy, 10000),
               "minidl-numpy": lambda: reference.embedding_backward(ids, dy, 10000)}
    if impl == "tensorflow":
        tf = request.getfixturevalue("tf")
        tids, ttable, tdy = tf.constant(ids), tf.constant(table), tf.constant(dy)

        @tf.function
        def tf_fwd():
            return tf.gather(ttable, tids)

        @tf.function
        def tf_bwd():  # the dense gradient minidl returns: a segment sum into the table's shape
            return tf.math.unsorted_segment_sum(tf.reshape(tdy, (-1, 50)), tf.reshape(tids, (-1,)), 10000)

        fns["tensorflow"] = (lambda: tf_fwd().numpy()) if direction == "fwd" else (lambda: tf_bwd().numpy())
    _run(benchmark, impl, f"embedding 10000x50, 50x400 ids {direction}", fns, 0)


# ---- dropout ------------------------------------------------------------------------------

@pytest.mark.parametrize("rate", [0.5, 0.2])
@pytest.mark.parametrize("impl", IMPLS)
def test_dropout(benchmark, request, impl, rate):
    """IMDB's first Dropout (50×400×50), forward: the mask's words drawn and applied. minidl
    keeps the words for backward (the same op on dy); TensorFlow draws with its stateless
    generator and returns the scaled product (its backward multiplies by the kept mask)."""
    from minidl.layers import Dropout
    x = _rand((50, 400, 50))
    layer = Dropout(rate, seed=0)
    forward = lambda: layer.forward(x, training=True)[0]  # noqa: E731
    fns = {"minidl-numba": forward, "minidl-numpy": forward}
    if impl == "tensorflow":
        tf = request.getfixturevalue("tf")
        tx = tf.constant(x)

        @tf.function
        def tf_fwd():
            return tf.nn.experimental.stateless_dropout(tx, rate, seed=[1, 2])

        fns["tensorflow"] = lambda: tf_fwd().numpy()
    _run(benchmark, impl, f"dropout {rate} 50x400x50 fwd", fns, 0)


# ---- fused conv + bias + relu + max pool ----------------------------------------------

FUSED_CASES = [(c, pool) for c, pool in zip(CONV_CASES[:3], [(2, 2), (2, 2), 2])]


def _fused_fns(case: ConvCase, pool, direction: str) -> dict[str, Callable[[], object]]:
    """minidl's fused op, the unfused composition it replaces (conv, bias + relu, pool and
    their backward ops, on the Numba backend), and the NumPy reference of that composition."""
    x, k, b = _rand(case.x), _rand(case.kernel, 1) * 0.1, _rand(case.kernel[-1:], 2)
    strides = (1, 1) if case.rank == 2 else 1
    args = (strides, case.padding, "relu", pool, pool, "valid")
    fused, unfused = ops.conv_bias_act_max_pool, ops.conv_bias_act_max_pool.reference
    back, unback = ops.conv_bias_act_max_pool_backward, ops.conv_bias_act_max_pool_backward.reference
    dy = _rand(unfused(x, k, b, *args)[0].shape, 3)

    def both(fwd, bwd):
        def run():
            y, saved = fwd(x, k, b, *args)
            return y if direction == "fwd" else bwd(saved, dy, x, k, True, *args, need_dx=case.x[-1] > 1)
        return run

    return {"minidl-numba": both(fused, back), "minidl-unfused": both(unfused, unback),
            "minidl-numpy": both(unfused, unback)}


@pytest.mark.parametrize("direction", ["fwd", "fwd+bwd"])
@pytest.mark.parametrize("case, pool", FUSED_CASES, ids=[c.name.split()[0] + "-" + c.name.split()[1]
                                                         for c, _ in FUSED_CASES])
@pytest.mark.parametrize("impl", ["minidl-numba", "minidl-unfused", "minidl-numpy"])
def test_fused_conv_pool(benchmark, impl, case, pool, direction):
    """Conv + bias + relu + max pool as the fused node runs it, against the unfused ops
    (Numba) and their NumPy references; conv1's input gradient is skipped, as in training."""
    flops = 2 * case.macs() * (1 if direction == "fwd" else 3)
    _run(benchmark, impl, f"fused {case.name} + pool {direction}", _fused_fns(case, pool, direction), flops)
