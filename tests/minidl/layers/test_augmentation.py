"""Augmentation layers: geometry equal to Keras's for fixed parameters, identity at
inference, seeding, draw statistics, and ops.image.affine_transform against TF's kernel."""
import keras
import numpy as np
import pytest

import minidl
from minidl import layers
from minidl.ops.image import affine_transform
from tests.minidl.models.test_graph_vs_keras import float64_both

FILL_MODES = ["reflect", "wrap", "constant", "nearest"]
TRANSFORMS = [[0.93, 0.31, -1.37, -0.21, 1.13, 2.29, 0, 0], [1, 0, -13.4, 0, 1, 5.2, 0, 0],
              [1, 0, 9.7, 0, 1, -16.3, 0, 0], [-1, 0, 8, 0, 1, 0, 0, 0], [1, 0, -20.3, 0, 1, -30.1, 0, 0],
              [1.1, 0, 0.2, 0, 0.7, 1.3, 0.01, -0.02]]


def _images(n=3, h=7, w=9, c=2, seed=0):
    return np.random.default_rng(seed).normal(size=(n, h, w, c))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill_mode", FILL_MODES)
def test_affine_transform_equals_keras(fill_mode, interpolation):
    x = _images()
    for t in TRANSFORMS:
        ours = affine_transform(x, np.array(t, float), interpolation, fill_mode, 0.5)
        with float64_both():
            theirs = np.asarray(keras.ops.image.affine_transform(x, np.array(t), interpolation, fill_mode, 0.5))
        # TF computes the coordinates in float32
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5, err_msg=str(t))


def test_affine_transform_unbatched_and_refusals():
    x = _images(1)
    t = np.array(TRANSFORMS[0])
    np.testing.assert_array_equal(affine_transform(x[0], t), affine_transform(x, t[None])[0])
    with pytest.raises(ValueError, match=r"fill_mode must be one of .* got 'mirror2'"):
        affine_transform(x, t, fill_mode="mirror2")
    with pytest.raises(ValueError, match=r"transform must have shape \(8,\) or \(batch, 8\), got \(6,\)"):
        affine_transform(x, t[:6])


def _keras_training(make, x):
    """Keras's layer in float32 (its RandomRotation fails in float64: float32 matrix times float64)."""
    return np.asarray(make()(x, training=True))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("make", [
    lambda lib, **kw: lib.layers.RandomRotation((0.1, 0.1), **kw),
    lambda lib, **kw: lib.layers.RandomRotation((-0.37, -0.37), **kw),
    lambda lib, **kw: lib.layers.RandomTranslation((0.31, 0.31), (-0.47, -0.47), **kw),
    lambda lib, **kw: lib.layers.RandomZoom((0.3, 0.3), **kw),
    lambda lib, **kw: lib.layers.RandomZoom((-0.37, -0.37), (0.23, 0.23), **kw),
], ids=["rot36", "rot-133", "translate", "zoom-out", "zoom-in-anisotropic"])
def test_affine_layers_with_fixed_draws_equal_keras(make, fill_mode, interpolation):
    x = _images(2, 8, 10, 3).astype(np.float32)
    kw = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=0.25)
    ours = make(minidl, seed=1, **kw)(x, training=True)
    theirs = _keras_training(lambda: make(keras, seed=1, **kw), x)
    assert ours.dtype == np.float32
    tol = 1e-5 if interpolation == "bilinear" else 0
    mismatch = np.mean(np.abs(ours - theirs) > 1e-4)
    if interpolation == "nearest":  # float32 vs float64 coordinates may round a tie differently
        assert mismatch < 0.02, mismatch
    else:
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_flip_with_given_flips_equals_keras(mode):
    x = _images(4)
    flips = np.array([True, False, True, False])
    ours = layers.RandomFlip(mode).transform_images(x, flips)
    with float64_both():
        k = keras.layers.RandomFlip(mode)
        theirs = np.asarray(k.transform_images(x, {"flips": flips.reshape(-1, 1, 1, 1), "input_shape": x.shape}))
    np.testing.assert_array_equal(ours, theirs)
    assert not np.array_equal(ours[0], x[0]) and np.array_equal(ours[1], x[1])


def test_contrast_with_given_factor_equals_keras():
    x = np.random.default_rng(1).uniform(0, 255, (3, 5, 6, 3))
    c = np.array([0.3, 1.0, 1.7])
    ours = layers.RandomContrast(0.5).transform_images(x, c)
    with float64_both():
        k = keras.layers.RandomContrast(0.5)
        theirs = np.asarray(k.transform_images(x, {"contrast_factor": c.reshape(-1, 1, 1, 1)}, training=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_factor_semantics_equal_keras():
    for factor in [0.2, (-0.3, 0.1), (0.4, -0.1)]:
        assert layers.RandomRotation(factor).factor == pytest.approx(tuple(keras.layers.RandomRotation(factor).factor))
    assert layers.RandomContrast(0.3).factor == pytest.approx(tuple(keras.layers.RandomContrast(0.3).factor))
    t = layers.RandomTranslation(0.2, (-0.1, 0.3))
    k = keras.layers.RandomTranslation(0.2, (-0.1, 0.3))
    assert t.height_factor == pytest.approx((k.height_lower, k.height_upper))
    assert t.width_factor == pytest.approx((k.width_lower, k.width_upper))


ALL = [lambda **kw: layers.RandomFlip(**kw), lambda **kw: layers.RandomRotation(0.2, **kw),
       lambda **kw: layers.RandomTranslation(0.2, 0.3, **kw), lambda **kw: layers.RandomZoom(0.3, **kw),
       lambda **kw: layers.RandomContrast(0.5, **kw)]
ALL_IDS = ["flip", "rotation", "translation", "zoom", "contrast"]


@pytest.mark.parametrize("make", ALL[1:], ids=ALL_IDS[1:])
def test_identity_at_inference_and_backward(make):
    x = np.random.default_rng(2).uniform(0, 1, (4, 6, 6, 2))
    layer = make(seed=3)
    y, cache = layer.forward(x, training=False)
    assert y is x or np.array_equal(y, x)
    dy = np.ones_like(x)
    assert layer.backward(cache, dy)[0] is dy
    y, cache = layer.forward(x, training=True)
    assert y.shape == x.shape and not np.array_equal(y, x)
    assert layer.backward(cache, dy, need_dx=False) == (None, {})
    with pytest.raises(NotImplementedError, match=r"no gradient through a random augmentation"):
        layer.backward(cache, dy, need_dx=True)


@pytest.mark.parametrize("make", ALL, ids=ALL_IDS)
def test_same_seed_same_bits_and_unseeded_follows_global_seed(make):
    x = np.random.default_rng(2).uniform(0, 1, (4, 6, 6, 2))
    a, b, c = make(seed=5), make(seed=5), make(seed=6)
    ya, yb, yc = (l(x, training=True) for l in (a, b, c))
    assert np.array_equal(ya, yb) and not np.array_equal(ya, yc)
    minidl.config.set_random_seed(7)
    y1 = make()(x, training=True)
    minidl.config.set_random_seed(7)
    assert np.array_equal(make()(x, training=True), y1)


def test_flip_backward_is_exact():
    x = np.random.default_rng(2).normal(size=(4, 5, 6, 2))
    for mode in RandomFlipModes:
        layer = layers.RandomFlip(mode, seed=1)
        y, cache = layer.forward(x, training=True)
        w = np.random.default_rng(3).normal(size=y.shape)
        dx, _ = layer.backward(cache, w)
        # y = P x with P a permutation: <P x, w> = <x, Pᵀ w>
        assert np.sum(y * w) == pytest.approx(np.sum(x * dx), rel=1e-12)
        assert layer.backward(layer.forward(x[0], training=True)[1], w[0])[0].shape == x[0].shape


RandomFlipModes = ["horizontal", "vertical", "horizontal_and_vertical"]


def test_draw_statistics():
    x = np.zeros((2000, 3, 3, 1))
    flip = layers.RandomFlip("horizontal", seed=0)
    flips = flip.get_random_transformation(x)
    assert abs(flips.mean() - 0.5) < 0.05
    rot = layers.RandomRotation((-0.1, 0.25), seed=0)
    m = rot.get_random_transformation(x)
    angles = np.degrees(np.arctan2(m[:, 3], m[:, 0]))  # b0 = sin, a0 = cos
    assert angles.min() >= -36 - 1e-9 and angles.max() <= 90 + 1e-9
    assert abs(angles.mean() - 27) < 3 and abs(angles.std() - 126 / np.sqrt(12)) < 3
    contrast = layers.RandomContrast((0.2, 0.5), seed=0).get_random_transformation(x)
    assert contrast.min() >= 0.8 and contrast.max() <= 1.5 and abs(contrast.mean() - 1.15) < 0.02


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"RandomFlip: mode must be one of"):
        layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match=r"RandomRotation: factor must be a number or a pair of numbers in \[-1.0, 1.0\]"):
        layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match=r"RandomZoom: fill_mode must be one of"):
        layers.RandomZoom(0.2, fill_mode="mirror2")
    with pytest.raises(ValueError, match=r"RandomContrast: factor must be"):
        layers.RandomContrast(-0.2)
    with pytest.raises(ValueError, match=r"expected images \(batch, H, W, C\) or \(H, W, C\), got shape \(4, 5\)"):
        layers.RandomFlip(seed=0)(np.zeros((4, 5)), training=True)


def test_model_trains_with_augmentation_after_input():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 6, 6, 1)), rng.normal(size=(8, 2))
    inputs = minidl.Input((6, 6, 1))
    h = layers.RandomRotation(0.1, seed=0)(inputs)  # right after the input: no gradient asked
    h = layers.RandomFlip(seed=0)(h)  # after another layer: its exact gradient
    out = layers.Dense(2)(layers.Flatten()(h))
    model = minidl.Model(inputs, out)
    model.compile("sgd", "mse")
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill_mode", FILL_MODES)
def test_shear_with_given_factors_equals_keras(fill_mode, interpolation):
    x = _images(2, 8, 10, 3).astype(np.float32)
    shear = np.array([[0.31, -0.23], [-0.45, 0.13]], np.float32)  # no sample on a pixel edge (float32 vs 64)
    kw = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=0.25)
    ours = layers.RandomShear(0.5, 0.5, **kw).transform_images(x, layers.RandomShear.shear_matrix(*shear.T))
    k = keras.layers.RandomShear(0.5, 0.5, **kw)
    theirs = np.asarray(k.transform_images(x, {"shear_factor": shear, "input_shape": x.shape}, training=True))
    mismatch = np.mean(np.abs(ours - theirs) > 1e-4)
    if interpolation == "nearest":  # float32 vs float64 coordinates may round a tie differently
        assert mismatch < 0.02, mismatch
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_shear_factors_signs_and_seeding():
    for factor in [0.2, (0.1, 0.4), (0.4, 0.1)]:
        assert layers.RandomShear(factor).x_factor == pytest.approx(tuple(keras.layers.RandomShear(factor).x_factor))
    with pytest.raises(ValueError, match=r"RandomShear: y_factor must be a number or a pair of numbers in \[0"):
        layers.RandomShear(0.1, (-0.2, 0.3))
    x = np.zeros((400, 4, 4, 1))
    t = layers.RandomShear((0.2, 0.3), (0.1, 0.1), seed=3).get_random_transformation(x)
    sx, sy = t[:, 1], t[:, 3]
    assert np.all((np.abs(sx) >= 0.2) & (np.abs(sx) <= 0.3)) and np.allclose(np.abs(sy), 0.1)
    assert np.array_equal(np.sign(sx), np.sign(sy)) and 0.4 < np.mean(sx > 0) < 0.6  # one sign per image
    again = layers.RandomShear((0.2, 0.3), (0.1, 0.1), seed=3).get_random_transformation(x)
    np.testing.assert_array_equal(t, again)
    np.testing.assert_array_equal(layers.RandomShear(0.3)(x[:2]), x[:2])  # inference: identity
