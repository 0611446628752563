"""Every layer kind through a ``.keras`` file, both ways: minidl → Keras, minidl → minidl,
Keras → minidl, each with equal predictions (float32, from the same weights)."""
from __future__ import annotations

import numpy as np
import pytest

import minidl

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras
L = minidl.layers

IMG, SEQ, VEC = (8, 8, 3), (6, 5), (6,)
CASES = {
    "ReLU": (lambda: [L.ReLU(max_value=2.0)], VEC), "LeakyReLU": (lambda: [L.LeakyReLU(0.2)], VEC),
    "ELU": (lambda: [L.ELU()], VEC), "PReLU": (lambda: [L.PReLU()], VEC), "Softmax": (lambda: [L.Softmax()], VEC),
    "Reshape": (lambda: [L.Reshape((3, 2))], VEC), "Permute": (lambda: [L.Permute((2, 1))], SEQ),
    "RepeatVector": (lambda: [L.RepeatVector(3)], VEC), "ZeroPadding2D": (lambda: [L.ZeroPadding2D(1)], IMG),
    "Cropping2D": (lambda: [L.Cropping2D(1)], IMG), "ZeroPadding1D": (lambda: [L.ZeroPadding1D(1)], SEQ),
    "Cropping1D": (lambda: [L.Cropping1D(1)], SEQ), "AveragePooling2D": (lambda: [L.AveragePooling2D(2)], IMG),
    "GlobalMaxPooling2D": (lambda: [L.GlobalMaxPooling2D()], IMG),
    "GlobalAveragePooling1D": (lambda: [L.GlobalAveragePooling1D()], SEQ),
    "LayerNormalization": (lambda: [L.LayerNormalization()], VEC), "Rescaling": (lambda: [L.Rescaling(0.5, 0.1)], VEC),
    "Normalization": (lambda: [L.Normalization(mean=0.5, variance=2.0)], VEC),
    "Conv2DTranspose": (lambda: [L.Conv2DTranspose(2, 3, strides=2, padding="same")], IMG),
    "Conv1DTranspose": (lambda: [L.Conv1DTranspose(2, 3)], SEQ),
    "DepthwiseConv2D": (lambda: [L.DepthwiseConv2D(3, depth_multiplier=2)], IMG),
    "SeparableConv2D": (lambda: [L.SeparableConv2D(4, 3)], IMG),
    "SimpleRNN": (lambda: [L.SimpleRNN(3)], SEQ), "GRU": (lambda: [L.GRU(3, return_sequences=True)], SEQ),
    "LSTM": (lambda: [L.LSTM(3)], SEQ), "Bidirectional": (lambda: [L.Bidirectional(L.LSTM(3))], SEQ),
    "TimeDistributed": (lambda: [L.TimeDistributed(L.Dense(2))], SEQ),
    "UpSampling2D": (lambda: [L.UpSampling2D(2)], IMG), "Activation": (lambda: [L.Activation("tanh")], VEC),
    "RandomFlip": (lambda: [L.RandomFlip()], IMG), "RandomRotation": (lambda: [L.RandomRotation(0.1)], IMG),
    "BatchNormalization+Dropout": (lambda: [L.BatchNormalization(), L.Dropout(0.3)], VEC),
}


@pytest.mark.parametrize("name", list(CASES))
def test_keras_file_round_trips_both_ways(name, tmp_path):
    make, shape = CASES[name]
    head = [L.Flatten()] if len(shape) > 1 else []
    model = minidl.Sequential([minidl.Input(shape), *make(), *head, L.Dense(2)])
    x = np.random.default_rng(0).random((4, *shape)).astype("float32")
    ours = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), ours, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(minidl.models.load_model(tmp_path / "m.keras").predict(x, verbose=0), ours)
    theirs.save(tmp_path / "k.keras")
    back = minidl.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)),
                               rtol=1e-5, atol=1e-6)
