"""DepthwiseConv1D/2D and SeparableConv1D/2D: gradient checks, parity with Keras (float64,
forward and gradients from the same weights), weight layout, config and errors."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import gradcheck, ops, regularizers
from minidl.layers import (DepthwiseConv1D, DepthwiseConv2D, Input, Layer, SeparableConv1D,
                           SeparableConv2D)
from layer_checks import F64_TOL, GRAD_TOL, keras_gradients, scaled_error, tfk  # noqa: F401

# (batch, spatial, cin, depth_multiplier, filters, kernel_size, strides, padding, activation);
# filters is used by the separable layers only
CASES_2D = [
    (1, (5, 5), 1, 1, 1, 3, 1, "valid", None),
    (2, (5, 4), 3, 2, 2, (3, 2), 2, "same", "tanh"),
    (2, (5, 4), 3, 2, 2, (3, 2), 2, "valid", "tanh"),
    (1, (4, 3), 2, 1, 3, 2, (2, 1), "same", "sigmoid"),   # even kernel, 'same'
    (2, (7, 6), 2, 3, 2, 4, 3, "same", "relu"),
    (1, (3, 3), 2, 2, 2, 3, 1, "same", None),             # kernel as large as the input
]
CASES_1D = [
    (1, (7,), 1, 1, 2, 3, 1, "valid", None),
    (2, (9,), 3, 2, 2, 4, 2, "same", "tanh"),
    (2, (9,), 3, 2, 2, 4, 2, "valid", "tanh"),
    (1, (5,), 2, 3, 1, 2, 3, "same", None),
]
LAYERS = {(DepthwiseConv2D, 2), (SeparableConv2D, 2), (DepthwiseConv1D, 1), (SeparableConv1D, 1)}
PARAMS = [(cls, case) for cls, rank in sorted(LAYERS, key=lambda t: t[0].__name__)
          for case in (CASES_2D if rank == 2 else CASES_1D)]


def _id(value) -> str:
    return value.__name__ if isinstance(value, type) else "-".join(str(v) for v in value)


def _kwargs(cls, case) -> dict:
    _, _, _, dm, filters, k, s, padding, activation = case
    kwargs = dict(kernel_size=k, strides=s, padding=padding, depth_multiplier=dm, activation=activation)
    return {**kwargs, "filters": filters} if "Separable" in cls.__name__ else kwargs


def _make(cls, case, **extra):
    n, spatial, cin = case[:3]
    layer = cls(**_kwargs(cls, case), **extra)
    layer._maybe_build((None, *spatial, cin))
    rng = np.random.default_rng(0)
    layer.set_weights([rng.standard_normal(w.shape).astype(w.dtype) * 0.5 for w in layer.get_weights()])
    return layer, rng.standard_normal((n, *spatial, cin))


def _smooth(case):
    # relu has a kink at 0; the gradient check uses tanh in its place
    return (*case[:-1], "tanh") if case[-1] == "relu" else case


# ---- gradient checks (float64) ------------------------------------------------

@pytest.mark.parametrize("cls, case", PARAMS, ids=_id)
def test_gradients(float64, cls, case):
    layer, x = _make(cls, _smooth(case))
    errors = gradcheck.check_layer(layer, x)
    assert set(errors) == {"x", *layer.params}
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("cls", [DepthwiseConv2D, SeparableConv1D], ids=_id)
def test_gradients_without_bias_with_penalties(float64, cls):
    case = (2, (6, 5) if cls is DepthwiseConv2D else (6,), 2, 2, 3, 3, 2, "same", "tanh")
    layer, x = _make(cls, case, use_bias=False, depthwise_regularizer=regularizers.L2(0.1),
                     activity_regularizer=regularizers.L1(0.01))
    assert "bias" not in layer.params
    errors = gradcheck.check_layer(layer, x)
    assert max(errors.values()) < GRAD_TOL, errors


class _UserSeparable(Layer):
    """A user's layer written with ``ops.separable_conv``: differentiated through the tape."""

    def build(self, input_shape):
        self.depthwise = self.add_weight((3, 2, input_shape[-1], 2), "glorot_uniform", "depthwise")
        self.pointwise = self.add_weight((1, 1, 2 * input_shape[-1], 3), "glorot_uniform", "pointwise")

    def call(self, inputs, training=False):
        return ops.tanh(ops.separable_conv(inputs, self.depthwise, self.pointwise, 2, "same"))


def test_op_vjps_through_the_tape(float64):
    errors = gradcheck.check_layer(_UserSeparable(), np.random.default_rng(0).standard_normal((2, 5, 4, 2)))
    assert set(errors) == {"x", "depthwise", "pointwise"}
    assert max(errors.values()) < GRAD_TOL, errors


# ---- parity with Keras (float64, same weights) --------------------------------

@pytest.mark.keras
@pytest.mark.parametrize("cls, case", PARAMS, ids=_id)
def test_forward_and_gradients_match_keras(tfk, float64, cls, case):
    keras, tf = tfk
    if isinstance(case[6], tuple) and len(set(case[6])) > 1:
        pytest.skip("TF's depthwise kernel refuses unequal strides (minidl's are gradient-checked above)")
    layer, x = _make(cls, case)
    ref = getattr(keras.layers, cls.__name__)(**_kwargs(cls, case), dtype="float64")
    ref.build(x.shape)
    assert [w.path.split("/")[-1] for w in ref.weights] == list(layer.params)
    assert [tuple(w.shape) for w in ref.weights] == [w.shape for w in layer.get_weights()]
    ref.set_weights(layer.get_weights())
    assert tuple(ref.compute_output_shape((None, *x.shape[1:]))) == layer.compute_output_shape((None, *x.shape[1:]))
    y, cache = layer.forward(x, training=True)
    w = np.random.default_rng(5).standard_normal(y.shape)
    y_ref, (dx_ref, *dw_ref) = keras_gradients(tf, ref, x, w)
    dx, grads = layer.backward(cache, w)
    assert scaled_error(y, y_ref) < F64_TOL
    assert scaled_error(dx, dx_ref) < F64_TOL
    for key, expected in zip(layer.params, dw_ref):
        assert scaled_error(grads[key], expected) < F64_TOL, key


@pytest.mark.keras
@pytest.mark.parametrize("cls", [DepthwiseConv2D, DepthwiseConv1D, SeparableConv2D, SeparableConv1D], ids=_id)
def test_config_matches_keras(tfk, cls):
    keras, _ = tfk
    case = (1, (5, 5) if cls.__name__.endswith("2D") else (5,), 3, 2, 4, 3, 2, "same", "relu")
    kwargs = dict(_kwargs(cls, case), use_bias=False, name="dw")
    config = cls(**kwargs, depthwise_regularizer=regularizers.L2(0.01)).get_config()
    ref_config = getattr(keras.layers, cls.__name__)(
        **kwargs, depthwise_regularizer=keras.regularizers.L2(0.01)).get_config()
    assert set(config) <= set(ref_config)
    assert set(ref_config) - set(config) <= {"activity_regularizer"}  # written by minidl only when set
    initializer_keys = {key for key in config if key.endswith("_initializer")}
    for key in set(config) - {"dtype"} - initializer_keys:
        assert config[key] == ref_config[key], key
    for key in initializer_keys:
        assert config[key]["class_name"] == ref_config[key]["class_name"]
    # each side reads the other's config (minidl's regularizers.get takes no serialized dict yet)
    plain = {**config, "depthwise_regularizer": None}
    assert cls.from_config(plain).get_config() == plain
    rebuilt = getattr(keras.layers, cls.__name__).from_config(config)
    rebuilt.build((None, *case[1], 3))
    ours = cls.from_config(plain)
    ours._maybe_build((None, *case[1], 3))
    assert [tuple(w.shape) for w in rebuilt.weights] == [w.shape for w in ours.get_weights()]


# ---- shapes and layout ---------------------------------------------------------

def test_weight_layout_and_symbolic_shapes():
    t = DepthwiseConv2D((3, 2), strides=2, padding="same", depth_multiplier=3)(Input((7, 5, 4)))
    assert t.shape == (None, 4, 3, 12)
    assert [w.shape for w in t.layer.get_weights()] == [(3, 2, 4, 3), (12,)]
    s = SeparableConv2D(6, 3, depth_multiplier=2)(Input((7, 5, 4)))
    assert s.shape == (None, 5, 3, 6)
    assert [w.shape for w in s.layer.get_weights()] == [(3, 3, 4, 2), (1, 1, 8, 6), (6,)]
    assert s.layer.count_params() == 3 * 3 * 4 * 2 + 8 * 6 + 6
    assert SeparableConv1D(5, 4, padding="same")(Input((None, 3))).shape == (None, None, 5)
    assert DepthwiseConv1D(2)(Input((6, 3))).shape == (None, 5, 3)


def test_depthwise_output_channel_order():
    """Output channel c·dm + m is kernel m of input channel c (as TF orders it)."""
    layer = DepthwiseConv1D(1, depth_multiplier=2, use_bias=False)
    layer._maybe_build((None, 1, 2))
    layer.set_weights([np.array([[[1.0, 10.0], [100.0, 1000.0]]], dtype=np.float32)])
    y = layer(np.array([[[1.0, 2.0]]], dtype=np.float32))
    np.testing.assert_array_equal(y, [[[1.0, 10.0, 200.0, 2000.0]]])


# ---- errors -------------------------------------------------------------------

@pytest.mark.parametrize("make, kwargs, error, match", [
    (DepthwiseConv2D, dict(kernel_size=0), ValueError, "DepthwiseConv2D: kernel_size"),
    (DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=0), ValueError, "DepthwiseConv2D: depth_multiplier"),
    (DepthwiseConv2D, dict(kernel_size=3, strides=(1, 0)), ValueError, "DepthwiseConv2D: strides"),
    (DepthwiseConv1D, dict(kernel_size=3, padding="causal"), ValueError, "DepthwiseConv1D: padding"),
    (DepthwiseConv2D, dict(kernel_size=3, dilation_rate=(1, 2)), ValueError,
     r"DepthwiseConv2D: dilation_rate other than 1 is not supported, got \(1, 2\)"),
    (SeparableConv2D, dict(filters=0, kernel_size=3), ValueError, "SeparableConv2D: filters"),
    (SeparableConv1D, dict(filters=2, kernel_size=3, data_format="channels_first"), ValueError,
     r"SeparableConv1D: only data_format='channels_last'"),
    (SeparableConv2D, dict(filters=2, kernel_size=3, pointwise_constraint="non_neg"), NotImplementedError,
     r"SeparableConv2D: weight constraints .* pointwise_constraint"),
])
def test_bad_arguments(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"'d1' \(DepthwiseConv2D\).*rank 4.*\(None, 8, 3\)"):
        DepthwiseConv2D(3, name="d1")(Input((8, 3)))
    with pytest.raises(ValueError, match=r"'s1' \(SeparableConv2D\).*kernel_size \(5, 5\).*\(None, 4, 6, 1\)"):
        SeparableConv2D(2, 5, name="s1")(Input((4, 6, 1)))
    layer = SeparableConv1D(2, 3, name="s2")
    layer._maybe_build((None, 8, 3))
    with pytest.raises(ValueError, match=r"'s2' \(SeparableConv1D\).*3 input channels.*\(None, 8, 2\)"):
        layer.forward(np.zeros((1, 8, 2), np.float32))


@pytest.mark.keras
def test_model_with_the_new_layers_saves_and_loads_in_keras(tfk, tmp_path):
    """A model of the transposed, depthwise and separable layers trains, and its .keras
    file loads in minidl and in Keras with the same predictions."""
    keras, _ = tfk
    from minidl.layers import Conv2DTranspose, Dense, Flatten
    from minidl.models import Sequential, load_model
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 8, 8, 3)).astype(np.float32)
    y = rng.standard_normal((16, 1)).astype(np.float32)
    model = Sequential([Input((8, 8, 3)), SeparableConv2D(4, 3, activation="relu"),
                        DepthwiseConv2D(3, padding="same", depth_multiplier=2),
                        Conv2DTranspose(2, 3, strides=2, padding="same", activation="tanh"), Flatten(), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    losses = model.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    path = str(tmp_path / "m.keras")
    model.save(path)
    expected = model.predict(x, verbose=0)
    np.testing.assert_array_equal(load_model(path).predict(x, verbose=0), expected)
    np.testing.assert_allclose(np.asarray(keras.models.load_model(path).predict(x, verbose=0)), expected,
                               rtol=1e-5, atol=1e-5)
