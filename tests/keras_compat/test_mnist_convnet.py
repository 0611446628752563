"""keras.io examples/vision/mnist_convnet.py ("Simple MNIST convnet", fchollet), in minidl and Keras.

Changed from keras.io: the import (the library is the argument ``keras``); the data source
(real MNIST through ``minidl.datasets.mnist`` for both libraries, the first 600 training and
200 test images, since Keras's loader would download); ``epochs = 15`` -> 1; and
``shuffle=False`` so that both libraries see the same batches.

What is compared: the model has ``Dropout(0.5)``, whose random masks differ between the two
libraries, so the training itself is not compared step by step. Compared instead, in float64:
the model's structure and parameter counts; ``evaluate`` on the test slice from the same initial
weights; and, after minidl's ``fit``, Keras's ``evaluate``/``predict`` with minidl's trained
weights copied in (rtol 1e-10). minidl's training must also lower the test loss.
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl

from .helpers import assert_keras_agrees, float64_both

keras_lib = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

N_TRAIN, N_TEST = 600, 200


def mnist_convnet(keras, data_dir, epochs=1, start_weights=None):
    """The example's code; returns what the test compares."""
    layers = keras.layers

    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)

    # Load the data and split it between train and test sets
    (x_train, y_train), (x_test, y_test) = minidl.datasets.mnist.load_data(data_dir=data_dir)
    x_train, y_train, x_test, y_test = x_train[:N_TRAIN], y_train[:N_TRAIN], x_test[:N_TEST], y_test[:N_TEST]

    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    if start_weights is not None:
        model.set_weights(start_weights)
    initial_weights = model.get_weights()

    model.summary()

    batch_size = 128

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    initial_score = model.evaluate(x_test, y_test, verbose=0)  # added: the score before training

    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                        shuffle=False)

    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    return dict(model=model, initial_weights=initial_weights, initial_score=initial_score, score=score,
                history=history.history, x_test=x_test, y_test=y_test)


def test_mnist_convnet_agrees_with_keras(data_dir):
    folder = data_dir("mnist")
    with float64_both():
        mini = mnist_convnet(minidl, folder)
        ref = mnist_convnet(keras_lib, folder, start_weights=mini["initial_weights"])
        assert [w.shape for w in mini["model"].get_weights()] == [w.shape for w in ref["model"].get_weights()]
        assert mini["model"].count_params() == ref["model"].count_params()
        # Keras evaluates and predicts with minidl's trained weights: the same numbers.
        assert_keras_agrees(mini, ref, predict_atol=1e-14)
    assert mini["score"][0] < mini["initial_score"][0]
