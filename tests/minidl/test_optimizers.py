"""Optimizer updates against the update rules written out by hand."""
import numpy as np
import pytest

from minidl import optimizers


def _steps(opt, grads, w0):
    w = w0.copy()
    for g in grads:
        opt.apply([("w", w, g)])
    return w


GRADS = [np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.3, -0.7]), np.array([-0.4, 0.2, 0.9])]
W0 = np.array([1.0, -2.0, 0.5])


def test_plain_sgd():
    expected = W0 - 0.1 * sum(GRADS)
    np.testing.assert_allclose(_steps(optimizers.SGD(0.1), GRADS, W0), expected, rtol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_keras_form(nesterov):
    lr, mu = 0.1, 0.9
    w, m = W0.copy(), np.zeros(3)
    for g in GRADS:
        m = mu * m - lr * g
        w = w + (mu * m - lr * g if nesterov else m)
    np.testing.assert_allclose(_steps(optimizers.SGD(lr, momentum=mu, nesterov=nesterov), GRADS, W0), w,
                               rtol=1e-14)


def test_adam_bias_correction_and_epsilon_outside_sqrt():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w, m, v = W0.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - alpha * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(_steps(optimizers.Adam(lr), GRADS, W0), w, rtol=1e-13)


def test_rmsprop():
    lr, rho, eps = 0.01, 0.9, 1e-7
    w, v = W0.copy(), np.zeros(3)
    for g in GRADS:
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / np.sqrt(v + eps)
    np.testing.assert_allclose(_steps(optimizers.RMSprop(lr), GRADS, W0), w, rtol=1e-13)


def test_updates_stay_in_the_weight_dtype():
    w = W0.astype(np.float32)
    for opt in (optimizers.SGD(0.1, momentum=0.9), optimizers.Adam(), optimizers.RMSprop()):
        opt.apply([("w", w, GRADS[0].astype(np.float32))])
        assert w.dtype == np.float32


def test_keras_defaults():
    assert optimizers.SGD().learning_rate == 0.01
    adam = optimizers.get("adam")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="SGD: learning_rate must be a positive number"):
        optimizers.SGD(lr)


# ---- Keras parity: same weights, same gradients, a few steps -------------------------
# Hyper-parameters are exactly representable in float32: Keras turns Python
# constants into float32 before casting them to a float64 weight's dtype (see
# keras_parity_cases.py), and keeps the learning rate in a floatx variable.
LR = 2.0 ** -6
KERAS_CASES = [
    ("SGD", dict(learning_rate=LR)),
    ("SGD", dict(learning_rate=LR, momentum=0.875, nesterov=True)),
    ("Adam", dict(learning_rate=LR, beta_1=0.875, beta_2=0.9921875, epsilon=2.0 ** -20)),
    ("Adam", dict(learning_rate=LR, beta_1=0.875, beta_2=0.9921875, epsilon=2.0 ** -20, amsgrad=True)),
    ("AdamW", dict(learning_rate=LR, weight_decay=0.125, beta_1=0.875, beta_2=0.9921875, epsilon=2.0 ** -20)),
    ("RMSprop", dict(learning_rate=LR, rho=0.875, momentum=0.5, epsilon=2.0 ** -20, centered=True)),
    ("Adagrad", dict(learning_rate=LR, initial_accumulator_value=0.125, epsilon=2.0 ** -20)),
    ("Adadelta", dict(learning_rate=0.5, rho=0.875, epsilon=2.0 ** -20)),
    ("Adamax", dict(learning_rate=LR, beta_1=0.875, beta_2=0.9921875, epsilon=2.0 ** -20)),
    ("Nadam", dict(learning_rate=LR, beta_1=0.875, beta_2=0.9921875, epsilon=2.0 ** -20)),
    ("Lion", dict(learning_rate=LR, beta_1=0.875, beta_2=0.9921875)),
    ("Ftrl", dict(learning_rate=LR, initial_accumulator_value=0.125, l1_regularization_strength=0.0078125, l2_regularization_strength=0.25,
                  l2_shrinkage_regularization_strength=0.0625, beta=0.5)),
    ("SGD", dict(learning_rate=LR, momentum=0.5, clipnorm=0.75)),
    ("Adam", dict(learning_rate=LR, beta_1=0.875, beta_2=0.9921875, epsilon=2.0 ** -20, global_clipnorm=1.5)),
    ("RMSprop", dict(learning_rate=LR, clipvalue=0.25, weight_decay=0.0625)),
]


def _keras_run(keras, name, kwargs, weights, grads, dtype):
    opt = getattr(keras.optimizers, name)(**kwargs)
    variables = [keras.Variable(w, dtype=dtype) for w in weights]
    for step in grads:
        opt.apply([keras.ops.convert_to_tensor(g, dtype=dtype) for g in step], variables)
    return [np.asarray(v.numpy()) for v in variables]


def _minidl_run(name, kwargs, weights, grads, dtype):
    opt = getattr(optimizers, name)(**kwargs)
    ws = [w.astype(dtype) for w in weights]
    for step in grads:
        opt.apply([(i, w, g.astype(dtype)) for i, (w, g) in enumerate(zip(ws, step))])
    return ws, opt


@pytest.mark.keras
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 2e-6)])
@pytest.mark.parametrize("name,kwargs", KERAS_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(KERAS_CASES)])
def test_matches_keras_for_five_steps(name, kwargs, dtype, rtol):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(7)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    grads = [[rng.normal(size=w.shape) for w in weights] for _ in range(5)]
    ours, _ = _minidl_run(name, kwargs, weights, grads, dtype)
    theirs = _keras_run(keras, name, kwargs, weights, grads, dtype)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


@pytest.mark.keras
@pytest.mark.parametrize("schedule", [
    lambda s: s.ExponentialDecay(0.5, 3, 0.5),
    lambda s: s.PiecewiseConstantDecay([1, 3], [0.5, 0.25, 0.125]),
    lambda s: s.PolynomialDecay(0.5, 4, cycle=True),
    lambda s: s.InverseTimeDecay(0.5, 2, 0.5, staircase=True),
    lambda s: s.CosineDecay(0.25, 5, alpha=0.125, warmup_target=0.5, warmup_steps=2),
    lambda s: s.CosineDecayRestarts(0.5, 2, t_mul=2.0, m_mul=0.5, alpha=0.125),
])
def test_schedules_match_keras_and_drive_the_step(schedule):
    keras = pytest.importorskip("keras")
    ours, theirs = schedule(optimizers.schedules), schedule(keras.optimizers.schedules)
    for step in range(12):
        assert ours(step) == pytest.approx(float(theirs(step)), rel=1e-6)
    rng = np.random.default_rng(3)
    weights, grads = [rng.normal(size=(5,))], [[rng.normal(size=(5,))] for _ in range(6)]
    mine, opt = _minidl_run("SGD", dict(learning_rate=ours), weights, grads, "float64")
    keras_w = _keras_run(keras, "SGD", dict(learning_rate=theirs), weights, grads, "float64")
    np.testing.assert_allclose(mine[0], keras_w[0], rtol=1e-6)
    assert opt.learning_rate == pytest.approx(ours(6))


def test_schedule_serialization_round_trip():
    s = optimizers.schedules.CosineDecayRestarts(0.5, 2, t_mul=3.0)
    back = optimizers.schedules.deserialize(optimizers.schedules.serialize(s))
    assert type(back) is type(s) and back.get_config() == s.get_config()


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax",
                                  "nadam", "lion", "ftrl"])
def test_get_serialize_deserialize_round_trip(name):
    opt = optimizers.get(name)
    config = optimizers.serialize(opt)
    back = optimizers.deserialize(config)
    assert type(back) is type(opt) and back.get_config() == opt.get_config()
    assert optimizers.get(config).get_config() == opt.get_config()


@pytest.mark.keras
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
                                  "Lion", "Ftrl"])
def test_defaults_and_config_keys_match_keras(name):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.optimizers, name)().get_config()
    ours = getattr(optimizers, name)().get_config()
    keras_only = {"use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                  "gradient_accumulation_steps", "name"}
    for key in set(theirs) - keras_only:
        assert key in ours, key
        if key == "learning_rate":
            assert ours[key] == pytest.approx(theirs[key])
        else:
            assert ours[key] == theirs[key], key


def test_schedule_config_round_trip_through_the_optimizer():
    opt = optimizers.Adam(optimizers.schedules.ExponentialDecay(0.5, 10, 0.5))
    back = optimizers.Adam.from_config(opt.get_config())
    assert isinstance(back._learning_rate, optimizers.schedules.ExponentialDecay)
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        back.learning_rate = 0.1


@pytest.mark.parametrize("make,message", [
    (lambda: optimizers.Adam(beta_1=1.0), r"Adam: beta_1 must be a number in \[0, 1\), got 1.0"),
    (lambda: optimizers.Adam(beta_2=-0.1), r"Adam: beta_2 must be a number in \[0, 1\), got -0.1"),
    (lambda: optimizers.Adam(epsilon=0), r"Adam: epsilon must be a number in \(0, inf\), got 0"),
    (lambda: optimizers.RMSprop(rho=1), r"RMSprop: rho must be a number in \[0, 1\), got 1"),
    (lambda: optimizers.SGD(momentum=1.5), r"SGD: momentum must be a number in \[0, 1\], got 1.5"),
    (lambda: optimizers.Lion(beta_1=0), r"Lion: beta_1 must be a number in \(0, 1\], got 0"),
    (lambda: optimizers.Ftrl(learning_rate_power=0.5), r"Ftrl: learning_rate_power must be a number in"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1), r"Adagrad: initial_accumulator_value"),
    (lambda: optimizers.SGD(clipnorm=1, clipvalue=1), r"SGD: only one of clipnorm, clipvalue"),
    (lambda: optimizers.SGD(clipnorm=0), r"SGD: clipnorm must be a number in \(0, inf\), got 0"),
    (lambda: optimizers.Adam(learning_rate="fast"), r"Adam: learning_rate must be a positive number"),
    (lambda: optimizers.Adam(decay=0.1), r"Adam: argument\(s\) not recognized"),
])
def test_hyper_parameters_are_range_checked(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_state_round_trip_undoes_steps():
    opt = optimizers.Nadam(learning_rate=0.1)
    w = W0.copy()
    opt.apply([("w", w, GRADS[0])])
    state, w_saved = opt.get_state(), w.copy()
    opt.apply([("w", w, GRADS[1])])
    opt.apply([("w", w, GRADS[2])])
    w_direct = w.copy()
    opt.set_state(state)
    assert opt.iterations == 1
    w[...] = w_saved
    opt.apply([("w", w, GRADS[1])])
    opt.apply([("w", w, GRADS[2])])
    np.testing.assert_array_equal(w, w_direct)


def test_learning_rate_is_assignable_and_saved_in_state():
    opt = optimizers.SGD(0.1)
    state = opt.get_state()
    opt.learning_rate = 0.05
    w = W0.copy()
    opt.apply([("w", w, GRADS[0])])
    np.testing.assert_allclose(w, W0 - 0.05 * GRADS[0])
    opt.set_state(state)
    assert opt.learning_rate == 0.1 and opt.iterations == 0


def test_bad_gradient_shape_changes_nothing():
    opt = optimizers.Adam()
    w, v = W0.copy(), np.ones(2)
    with pytest.raises(ValueError, match=r"Adam: gradient for 'v' has shape \(3,\), the weight has shape \(2,\)"):
        opt.apply([("w", w, GRADS[0]), ("v", v, GRADS[0])])
    np.testing.assert_array_equal(w, W0)
    assert opt.iterations == 0 and opt.get_state()["slots"] == {}


def test_weight_decay_exclusion_by_name():
    opt = optimizers.SGD(0.5, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    k, b = np.ones(2), np.ones(2)
    opt.apply([(("dense", "kernel"), k, np.zeros(2)), (("dense", "bias"), b, np.zeros(2))])
    np.testing.assert_array_equal(k, [0.75, 0.75])
    np.testing.assert_array_equal(b, [1.0, 1.0])
