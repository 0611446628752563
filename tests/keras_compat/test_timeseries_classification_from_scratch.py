"""keras.io examples/timeseries/timeseries_classification_from_scratch.py ("Timeseries
classification from scratch", hfawaz), Keras 3 version (``best_model.keras``), in minidl and Keras.

Changed from keras.io: the import (the library is the argument ``keras``); the data source: the
FordA TSV files are downloaded by the example and we do not ship them, so ``readucr`` is replaced
by SYNTHETIC arrays of FordA's shapes and label convention (``synthetic_forda``: 40 training and 20
test z-normalized series of length 500, labels -1/1, a class-dependent sine in noise); ``epochs =
500`` -> 2. The example's ``np.random.permutation`` is kept, with NumPy's global seed set to the same
value before each library runs. The matplotlib plots are left out (they show, they compute nothing);
``plot_model`` writes its picture into the test's temporary folder.

Compared (float64, same initial weights; Conv1D, BatchNormalization, ReLU, GlobalAveragePooling1D,
Dense softmax; ModelCheckpoint(save_best_only), ReduceLROnPlateau, EarlyStopping; load_model):
the History (rtol 1e-10), the final weights (BatchNorm's moving statistics included; rtol 1e-10,
atol 1e-11), the reloaded model's test loss and accuracy (rtol 1e-10). Keras's Adam is given
float64 betas (``helpers.keras_adam_exact_betas``: on TensorFlow it casts them through float32 in its
bias correction, an artifact Adam amplifies to 1e-4 on these weights within two steps). With minidl's trained weights
copied into Keras, ``evaluate`` agrees to 1e-10.
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl

from .helpers import float64_both, keras_adam_exact_betas, max_rel

keras_lib = pytest.importorskip("keras")
pytestmark = pytest.mark.keras


def synthetic_forda(n: int, seed: int):
    """SYNTHETIC stand-in for FordA_TRAIN/TEST.tsv: x (n, 500) z-normalized, y in {-1, 1}."""
    rng = np.random.default_rng(seed)
    y = rng.choice([-1, 1], size=n)
    t = np.linspace(0, 1, 500)
    x = np.sin(2 * np.pi * (3 + 2 * (y[:, None] > 0)) * t) + rng.normal(size=(n, 500))
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    return x, y.astype(int)


def timeseries_classification(keras, epochs=2, start_weights=None):
    """The example's code (run in a temporary folder: it writes best_model.keras)."""
    x_train, y_train = synthetic_forda(40, seed=1)
    x_test, y_test = synthetic_forda(20, seed=2)

    x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
    x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))

    num_classes = len(np.unique(y_train))

    idx = np.random.permutation(len(x_train))
    x_train = x_train[idx]
    y_train = y_train[idx]

    y_train[y_train == -1] = 0
    y_test[y_test == -1] = 0

    def make_model(input_shape):
        input_layer = keras.layers.Input(input_shape)

        conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
        conv1 = keras.layers.BatchNormalization()(conv1)
        conv1 = keras.layers.ReLU()(conv1)

        conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
        conv2 = keras.layers.BatchNormalization()(conv2)
        conv2 = keras.layers.ReLU()(conv2)

        conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
        conv3 = keras.layers.BatchNormalization()(conv3)
        conv3 = keras.layers.ReLU()(conv3)

        gap = keras.layers.GlobalAveragePooling1D()(conv3)

        output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)

        return keras.models.Model(inputs=input_layer, outputs=output_layer)

    model = make_model(input_shape=x_train.shape[1:])
    if start_weights is not None:
        model.set_weights(start_weights)
    initial_weights = model.get_weights()
    try:
        keras.utils.plot_model(model, show_shapes=True)
    except ImportError as exc:  # Keras without pydot/graphviz: the picture is not the point here
        print("plot_model:", exc)

    batch_size = 32

    callbacks = [
        keras.callbacks.ModelCheckpoint("best_model.keras", save_best_only=True, monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20, min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
    ]
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        callbacks=callbacks,
        validation_split=0.2,
        verbose=1,
        shuffle=False,
    )
    trained = model

    model = keras.models.load_model("best_model.keras")

    test_loss, test_acc = model.evaluate(x_test, y_test)

    print("Test accuracy", test_acc)
    print("Test loss", test_loss)
    return dict(model=trained, reloaded=model, initial_weights=initial_weights, history=history.history,
                test=(test_loss, test_acc), x_test=x_test, y_test=y_test)


def test_timeseries_classification_agrees_with_keras(tmp_path, monkeypatch):
    keras_adam_exact_betas(monkeypatch)
    with float64_both():
        monkeypatch.chdir(tmp_path / "minidl" if (tmp_path / "minidl").mkdir() is None else tmp_path)
        np.random.seed(0)
        mini = timeseries_classification(minidl)
        monkeypatch.chdir(tmp_path / "keras" if (tmp_path / "keras").mkdir() is None else tmp_path)
        np.random.seed(0)
        ref = timeseries_classification(keras_lib, start_weights=mini["initial_weights"])
        mh, kh = mini["history"], ref["history"]
        assert set(mh) == set(kh), (sorted(mh), sorted(kh))
        for key in kh:
            np.testing.assert_allclose(mh[key], kh[key], rtol=1e-10, err_msg=key)
        weight_diff = max(float(np.abs(a - b).max()) for a, b in zip(mini["model"].get_weights(),
                                                                      ref["model"].get_weights()))
        for a, b in zip(mini["model"].get_weights(), ref["model"].get_weights()):
            # atol: the conv biases before BatchNormalization have a gradient of 0 up to rounding
            # (~1e-17), which Adam turns into steps of ~1e-13 in either library
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-11)
        np.testing.assert_allclose(mini["test"], ref["test"], rtol=1e-10)
        ref["model"].set_weights(mini["reloaded"].get_weights())
        score = ref["model"].evaluate(mini["x_test"], mini["y_test"], verbose=0)
        np.testing.assert_allclose(mini["test"], score, rtol=1e-10)
        print({k: max_rel(mh[k], kh[k]) for k in kh}, "weights (max abs)", weight_diff, "test", max_rel(mini["test"], ref["test"]),
              "test from minidl's weights", max_rel(mini["test"], score))
