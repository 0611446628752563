"""keras.io examples/keras_recipes/antirectifier.py ("Simple custom layer example: Antirectifier",
fchollet), Keras 3 version (``keras.ops`` in ``call``), in minidl and Keras.

Changed from keras.io: the import (the library is the argument ``keras``, its ``ops`` module
``keras.ops``); the data source (real MNIST through ``minidl.datasets.mnist`` for both
libraries, the first 600 training and 200 test images); ``epochs = 20`` -> 1; ``shuffle=False``.

The custom layer is written exactly as a Keras user writes it: ``__init__``/``build``/``call``/
``get_config``, ``inputs -= ops.mean(...)`` included; minidl differentiates ``call`` by recording
its ops. What is compared (float64): the model has ``Dropout(0.5)``, whose masks differ between
the libraries, so training is not compared step by step; compared are ``evaluate`` from the same
initial weights, and Keras's ``evaluate``/``predict`` with minidl's trained weights (rtol 1e-10);
minidl's training must lower the test loss; the layer's ``get_config`` has Keras's keys
(the initializer's own config is not compared: Keras 3.15 added ``input_axes``/``output_axes``).
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl

from .helpers import assert_keras_agrees, float64_both

keras_lib = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

N_TRAIN, N_TEST = 600, 200


def antirectifier(keras, data_dir, epochs=1, start_weights=None):
    """The example's code; returns what the test compares."""
    layers = keras.layers
    ops = keras.ops

    class Antirectifier(layers.Layer):
        def __init__(self, initializer="he_normal", **kwargs):
            super().__init__(**kwargs)
            self.initializer = keras.initializers.get(initializer)

        def build(self, input_shape):
            output_dim = input_shape[-1]
            self.kernel = self.add_weight(
                shape=(output_dim * 2, output_dim),
                initializer=self.initializer,
                name="kernel",
                trainable=True,
            )

        def call(self, inputs):
            inputs -= ops.mean(inputs, axis=-1, keepdims=True)
            pos = ops.relu(inputs)
            neg = ops.relu(-inputs)
            concatenated = ops.concatenate([pos, neg], axis=-1)
            mixed = ops.matmul(concatenated, self.kernel)
            return mixed

        def get_config(self):
            # Implement get_config to enable serialization. This is optional.
            base_config = super().get_config()
            config = {"initializer": keras.initializers.serialize(self.initializer)}
            return dict(list(base_config.items()) + list(config.items()))

    # Training parameters
    batch_size = 128
    num_classes = 10

    # The data, split between train and test sets
    (x_train, y_train), (x_test, y_test) = minidl.datasets.mnist.load_data(data_dir=data_dir)
    x_train, y_train, x_test, y_test = x_train[:N_TRAIN], y_train[:N_TRAIN], x_test[:N_TEST], y_test[:N_TEST]

    x_train = x_train.reshape(-1, 784)
    x_test = x_test.reshape(-1, 784)
    x_train = x_train.astype("float32")
    x_test = x_test.astype("float32")
    x_train /= 255
    x_test /= 255
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # Build the model
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256),
            Antirectifier(),
            layers.Dense(256),
            Antirectifier(),
            layers.Dropout(0.5),
            layers.Dense(10),
        ]
    )
    if start_weights is not None:
        model.set_weights(start_weights)
    initial_weights = model.get_weights()

    # Compile the model
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    x_test_before = x_test.copy()
    initial_score = model.evaluate(x_test, y_test, verbose=0)  # added: the score before training

    # Train the model
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.15,
                        shuffle=False)

    # Test the model
    score = model.evaluate(x_test, y_test)
    assert np.array_equal(x_test, x_test_before), "the layer's `inputs -=` changed the caller's array"
    return dict(model=model, initial_weights=initial_weights, initial_score=initial_score, score=score,
                history=history.history, x_test=x_test, y_test=y_test,
                config=model.layers[1].get_config())


def test_antirectifier_agrees_with_keras(data_dir):
    folder = data_dir("mnist")
    with float64_both():
        mini = antirectifier(minidl, folder)
        ref = antirectifier(keras_lib, folder, start_weights=mini["initial_weights"])
        assert_keras_agrees(mini, ref, predict_atol=1e-12)
    assert mini["score"][0] < mini["initial_score"][0]
    # Keras 3.15 added input_axes/output_axes to VarianceScaling's config: compare the identity only.
    assert mini["config"]["initializer"]["class_name"] == ref["config"]["initializer"]["class_name"] == "HeNormal"
    assert set(ref["config"]) <= set(mini["config"]), sorted(set(ref["config"]) - set(mini["config"]))
