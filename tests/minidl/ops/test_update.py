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


# ---- the guard's backup and finiteness flag (Optimizer.apply_guarded) ----------------------

def _guarded_case(op, backend, dtype, n, momentum=0.0, nesterov=False, l2=1e-3, poison=False):
    """(new param, slots, backups, flag) of one guarded call, and the same of the unguarded reference."""
    rng = np.random.default_rng(3)
    p0, g = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    if poison:
        g[n // 2] = np.inf
    slots0 = [rng.random(n).astype(dtype) for _ in range(2 if op == "adam" else int(bool(momentum)))]
    previous = config.backend()
    config.set_backend(backend)
    try:
        p, slots = p0.copy(), [s.copy() for s in slots0]
        backup = tuple(np.full_like(p, 7) for _ in range(1 + len(slots)))
        with np.errstate(over="ignore", invalid="ignore"):
            if op == "adam":
                flag = ops.adam_update(p, g, *slots, 0.01, 4, l2, backup=backup)
                ref_p, ref_s = p0.copy(), [s.copy() for s in slots0]
                ops.adam_update.reference(ref_p, g, *ref_s, 0.01, 4, l2)
            else:
                m = slots[0] if slots else None
                flag = ops.sgd_update(p, g, 0.05, l2, m, momentum, nesterov, backup=backup)
                ref_p, ref_s = p0.copy(), [s.copy() for s in slots0]
                ops.sgd_update.reference(ref_p, g, 0.05, l2, ref_s[0] if ref_s else None, momentum, nesterov)
    finally:
        config.set_backend(previous)
    return (p, slots, backup, flag), (ref_p, ref_s, (p0, *slots0))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("n", [7, 5000, 1_000_003])  # reference, one block, several blocks
@pytest.mark.parametrize("case", [("sgd", 0.0, False, 0.0), ("sgd", 0.0, False, 1e-3), ("sgd", 0.9, False, 1e-3),
                                  ("sgd", 0.9, True, 0.0), ("adam", 0.0, False, 1e-3), ("adam", 0.0, False, 0.0)])
@pytest.mark.parametrize("poison", [False, True])
def test_guarded_update_same_bits_backup_and_flag(backend, n, case, poison):
    op, momentum, nesterov, l2 = case
    dtype = np.float32
    (p, slots, backup, flag), (ref_p, ref_s, old) = _guarded_case(op, backend, dtype, n, momentum, nesterov, l2,
                                                                 poison)
    np.testing.assert_array_equal(p, ref_p)            # the same bits as the unguarded update
    for s, r in zip(slots, ref_s):
        np.testing.assert_array_equal(s, r)
    assert len(backup) == len(old)
    for b, o in zip(backup, old):                       # the old values, weight first
        np.testing.assert_array_equal(b, o)
    assert flag is (not poison) and flag == bool(np.isfinite(p).all())


def test_guarded_flag_sees_an_overflow_of_finite_values():
    """Every new weight finite but their sum overflows: still finite (the reference's fallback)."""
    p = np.full(300, 3e38, np.float32)
    b = (np.empty_like(p),)
    with np.errstate(over="ignore"):
        assert ops.sgd_update.reference(p, np.zeros_like(p), 0.1, backup=b) is True
        p[0] = np.nan
        assert ops.sgd_update.reference(p, np.zeros_like(p), 0.1, backup=b) is False


@pytest.mark.parametrize("make", OPTIMIZERS + [lambda: optimizers.Adam(0.01, amsgrad=True),
                                               lambda: optimizers.RMSprop(0.01)])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_apply_guarded_equals_apply_and_undoes_exactly(make, backend):
    """A good step: apply_guarded gives apply's bits. A step that overflows one weight: every
    weight, slot (a slot made by that step included) and iterations are as before."""
    rng = np.random.default_rng(4)
    shapes = [(300, 70), (70,), (5, 3)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    previous = config.backend()
    config.set_backend(backend)
    try:
        a_opt, b_opt = make(), make()
        a, b = [p.copy() for p in start], [p.copy() for p in start]
        for _ in range(3):
            grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
            a_opt.apply([(i, p, g) for i, (p, g) in enumerate(zip(a, grads))], l2={0: 1e-3})
            assert b_opt.apply_guarded([(i, p, g) for i, (p, g) in enumerate(zip(b, grads))], l2={0: 1e-3}) is None
        for pa, pb in zip(a, b):
            np.testing.assert_array_equal(pa, pb)
        before, state = [p.copy() for p in b], b_opt.get_state()
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        grads[1][3] = np.inf
        b_opt.learning_rate = 1e30
        extra = [np.ones((4,), np.float32)]  # a weight first seen in the failing step: its slots go too
        keys = [(i, p, g) for i, (p, g) in enumerate(zip(b + extra, grads + [np.ones(4, np.float32)]))]
        assert b_opt.apply_guarded(keys) == 1
    finally:
        config.set_backend(previous)
    for p, o in zip(b, before):
        np.testing.assert_array_equal(p, o)
    after = b_opt.get_state()
    assert after["iterations"] == state["iterations"] == 3
    assert after["slots"].keys() == state["slots"].keys()
    for k in state["slots"]:
        assert after["slots"][k].keys() == state["slots"][k].keys()
        for name in state["slots"][k]:
            np.testing.assert_array_equal(after["slots"][k][name], state["slots"][k][name])
