"""Model-level checks of the layer set: the report's parameter tables, training
steps against Keras, and the training flag in fit / evaluate / predict.

The six architectures are written once, as functions of the library (``lib``
is ``minidl`` or ``keras``), since minidl mirrors Keras's API; the tables are
the report's (practice 2, exercises 3, 4, 8 and 10).
"""
from __future__ import annotations


import numpy as np
import pytest

import minidl
from minidl import layers
from tests.keras_compat.helpers import both_floatx

F64_TOL, F32_TOL = 1e-10, 1e-5


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def scaled_error(actual, expected) -> float:
    """max |actual − expected| / max |expected|."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    return float(np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-300))


# ---- the report's networks -------------------------------------------------------

def imdb_dense(lib):
    """Exercise 3's final network on 10,000-word count vectors."""
    def dense(units, activation):
        return lib.layers.Dense(units, activation=activation, kernel_regularizer=lib.regularizers.L2(0.01))

    return lib.Sequential([
        lib.Input((10000,)),
        dense(100, "relu"), lib.layers.Dropout(0.5), lib.layers.BatchNormalization(),
        dense(30, "relu"), lib.layers.Dropout(0.5),
        dense(1, "sigmoid"),
    ])


def imdb_conv1d(lib):
    """Exercise 4: Embedding + Conv1D on reviews cut to 400 words."""
    return lib.Sequential([
        lib.Input((400,)),
        lib.layers.Embedding(10000, 50),
        lib.layers.Dropout(0.5),
        lib.layers.Conv1D(16, 4, padding="same", activation="relu"),
        lib.layers.MaxPooling1D(2),
        lib.layers.Dropout(0.5),
        lib.layers.Flatten(),
        lib.layers.Dense(30, activation="relu", kernel_regularizer=lib.regularizers.L2(0.01)),
        lib.layers.Dense(1, activation="sigmoid", kernel_regularizer=lib.regularizers.L2(0.01)),
    ])


def mnist_dense(lib):
    """Exercise 8's dense network."""
    return lib.Sequential([lib.Input((28, 28, 1)), lib.layers.Flatten(),
                           lib.layers.Dense(100, activation="relu"), lib.layers.Dense(10, activation="softmax")])


def mnist_conv(lib):
    """Exercise 8's convolutional network ('valid': 28 → 24 → 12 → 10 → 5)."""
    return lib.Sequential([
        lib.Input((28, 28, 1)),
        lib.layers.Conv2D(30, (5, 5), activation="relu"),
        lib.layers.MaxPooling2D(2),
        lib.layers.Conv2D(10, (3, 3), activation="relu"),
        lib.layers.MaxPooling2D(2),
        lib.layers.Dropout(0.2),
        lib.layers.Flatten(),
        lib.layers.Dense(10, activation="softmax"),
    ])


def vgg_like(lib, classes: int = 100):
    """Exercise 10's VGG16-like network: 3×3 'same' convolutions, 2×2 pooling."""
    def conv(filters):
        return lib.layers.Conv2D(filters, 3, padding="same", activation="relu")

    def dense(units, activation):
        return lib.layers.Dense(units, activation=activation, kernel_regularizer=lib.regularizers.L2(0.001))

    pool = lib.layers.MaxPooling2D
    return lib.Sequential([
        lib.Input((32, 32, 3)),
        conv(64), conv(64), pool(2),
        conv(128), pool(2),
        conv(256), conv(256), pool(2),
        conv(512), pool(2),
        conv(512), pool(2),
        lib.layers.Flatten(),
        dense(1000, "relu"), dense(1000, "relu"), dense(classes, "linear"),
    ])


def alexnet_like(lib, classes: int = 100):
    """Exercise 10's AlexNet-like network: 11×11 stride 2, then 5×5 and 3×3, all
    'same'; BatchNormalization on the 768 flattened features."""
    def conv(filters, size, strides=1):
        return lib.layers.Conv2D(filters, size, strides=strides, padding="same", activation="relu")

    pool = lib.layers.MaxPooling2D
    return lib.Sequential([
        lib.Input((32, 32, 3)),
        conv(96, 11, 2), pool(2),
        conv(256, 5), pool(2),
        conv(256, 3), conv(192, 3), pool(2),
        lib.layers.Flatten(),
        lib.layers.BatchNormalization(),
        lib.layers.Dense(2048, activation="relu"),
        lib.layers.Dense(500, activation="relu"),
        lib.layers.Dropout(0.4),
        lib.layers.Dense(classes, activation="linear"),
    ])


# name: (builder, [(output shape without the batch axis, params) per layer], total, non-trainable)
TABLES = {
    "imdb_dense": (imdb_dense, [((100,), 1_000_100), ((100,), 0), ((100,), 400), ((30,), 3_030),
                                ((30,), 0), ((1,), 31)], 1_003_561, 200),
    "imdb_conv1d": (imdb_conv1d, [((400, 50), 500_000), ((400, 50), 0), ((400, 16), 3_216),
                                  ((200, 16), 0), ((200, 16), 0), ((3200,), 0), ((30,), 96_030),
                                  ((1,), 31)], 599_277, 0),
    "mnist_dense": (mnist_dense, [((784,), 0), ((100,), 78_500), ((10,), 1_010)], 79_510, 0),
    "mnist_conv": (mnist_conv, [((24, 24, 30), 780), ((12, 12, 30), 0), ((10, 10, 10), 2_710),
                                ((5, 5, 10), 0), ((5, 5, 10), 0), ((250,), 0), ((10,), 2_510)], 6_000, 0),
    "vgg_like": (vgg_like, [((32, 32, 64), 1_792), ((32, 32, 64), 36_928), ((16, 16, 64), 0),
                            ((16, 16, 128), 73_856), ((8, 8, 128), 0), ((8, 8, 256), 295_168),
                            ((8, 8, 256), 590_080), ((4, 4, 256), 0), ((4, 4, 512), 1_180_160),
                            ((2, 2, 512), 0), ((2, 2, 512), 2_359_808), ((1, 1, 512), 0), ((512,), 0),
                            ((1000,), 513_000), ((1000,), 1_001_000), ((100,), 100_100)], 6_151_892, 0),
    "alexnet_like": (alexnet_like, [((16, 16, 96), 34_944), ((8, 8, 96), 0), ((8, 8, 256), 614_656),
                                    ((4, 4, 256), 0), ((4, 4, 256), 590_080), ((4, 4, 192), 442_560),
                                    ((2, 2, 192), 0), ((768,), 0), ((768,), 3_072), ((2048,), 1_574_912),
                                    ((500,), 1_024_500), ((500,), 0), ((100,), 50_100)], 4_334_824, 1_536),
}


@pytest.mark.parametrize("name", list(TABLES))
def test_minidl_summary_matches_the_report(name):
    build, rows, total, non_trainable = TABLES[name]
    model = build(minidl)
    assert [(layer.output_shape[1:], layer.count_params()) for layer in model.layers] == rows
    assert model.count_params() == total
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert f" Total params: {total:,} (" in text
    assert f" Trainable params: {total - non_trainable:,} (" in text
    assert f" Non-trainable params: {non_trainable:,} (" in text
    for layer, (_, params) in zip(model.layers, rows):
        assert any(line.startswith(f"| {layer.name} ({type(layer).__name__})") and f" {params:,} |" in line
                   for line in lines), (layer.name, params)


@pytest.mark.keras
@pytest.mark.parametrize("name", list(TABLES))
def test_keras_builds_the_same_tables(keras, name):
    build, rows, total, non_trainable = TABLES[name]
    model = build(keras)
    assert [(tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers] == rows
    assert model.count_params() == total
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == non_trainable


# ---- training steps against Keras ---------------------------------------------------

def small_conv(lib):
    """The report's conv pattern in miniature: Conv2D → MaxPool → Flatten → Dense softmax."""
    return lib.Sequential([lib.Input((7, 6, 2)), lib.layers.Conv2D(3, 3, activation="relu"),
                           lib.layers.MaxPooling2D(2), lib.layers.Flatten(),
                           lib.layers.Dense(4, activation="softmax")])


def small_conv_bn(lib):
    """With a 'same' stride-2 convolution and BatchNormalization (moving statistics
    move in the step). No conv bias: BN cancels it, so its gradient is round-off
    noise that no two libraries share."""
    return lib.Sequential([lib.Input((8, 7, 2)), lib.layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False),
                           lib.layers.BatchNormalization(), lib.layers.Activation("relu"),
                           lib.layers.MaxPooling2D(2, padding="same"), lib.layers.Flatten(),
                           lib.layers.Dense(4, activation="softmax")])


def small_embedding_conv1d(lib):
    """The IMDB Conv1D pattern in miniature (minidl receives the ids as floats)."""
    return lib.Sequential([lib.Input((9,)), lib.layers.Embedding(40, 5),
                           lib.layers.Conv1D(3, 4, padding="same", activation="relu"),
                           lib.layers.MaxPooling1D(2), lib.layers.Flatten(),
                           lib.layers.Dense(4, activation="softmax")])


NETS = {"conv": small_conv, "conv_bn": small_conv_bn, "embedding_conv1d": small_embedding_conv1d}
# Keras's Adam casts beta_1 and beta_2 from Python floats through float32
# (ops.cast of a Python scalar), which moves a float64 step by ~7e-6 relative
# with the default 0.9 / 0.999; betas exact in float32 keep the comparison exact.
OPTIMIZERS = {"sgd": lambda lib: lib.optimizers.SGD(learning_rate=0.1),
              "adam": lambda lib: lib.optimizers.Adam(learning_rate=0.01, beta_1=0.875, beta_2=1 - 2**-10)}


def _batches(net: str, shape: tuple[int, ...], steps: int, distinct_ids: bool, n: int = 4):
    """Random batches; for the embedding net, ids with repeats or, with
    ``distinct_ids``, every id at most once per batch."""
    rng = np.random.default_rng(7)
    for _ in range(steps):
        if net == "embedding_conv1d":
            x = (rng.permutation(40)[:n * shape[0]].reshape(n, *shape) if distinct_ids
                 else rng.integers(0, 40, (n, *shape)))
        else:
            x = rng.standard_normal((n, *shape))
        yield x, np.eye(4)[rng.integers(0, 4, n)]


@pytest.mark.keras
@pytest.mark.parametrize("dtype, tol", [("float64", F64_TOL), ("float32", F32_TOL)])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("net", list(NETS))
def test_training_steps_match_keras(keras, net, optimizer, dtype, tol):
    """Two train_on_batch steps from identical weights: each step's loss and
    every weight after them (moving statistics included) agree with Keras.

    Adam on the embedding net uses batches without repeated ids: Keras on
    TensorFlow gets the embedding gradient as IndexedSlices, and its Adam
    squares each slice before the repeats are summed (v gets Σg² instead of
    (Σg)²), so with repeated ids it departs from the dense gradient minidl uses.
    """
    with both_floatx(dtype):
        mine, theirs = NETS[net](minidl), NETS[net](keras)
        theirs.set_weights(mine.get_weights())
        mine.compile(OPTIMIZERS[optimizer](minidl), "categorical_crossentropy")
        theirs.compile(OPTIMIZERS[optimizer](keras), "categorical_crossentropy", run_eagerly=True)
        before = mine.get_weights()
        for x, y in _batches(net, mine.input_shape[1:], steps=2, distinct_ids=optimizer == "adam"):
            loss = mine.train_on_batch(x.astype(dtype), y)
            loss_keras = float(theirs.train_on_batch(x, y))
            assert abs(loss - loss_keras) / abs(loss_keras) < tol
        after, after_keras = mine.get_weights(), [np.asarray(w) for w in theirs.get_weights()]
    assert all(w.dtype == np.dtype(dtype) for w in after + after_keras)
    for w0, w1, wk in zip(before, after, after_keras):
        assert scaled_error(w1, wk) < tol
        if dtype == "float64":  # the updates themselves, not hidden under the weights' size
            assert scaled_error(w1 - w0, wk - w0) < tol


# ---- the training flag -----------------------------------------------------------------

def _spied_model():
    """Dense → Dropout → BatchNormalization → Dense softmax, recording the
    ``training`` flag every layer's forward receives."""
    model = minidl.Sequential([minidl.Input((6,)), layers.Dense(8, activation="tanh"), layers.Dropout(0.5),
                               layers.BatchNormalization(), layers.Dense(3, activation="softmax")])
    model.compile(minidl.optimizers.SGD(0.1), "categorical_crossentropy")
    flags: list[bool] = []
    for layer in model.layers:
        def spy(x, training=False, _forward=layer.forward, **kwargs):
            flags.append(training)
            return _forward(x, training=training, **kwargs)

        layer.forward = spy
    return model, flags


def test_fit_trains_and_evaluate_predict_infer():
    model, flags = _spied_model()
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 6)), np.eye(3)[rng.integers(0, 3, 16)]
    bn = model.layers[2]
    moving = [w.copy() for w in bn.state.values()]

    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert len(flags) == 2 * 4 and all(flags)
    assert not np.array_equal(bn.state["moving_mean"], moving[0])  # batch statistics moved them

    for run in (lambda: model.evaluate(x, y, batch_size=8), lambda: model.predict(x, batch_size=8),
                lambda: model(x)):
        flags.clear()
        moving = [w.copy() for w in bn.state.values()]
        run()
        assert flags and not any(flags)
        for w, w0 in zip(bn.state.values(), moving):
            np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(model.predict(x), model.predict(x))  # no dropout in inference


@pytest.mark.keras
def test_inference_with_dropout_and_batchnorm_matches_keras(keras, float64):
    """After a fit has moved the moving statistics, predict and evaluate agree
    with Keras's (inference mode on both sides) from the same weights."""
    model, _ = _spied_model()
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 6)), np.eye(3)[rng.integers(0, 3, 16)]
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    with both_floatx("float64"):
        theirs = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="tanh"),
                                   keras.layers.Dropout(0.5), keras.layers.BatchNormalization(),
                                   keras.layers.Dense(3, activation="softmax")])
        theirs.set_weights(model.get_weights())
        theirs.compile("sgd", "categorical_crossentropy", run_eagerly=True)
        predicted = theirs.predict(x, verbose=0)
        loss_keras = theirs.evaluate(x, y, batch_size=16, verbose=0)
    assert predicted.dtype == np.float64
    assert scaled_error(model.predict(x), predicted) < F64_TOL
    loss = model.evaluate(x, y, batch_size=16)
    loss = loss[0] if isinstance(loss, (list, tuple)) else loss
    assert abs(loss - loss_keras) / loss < F64_TOL
