"""Conv + max-pool fusion: the fused node equals the two layers' unfused path."""
import numpy as np
import pytest

import minidl
from minidl import config, ops
from minidl.models.fuse import FusedNode


def _unfused(layer_conv, layer_pool, x, dy, need_dx=True):
    y1, c1 = layer_conv.forward(x)
    y2, c2 = layer_pool.forward(y1)
    d1, _ = layer_pool.backward(c2, dy)
    dx, grads = layer_conv.backward(c1, d1, need_dx)
    return y2, dx, grads


CASES = [  # rank, input spatial, cin, filters, kernel, strides, padding, activation, pool, pool strides, pool padding
    (2, (9, 11), 1, 5, 3, 1, "valid", "relu", 2, None, "valid"),
    (2, (10, 7), 3, 4, (3, 2), (2, 1), "same", "tanh", (3, 2), (2, 2), "same"),
    (2, (8, 8), 6, 3, 2, 1, "same", "sigmoid", 3, 1, "valid"),
    (2, (7, 9), 2, 3, 3, 2, "valid", "linear", 2, 1, "same"),
    (1, (23,), 5, 4, 4, 1, "same", "relu", 2, None, "valid"),
    (1, (17,), 3, 6, 3, 2, "valid", "tanh", 3, 2, "same"),
    (2, (9, 10), 4, 3, 2, 1, "valid", "tanh", 2, None, "valid"),  # tiling pools, a cell left over
    # one input channel: the transposed-columns path (strides, padding on every side)
    (2, (10, 9), 1, 4, (3, 4), (2, 3), "same", "relu", 2, None, "valid"),
    (2, (7, 8), 1, 2, 3, (1, 2), "valid", "sigmoid", 2, 1, "same"),
    (1, (15,), 1, 3, 4, 2, "same", "linear", 2, 1, "valid"),
]


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_saturated_windows_keep_the_first_winner(activation):
    """Different sums that tanh or sigmoid round to one value (1.0 above ~9 / ~17 in float32):
    the fused op activates before it pools, so the first such cell wins, as in the unfused
    layers; pooling the sums first would pick the largest sum and route its gradient elsewhere."""
    L = minidl.layers
    conv = L.Conv2D(1, 1, activation=activation)  # a 1×1 conv of weight 1: z is x exactly
    pool_layer = L.MaxPooling2D(2)
    conv.build((None, 4, 6, 1))
    conv.params["kernel"][...] = 1
    conv.params["bias"][...] = 0
    rng = np.random.default_rng(1)
    x = (30 + 10 * rng.random((2, 4, 6, 1))).astype(np.float32)  # every window saturated, sums all different
    x[0, 0, 1, 0] = -3  # one window with a clear maximum elsewhere
    dy = rng.standard_normal((2, 2, 3, 1)).astype(np.float32)
    y_ref, dx_ref, g_ref = _unfused(conv, pool_layer, x, dy)
    from minidl.models.fuse import FusedConvPool
    y, cache = FusedConvPool(conv, pool_layer).forward(x)
    dx, grads = FusedConvPool(conv, pool_layer).backward(cache, dy)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(dx, dx_ref)
    for name in g_ref:
        np.testing.assert_array_equal(grads[name], g_ref[name])
    assert (y == 1).all()
    # the saturated gradient is 0 whichever cell won, so compare the winners themselves
    a = getattr(ops, activation).reference(x)
    _, argmax_ref = ops.max_pool_with_argmax.reference(a, (2, 2), (2, 2), "valid")
    saved = cache[0]
    argmax = saved.argmax if hasattr(saved, "argmax") else saved[3]
    np.testing.assert_array_equal(argmax, argmax_ref)
    assert argmax_ref[0, 0, 0, 0] == 0 and argmax_ref[1, 0, 0, 0] == 0  # ties: the first cell


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("batch", [1, 3])
def test_fused_op_equals_unfused_layers(case, dtype, tol, batch):
    rank, spatial, cin, filters, k, s, pad, act, pool, pst, ppad = case
    L = minidl.layers
    previous = config.floatx()
    config.set_floatx(dtype)
    try:
        conv = (L.Conv2D if rank == 2 else L.Conv1D)(filters, k, s, pad, activation=act)
        pool_layer = (L.MaxPooling2D if rank == 2 else L.MaxPooling1D)(pool, pst, ppad)
        conv.build((None, *spatial, cin))
    finally:
        config.set_floatx(previous)
    rng = np.random.default_rng(0)
    conv.params["bias"][...] = rng.standard_normal(filters)
    big = rng.standard_normal((batch, *spatial, 2 * cin)).astype(dtype)
    x = big[..., ::2]  # non-contiguous
    y_ref, dx_ref, g_ref = None, None, None
    out_shape = pool_layer.compute_output_shape(conv.compute_output_shape((None, *spatial, cin)))
    dy = rng.standard_normal((batch, *out_shape[1:])).astype(dtype)
    y_ref, dx_ref, g_ref = _unfused(conv, pool_layer, x, dy)
    from minidl.models.fuse import FusedConvPool
    fused = FusedConvPool(conv, pool_layer)
    y, cache = fused.forward(x)
    dx, grads = fused.backward(cache, dy)
    np.testing.assert_allclose(y, y_ref, rtol=tol, atol=tol)
    np.testing.assert_allclose(dx, dx_ref, rtol=tol, atol=tol)
    for key in ("kernel", "bias"):
        np.testing.assert_allclose(grads[key], g_ref[key], rtol=tol, atol=tol)
    assert fused.backward(cache, dy, need_dx=False)[0] is None


def _model(fusion: bool):
    config.set_fusion(fusion)
    config.set_random_seed(0)
    L = minidl.layers
    inp = minidl.Input((13, 12, 2))
    h = L.Conv2D(4, 3, activation="relu", padding="same")(inp)
    h = L.MaxPooling2D(2)(h)
    h = L.Conv2D(3, 2, activation="tanh")(h)
    side = L.Flatten()(h)  # read by two layers: not fused
    h = L.MaxPooling2D(2, padding="same")(h)
    out = L.Dense(3, activation="softmax")(L.Concatenate()([L.Flatten()(h), side]))
    model = minidl.Model(inp, out)
    model.compile(minidl.optimizers.SGD(0.05, momentum=0.9), "categorical_crossentropy")
    return model


@pytest.mark.parametrize("threads", [1, 2])
def test_model_with_and_without_fusion_trains_to_the_same_weights(float64, threads):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20, 13, 12, 2))
    y = np.eye(3)[rng.integers(0, 3, 20)]
    before_threads, before_fusion = config.num_threads(), config.fusion()
    config.set_num_threads(threads)
    try:
        fused = _model(True)
        assert sum(isinstance(n, FusedNode) for n in fused.graph.run_nodes) == 1
        fused.fit(x, y, batch_size=7, epochs=2, verbose=0, shuffle=False)
        plain = _model(False)
        assert not any(isinstance(n, FusedNode) for n in plain.graph.run_nodes)
        plain.fit(x, y, batch_size=7, epochs=2, verbose=0, shuffle=False)
    finally:
        config.set_num_threads(before_threads)
        config.set_fusion(before_fusion)
    for a, b in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_shape, k_shape, padding, pool", [
    ((16, 28, 28, 1), (5, 5, 1, 30), "valid", (2, 2)),    # MNIST conv1: transposed columns
    ((40, 12, 12, 30), (3, 3, 30, 10), "valid", (2, 2)),  # MNIST conv2: tap products, dz columns
    ((24, 1, 400, 50), (1, 4, 50, 16), "same", (1, 2)),   # IMDB Conv1D as a height-1 image
])
def test_same_bits_for_one_and_two_threads(x_shape, k_shape, padding, pool):
    """Several chunks per call (the batch is larger than one L2-sized chunk), run by one
    thread and by two: the same bits."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(x_shape).astype(np.float32)
    k = rng.standard_normal(k_shape).astype(np.float32)
    b = rng.standard_normal(k_shape[-1]).astype(np.float32)
    out = []
    previous = config.num_threads()
    try:
        for t in (1, 2):
            config.set_num_threads(t)
            y, saved = ops.conv_bias_act_max_pool(x, k, b, (1, 1), padding, "relu", pool, pool, "valid")
            assert type(saved).__name__ == "ConvSaved"  # the Numba kernel ran, not the reference
            dy = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
            out.append((y, *ops.conv_bias_act_max_pool_backward(saved, dy, x, k, True, (1, 1), padding, "relu",
                                                                 pool, pool, "valid")))
    finally:
        config.set_num_threads(previous)
    for a, c in zip(*out):
        np.testing.assert_array_equal(a, c)


def test_switch():
    with pytest.raises(TypeError, match="set_fusion"):
        config.set_fusion("no")
