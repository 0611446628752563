"""keras.io guides/sequential_model.py ("The Sequential model", fchollet), Keras 3 version
(``ops.ones`` for the test inputs), in minidl and Keras.

Changed from keras.io: the import (the library is the argument ``keras``); no data and no
training in this guide. Added: after each line that computes something from random weights, a
``share(...)`` line: in minidl it records the weights, in Keras it sets them and recomputes, so
both give numbers from the same weights. The guide's ``model.layers``/``summary`` lines are kept;
what they show is recorded in ``seen`` and compared (layer counts, weight shapes, output shapes).
The two transfer-learning blueprints are prose in the guide (``load_weights(...)``,
``keras.applications``) and are not run.

Compared (float64): every output (rtol 1e-10), the number and shapes of weights, the layer
names the guide sets, ``pop``, building from ``input_shape``, feature extraction from
``layer.output`` and ``get_layer(name=...).output``.
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl

from .helpers import float64_both, max_rel

keras_lib = pytest.importorskip("keras")
pytestmark = pytest.mark.keras


def sequential_model(keras, share):
    """The guide's code; returns ``seen``: what the guide displays, and every output."""
    layers = keras.layers
    ops = keras.ops
    seen = {}

    # Define Sequential model with 3 layers
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu", name="layer1"),
            layers.Dense(3, activation="relu", name="layer2"),
            layers.Dense(4, name="layer3"),
        ]
    )
    # Call model on a test input
    x = ops.ones((3, 3))
    y = model(x)
    seen["y1"] = share([model], lambda: model(x), y)

    # Create 3 layers
    layer1 = layers.Dense(2, activation="relu", name="layer1")
    layer2 = layers.Dense(3, activation="relu", name="layer2")
    layer3 = layers.Dense(4, name="layer3")

    # Call layers on a test input
    x = ops.ones((3, 3))
    y = layer3(layer2(layer1(x)))
    seen["y2"] = share([layer1, layer2, layer3], lambda: layer3(layer2(layer1(x))), y)

    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )
    seen["n_layers"] = len(model.layers)

    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))

    model.pop()
    print(len(model.layers))  # 2
    seen["after_pop"] = len(model.layers)

    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    model.add(layers.Dense(3, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    seen["names"] = [model.name] + [layer.name for layer in model.layers]

    layer = layers.Dense(3)
    seen["weights_before"] = len(layer.weights)  # Empty

    # Call layer on a test input
    x = ops.ones((1, 4))
    y = layer(x)
    seen["weight_shapes"] = [tuple(w.shape) for w in layer.weights]  # (4, 3) and (3,)
    seen["y3"] = share([layer], lambda: layer(x), y)

    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu"),
            layers.Dense(3, activation="relu"),
            layers.Dense(4),
        ]
    )  # No weights at this stage!

    # Call the model on a test input
    x = ops.ones((1, 4))
    y = model(x)
    print("Number of weights after calling the model:", len(model.weights))  # 6
    seen["n_weights"] = len(model.weights)
    seen["y4"] = share([model], lambda: model(x), y)

    model.summary()

    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(layers.Dense(2, activation="relu"))

    model.summary()
    seen["layers_with_input"] = len(model.layers)

    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu", input_shape=(4,)))

    model.summary()
    seen["input_shape_built"] = [tuple(w.shape) for w in model.weights]

    model = keras.Sequential()
    model.add(keras.Input(shape=(250, 250, 3)))  # 250x250 RGB images
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))

    # Can you guess what the current output shape is at this point? Probably not.
    # Let's just print it:
    model.summary()
    seen["shape_40"] = tuple(model.layers[-1].output.shape)

    # The answer was: (40, 40, 32), so we can keep downsampling...

    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))

    # And now?
    model.summary()
    seen["shape_4"] = tuple(model.layers[-1].output.shape)

    # Now that we have 4x4 feature maps, time to apply global max pooling.
    model.add(layers.GlobalMaxPooling2D())

    # Finally, we add a classification layer.
    model.add(layers.Dense(10))
    seen["final_params"] = model.count_params()

    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=[layer.output for layer in initial_model.layers],
    )

    # Call feature extractor on test input.
    x = ops.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    seen["features_all"] = share([initial_model], lambda: feature_extractor(x), features)

    initial_model = keras.Sequential(
        [
            keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
            layers.Conv2D(32, 3, activation="relu"),
        ]
    )
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=initial_model.get_layer(name="my_intermediate_layer").output,
    )
    # Call feature extractor on test input.
    x = ops.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    seen["features_one"] = share([initial_model], lambda: feature_extractor(x), features)
    return seen


def test_sequential_model_guide_agrees_with_keras():
    recorded = []

    def record(owners, compute, value):
        recorded.append([o.get_weights() for o in owners])
        return value

    def give(owners, compute, value):
        for owner, weights in zip(owners, recorded[len(given)]):
            owner.set_weights(weights)
        given.append(owners)
        return compute()

    given = []
    with float64_both():
        mini = sequential_model(minidl, record)
        ref = sequential_model(keras_lib, give)
    assert set(mini) == set(ref)
    diffs = {}
    for key, expected in ref.items():
        got = mini[key]
        if key.startswith(("y", "features")):
            expected = [expected] if not isinstance(expected, (list, tuple)) else expected
            got = [got] if not isinstance(got, (list, tuple)) else got
            assert len(got) == len(expected), key
            for g, e in zip(got, expected):
                e = np.asarray(e)
                assert np.shape(g) == e.shape, key
                np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12, err_msg=key)
                diffs[key] = max(diffs.get(key, 0.0), max_rel(g, e))
        else:
            assert got == expected, (key, got, expected)
    print(diffs)
