"""The fused optimizer updates (L2 penalty folded in) against the unfused path, bit for bit."""
import numpy as np
import pytest

import minidl
from minidl import config, ops, optimizers, regularizers
from minidl.ops import registry


def _unfused_step(opt, params, grads, l2s):
    """The trainer's old path: grad += 2·l2·w (the regularizer), then opt.apply."""
    gs = [g.copy() for g in grads]
    for p, g, l2 in zip(params, gs, l2s):
        if l2:
            regularizers.L2(l2).add_gradient(p, g)
    opt.apply([(i, p, g) for i, (p, g) in enumerate(zip(params, gs))])


def _fused_step(opt, params, grads, l2s):
    gs = [g.copy() for g in grads]
    opt.apply([(i, p, g) for i, (p, g) in enumerate(zip(params, gs))],
              l2={i: l2 for i, l2 in enumerate(l2s) if l2})
    for g, g0 in zip(gs, grads):
        assert np.array_equal(g, g0)  # the gradient is not changed


OPTIMIZERS = [lambda: optimizers.SGD(0.05), lambda: optimizers.SGD(0.05, momentum=0.9),
              lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True), lambda: optimizers.Adam(0.01)]


@pytest.mark.parametrize("make", OPTIMIZERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_fused_update_same_bits_after_steps(make, dtype, backend):
    rng = np.random.default_rng(0)
    shapes = [(300, 70), (70,), (5, 3), (100_000,)]  # tiny and large (several blocks) weights
    l2s = [1e-3, 0.0, 0.02, 1e-4]
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    previous = config.backend()
    config.set_backend(backend)
    try:
        a_opt, b_opt = make(), make()
        assert a_opt.folds_l2()
        a, b = [p.copy() for p in start], [p.copy() for p in start]
        for _ in range(6):
            grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
            _unfused_step(a_opt, a, grads, l2s)
            _fused_step(b_opt, b, grads, l2s)
    finally:
        config.set_backend(previous)
    for pa, pb in zip(a, b):
        assert pa.dtype == dtype
        np.testing.assert_array_equal(pa, pb)
    for key, slots in a_opt.get_state()["slots"].items():
        for name, arr in slots.items():
            np.testing.assert_array_equal(arr, b_opt.get_state()["slots"][key][name])


def test_numba_kernel_is_selected_and_equals_reference():
    rng = np.random.default_rng(1)
    p = rng.standard_normal(5000).astype(np.float32)
    g = rng.standard_normal(5000).astype(np.float32)
    m, v = np.zeros_like(p), np.zeros_like(p)
    previous = config.backend()
    config.set_backend("numba")
    try:
        assert registry.select("adam_update", (p, g, m, v)) == "numba"
        p2, m2, v2 = p.copy(), m.copy(), v.copy()
        ops.adam_update(p, g, m, v, 0.01, 3, 1e-3)
        ops.adam_update.reference(p2, g, m2, v2, 0.01, 3, 1e-3)
    finally:
        config.set_backend(previous)
    np.testing.assert_array_equal(p, p2)
    np.testing.assert_array_equal(v, v2)


def test_optimizer_that_cannot_fold_adds_the_penalty_first():
    """Clipping acts on grad + penalty: apply(l2=) then adds it before clipping (the old bits)."""
    rng = np.random.default_rng(2)
    p0 = rng.standard_normal((40, 30))
    g = rng.standard_normal((40, 30))
    a, b = optimizers.SGD(0.1, clipnorm=0.5), optimizers.SGD(0.1, clipnorm=0.5)
    assert not a.folds_l2()
    pa, pb = p0.copy(), p0.copy()
    _unfused_step(a, [pa], [g], [0.01])
    _fused_step(b, [pb], [g], [0.01])
    np.testing.assert_array_equal(pa, pb)
    assert not optimizers.Adam(amsgrad=True).folds_l2() and not optimizers.RMSprop().folds_l2()


def test_l2_factor_only_for_pure_l2():
    assert regularizers.l2_factor(regularizers.L2(0.1)) == 0.1
    assert regularizers.l2_factor(regularizers.L1L2(l1=0.1, l2=0.1)) is None
    assert regularizers.l2_factor(regularizers.L1(0.1)) is None

    class Custom(regularizers.L2):
        def add_gradient(self, w, out):
            out += 3 * w
    assert regularizers.l2_factor(Custom(0.1)) is None


@pytest.mark.parametrize("opt", ["sgd", "adam"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_model_trains_to_the_same_weights_with_folding(opt, dtype, monkeypatch):
    """The trainer hands L2 to the optimizer; forcing the old path gives the same weights."""
    def train(fold: bool):
        config.set_floatx(dtype)
        minidl.config.set_random_seed(3)
        L = minidl.layers
        model = minidl.Sequential([minidl.Input((30,)), L.Dense(20, activation="sigmoid",
                                   kernel_regularizer=regularizers.L2(1e-3)),
                                   L.Dense(4, kernel_regularizer=regularizers.L2(1e-2))])
        optimizer = optimizers.SGD(0.05, momentum=0.5) if opt == "sgd" else optimizers.Adam(0.01)
        if not fold:
            monkeypatch.setattr(optimizer, "folds_l2", lambda: False)
        model.compile(optimizer, "mse")
        rng = np.random.default_rng(4)
        x, y = rng.standard_normal((64, 30)), rng.standard_normal((64, 4))
        model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
        assert bool(model._folded_l2) == fold  # the penalties went to the optimizer, or not
        return model.get_weights()

    previous = config.floatx()
    try:
        folded, unfused = train(True), train(False)
    finally:
        config.set_floatx(previous)
    for a, b in zip(folded, unfused):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)
