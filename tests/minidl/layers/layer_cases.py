"""Shared checks for the layer-case tables of issue 10's layers: one case is
``(id, make(lib) -> layer, input shape or list of shapes)``, where ``lib`` is
``minidl`` or ``keras`` so one line builds both layers with the same arguments."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import gradcheck
from tests.keras_compat.helpers import float64_both as _float64_both

GRAD_TOL = 1e-6      # central differences, float64
FORWARD_TOL = 1e-12  # deterministic forward against Keras, float64
BACKWARD_TOL = 1e-10


def float64_both(keras):
    """float64 in minidl and in ``keras`` for a block (the one helper of tests/keras_compat)."""
    return _float64_both()


def inputs(shapes, seed: int = 0):
    rng = np.random.default_rng(seed)
    if isinstance(shapes, list):
        return [rng.standard_normal(s) for s in shapes]
    return rng.standard_normal(shapes)


def _none_batch(shapes):
    return [(None, *s[1:]) for s in shapes] if isinstance(shapes, list) else (None, *shapes[1:])


def built_minidl(make, shapes, seed: int = 0):
    """The minidl layer built for ``shapes`` with random (not initial) trainable weights."""
    layer = make(minidl)
    layer._maybe_build(_none_batch(shapes))
    rng = np.random.default_rng(seed + 100)
    for w in layer.params.values():
        w[...] = rng.uniform(0.5, 1.5, w.shape) * rng.choice([-1, 1], w.shape)
    return layer


def assert_gradients(make, shapes):
    layer = built_minidl(make, shapes)
    errors = gradcheck.check_layer(layer, inputs(shapes))
    assert max(errors.values()) < GRAD_TOL, errors


def scaled_error(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def assert_matches_keras(keras, tf, make, shapes, backward: bool = True, tol: float = FORWARD_TOL):
    """Same weights -> same output, output shape, weight layout, config keys and
    (when ``backward``) the same gradients, in float64."""
    with float64_both(keras):
        ml, kl = built_minidl(make, shapes), make(keras)
        x = inputs(shapes)
        xs_tf = [tf.constant(a) for a in x] if isinstance(x, list) else tf.constant(x)
        kl(xs_tf)
        assert [w.shape for w in ml.get_weights()] == [tuple(w.shape) for w in kl.get_weights()]
        assert [w.name for w in kl.weights] == list(ml.params) + list(ml.state)
        kl.set_weights(ml.get_weights())
        w = np.random.default_rng(7).standard_normal(ml.compute_output_shape(_none_batch(shapes))[1:])
        with tf.GradientTape() as tape:
            tape.watch(xs_tf)
            y_ref = kl(xs_tf)
            loss = tf.reduce_sum(y_ref * tf.constant(w))
        grads_ref = tape.gradient(loss, [xs_tf, *kl.trainable_weights])
        y, cache = ml.forward(x)
        assert scaled_error(y, np.asarray(y_ref)) < tol
        assert tuple(ml.compute_output_shape(_none_batch(shapes))) == tuple(kl.compute_output_shape(
            _none_batch(shapes)))
        base = {"name", "trainable", "dtype"}
        assert set(kl.get_config()) - base <= set(ml.get_config()), (kl.get_config(), ml.get_config())
        if not backward:
            return
        dy = np.broadcast_to(w, y.shape).copy()
        dx, grads = ml.backward(cache, dy)
        dx_ref = grads_ref[0]
        for a, b in (zip(dx, dx_ref) if isinstance(x, list) else [(dx, dx_ref)]):
            assert scaled_error(a, np.asarray(b)) < max(tol, BACKWARD_TOL)
        for key, g_ref in zip(ml.params, grads_ref[1:]):
            assert scaled_error(grads[key], np.asarray(g_ref)) < BACKWARD_TOL, key


def case_tests(cases, tols: dict | None = None):
    """The two tests of a case table, for a test module to bind as its own:
    ``test_gradients, test_matches_keras = case_tests(CASES)``. ``test_gradients`` checks
    each case's gradients (float64), ``test_matches_keras`` its parity with Keras, to
    ``tols[id]`` where given, else FORWARD_TOL. The module imports the ``tfk`` fixture."""
    ids = [c[0] for c in cases]
    tols = tols or {}

    @pytest.mark.parametrize("case", cases, ids=ids)
    def test_gradients(float64, case):
        assert_gradients(case[1], case[2])

    @pytest.mark.keras
    @pytest.mark.parametrize("case", cases, ids=ids)
    def test_matches_keras(tfk, case):
        assert_matches_keras(*tfk, case[1], case[2], tol=tols.get(case[0], FORWARD_TOL))

    return test_gradients, test_matches_keras
