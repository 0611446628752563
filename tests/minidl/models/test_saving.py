"""Keras 3's .keras and .weights.h5 files: minidl -> minidl, Keras -> minidl, minidl -> Keras."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import minidl
from minidl.models import load_model, model_from_json

keras = pytest.importorskip("keras")
from tests.minidl.models.test_graph_vs_keras import float64_both  # noqa: E402

pytestmark = pytest.mark.keras


def conv_sequential(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((8, 8, 3)), L.Conv2D(4, 3, padding="same", activation="relu"),
                           L.MaxPooling2D(), L.BatchNormalization(), L.Flatten(), L.Dropout(0.3),
                           L.Dense(5, activation="softmax")])


def conv1d_sequential(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((10, 2)), L.Conv1D(3, 3, activation="tanh"), L.MaxPooling1D(2),
                           L.Flatten(), L.Dense(2)])


def functional(lib):
    L = lib.layers
    ids, feats = lib.Input((6,), dtype="int32", name="ids"), lib.Input((3,), name="feats")
    e = L.Flatten()(L.Embedding(10, 2)(ids))
    h = L.Concatenate()([e, L.Dense(4, activation="relu")(feats)])
    h = L.BatchNormalization()(h)
    return lib.Model([ids, feats], L.Dense(1, activation="sigmoid")(h))


def _data(build):
    rng = np.random.default_rng(0)
    if build is functional:
        return [rng.integers(0, 10, (5, 6)), rng.random((5, 3))]
    if build is conv1d_sequential:
        return rng.random((5, 10, 2))
    return rng.random((5, 8, 8, 3))


def _randomize(model):
    """Non-trivial weights everywhere (moving variances positive)."""
    rng = np.random.default_rng(1)
    for layer in model._leaf_layers():
        for key, w in (*layer.params.items(), *layer.state.items()):
            w[...] = rng.uniform(0.5, 1.5, w.shape) if "variance" in key else rng.normal(size=w.shape)


def _close(a, b, tol):
    a, b = np.asarray(a), np.asarray(b)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


BUILDS = [conv_sequential, conv1d_sequential, functional]


@pytest.mark.parametrize("build", BUILDS)
def test_minidl_round_trip_is_bitwise(tmp_path, build):
    m = build(minidl)
    m.compile(optimizer="adam", loss="mse")
    x = _data(build)
    y = np.zeros((5, m.outputs[0].shape[-1]))
    m.fit(x, y, epochs=1, batch_size=5, verbose=0)
    m.save(tmp_path / "m.keras")
    m2 = load_model(tmp_path / "m.keras")
    assert np.array_equal(m.predict(x, verbose=0), m2.predict(x, verbose=0))
    assert type(m2.optimizer).__name__ == "Adam" and m2.optimizer.iterations == 1
    for a, b in zip(m.get_weights(), m2.get_weights()):
        assert np.array_equal(a, b)
    key = next(iter(m.optimizer._slots))
    assert np.array_equal(m.optimizer._slots[key]["m"], m2.optimizer._slots[key]["m"])
    assert m2.get_config() == m.get_config()


@pytest.mark.parametrize("build", BUILDS)
def test_keras_to_minidl_float64(tmp_path, build):
    with float64_both():
        km = build(keras)
        km.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="mse")
        x = _data(build)
        km.fit(x, np.zeros((5, km.outputs[0].shape[-1])), epochs=1, batch_size=5, verbose=0)
        km.save(tmp_path / "k.keras")
        mm = load_model(tmp_path / "k.keras")
        _close(mm.predict(x, verbose=0), km.predict(x, verbose=0), 1e-12)
        assert type(mm.optimizer).__name__ == "SGD" and mm.optimizer.iterations == 1


@pytest.mark.parametrize("build", BUILDS)
def test_minidl_to_keras_float32(tmp_path, build):
    mm = build(minidl)
    _randomize(mm)
    mm.compile(optimizer="adam", loss="mse")
    mm.save(tmp_path / "m.keras")
    km = keras.models.load_model(tmp_path / "m.keras")
    x = _data(build)
    _close(km.predict(x, verbose=0), mm.predict(x, verbose=0), 1e-6)
    assert km.loss == "mse" and type(km.optimizer).__name__ == "Adam"


def test_weights_h5_both_ways(tmp_path):
    with float64_both():
        mm, km = functional(minidl), functional(keras)
        _randomize(mm)
        mm.save_weights(tmp_path / "m.weights.h5")
        km.load_weights(tmp_path / "m.weights.h5")
        x = _data(functional)
        _close(km.predict(x, verbose=0), mm.predict(x, verbose=0), 1e-12)
        km2 = functional(keras)
        km2.save_weights(tmp_path / "k.weights.h5")
        mm.load_weights(tmp_path / "k.weights.h5")
        for a, b in zip(mm.get_weights(), km2.get_weights()):
            assert np.array_equal(a, np.asarray(b))


def test_npz_weights_still_work(tmp_path):
    m = conv1d_sequential(minidl)
    m.save_weights(tmp_path / "w.npz")
    m2 = conv1d_sequential(minidl)
    m2.load_weights(tmp_path / "w.npz")
    assert all(np.array_equal(a, b) for a, b in zip(m.get_weights(), m2.get_weights()))


def test_unknown_layer_class_is_refused_by_name(tmp_path):
    km = keras.Sequential([keras.Input((4,)), keras.layers.GaussianNoise(0.1), keras.layers.Dense(2)])
    km.save(tmp_path / "k.keras")
    with pytest.raises(ValueError, match=r"GaussianNoise.*not one minidl has") as info:
        load_model(tmp_path / "k.keras")
    assert "k.keras" in str(info.value)


def test_unsupported_argument_is_refused(tmp_path):
    km = keras.Sequential([keras.Input((6, 2)), keras.layers.Conv1D(2, 2, dilation_rate=2)])
    km.save(tmp_path / "k.keras")
    with pytest.raises(ValueError, match="dilation_rate"):
        load_model(tmp_path / "k.keras")


def test_truncated_file_names_the_path(tmp_path):
    m = conv1d_sequential(minidl)
    m.save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.keras"):
        load_model(tmp_path / "cut.keras")
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        load_model(tmp_path / "nope.keras")


def test_keras_file_layout(tmp_path):
    m = conv_sequential(minidl)
    m.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        assert {"metadata.json", "config.json", "model.weights.h5"} <= set(z.namelist())
        spec = json.loads(z.read("config.json"))
    assert spec["class_name"] == "Sequential"
    assert [e["class_name"] for e in spec["config"]["layers"]][:2] == ["InputLayer", "Conv2D"]


def test_json_and_config_round_trip():
    m = functional(minidl)
    m2 = model_from_json(m.to_json())
    assert m2.get_config() == m.get_config()
    k = keras.models.model_from_json(m.to_json())
    assert [layer.name for layer in k.layers] == [layer.name for layer in m.layers]
    m3 = minidl.Model.from_config(m.get_config())
    assert [type(layer).__name__ for layer in m3.layers] == [type(layer).__name__ for layer in m.layers]
    s = conv1d_sequential(minidl)
    assert minidl.Sequential.from_config(s.get_config()).get_config() == s.get_config()
    for layer in s.layers:
        again = type(layer).from_config(layer.get_config())
        assert again.get_config() == layer.get_config()
