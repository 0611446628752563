import warnings

import numpy as np
import pytest

import minidl
from minidl import Input, Model, Sequential, config, gradcheck, layers, optimizers, regularizers

X_XOR = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
Y_XOR = np.array([[1], [-1], [-1], [1]], dtype=float)


def pm1_accuracy(y_true, y_pred):
    """The course's ±1 accuracy: right side of ±0.7 with the right sign."""
    return ((np.abs(y_pred) > 0.7) & (np.sign(y_pred) == y_true)).mean(axis=-1)


def xor_221():
    return Sequential([Input((2,)), layers.Dense(2, activation="tanh"), layers.Dense(1, activation="tanh")])


def xor_211():
    inp = Input((2,))
    hidden = layers.Dense(1, activation="tanh")(inp)
    out = layers.Dense(1, activation="tanh")(layers.Concatenate()([inp, hidden]))
    return Model(inp, out)


@pytest.mark.parametrize("build", [xor_221, xor_211])
def test_xor_reaches_full_accuracy(build):
    config.set_random_seed(3)
    model = build()
    model.compile(optimizers.SGD(0.1), "mse", metrics=[pm1_accuracy])
    history = model.fit(X_XOR, Y_XOR, batch_size=4, epochs=1000, verbose=0, seed=0)
    assert history.history["pm1_accuracy"][-1] == 1.0
    reached = history.history["pm1_accuracy"].index(1.0)
    assert reached < 1000
    np.testing.assert_array_equal(np.sign(model.predict(X_XOR)), Y_XOR)


def test_functional_model_gradient_with_concatenation(float64):
    inp = Input((3,))
    h = layers.Dense(4, activation="tanh", kernel_regularizer=regularizers.L2(0.01))(inp)
    h2 = layers.Dense(2, activation="sigmoid")(h)
    out = layers.Dense(3, activation="softmax", bias_regularizer=regularizers.L1(0.01),
                       bias_initializer="ones")(layers.Concatenate()([inp, h2]))
    model = Model(inp, out)
    model.compile("sgd", "categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    y = np.eye(3)[rng.integers(0, 3, 5)]
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < 1e-6, errors


def test_history_keys_like_keras():
    model = Sequential([Input((3,)), layers.Dense(4, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "mse"])
    x = np.random.default_rng(0).normal(size=(10, 3))
    y = np.eye(4)[np.arange(10) % 4]
    h = model.fit(x, y, epochs=2, verbose=0, validation_data=(x, y))
    assert set(h.history) == {"loss", "accuracy", "mse", "val_loss", "val_accuracy", "val_mse"}
    assert all(len(v) == 2 for v in h.history.values())


def test_epoch_values_are_sample_weighted_means():
    """Batches of 4, 4 and 2: the epoch loss weights each batch by its size, and
    every batch's loss is measured before its own update."""
    model = Sequential([Input((2,)), layers.Dense(1)])
    model.compile(optimizers.SGD(0.05), "mse", metrics=["mae"])
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(10, 2)), rng.normal(size=(10, 1))
    start = model.get_weights()
    h = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    model.set_weights(start)
    batches = [model.train_on_batch(x[s:s + 4], y[s:s + 4]) for s in (0, 4, 8)]
    sizes = np.array([4, 4, 2])
    losses = np.array([b[0] for b in batches])
    maes = np.array([b[1] for b in batches])
    assert h.history["loss"][0] == pytest.approx((losses * sizes).sum() / 10, rel=1e-6)
    assert h.history["mae"][0] == pytest.approx((maes * sizes).sum() / 10, rel=1e-6)


def test_l2_is_added_once_per_step_and_reported(float64):
    model = Sequential([Input((2,)), layers.Dense(1, kernel_regularizer=regularizers.L2(0.5))])
    model.compile(optimizers.SGD(0.1), "mse")
    x, y = np.ones((3, 2)), np.zeros((3, 1))
    w, b = model.get_weights()
    loss = model.train_on_batch(x, y)
    pred = x @ w + b
    assert loss == pytest.approx(np.mean(pred ** 2) + 0.5 * np.sum(w ** 2), rel=1e-12)
    new_w = model.get_weights()[0]
    grad = x.T @ (2 * pred / 3) + 2 * 0.5 * w
    np.testing.assert_allclose(new_w, w - 0.1 * grad, rtol=1e-12)


def test_train_on_batch_returns_loss_or_list():
    model = Sequential([Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    assert isinstance(model.train_on_batch(np.ones((2, 2)), np.ones((2, 1))), float)
    model.compile("sgd", "mse", metrics=["mae"])
    out = model.train_on_batch(np.ones((2, 2)), np.ones((2, 1)))
    assert isinstance(out, list) and len(out) == 2


def test_evaluate_and_predict_shapes():
    model = Sequential([Input((3,)), layers.Dense(2)])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = np.ones((7, 3)), np.zeros((7, 2))
    assert model.predict(x, batch_size=3).shape == (7, 2)
    loss, mae = model.evaluate(x, y, batch_size=3)
    assert loss == pytest.approx(np.mean(model.predict(x) ** 2), rel=1e-5)
    assert model.evaluate(x, y, return_dict=True).keys() == {"loss", "mae"}


def test_same_seed_same_bits():
    def run():
        config.set_random_seed(42)
        model = xor_221()
        model.compile(optimizers.SGD(0.1), "mse")
        h = model.fit(X_XOR, Y_XOR, batch_size=1, epochs=5, verbose=0, seed=7)
        return h.history["loss"], model.get_weights()

    (l1, w1), (l2, w2) = run(), run()
    assert l1 == l2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_weights(tmp_path):
    model = xor_211()
    path = tmp_path / "w.npz"
    model.save_weights(path)
    other = xor_211()
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]  # no temp file left behind
    with pytest.raises(ValueError, match="holds weights"):
        xor_221().load_weights(path)


def test_summary_and_count_params(capsys):
    model = Sequential([Input((3072,)), layers.Dense(100, activation="sigmoid"), layers.Dense(10)], name="p3")
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "p3"' in out
    assert "(None, 100)" in out and "307,300" in out and "1,010" in out
    assert "Total params: 308,310" in out and "Non-trainable params: 0" in out
    assert model.count_params() == 308310


def test_float64_models():
    config.set_floatx("float64")
    try:
        model = xor_211()
        assert all(w.dtype == np.float64 for w in model.get_weights())
        model.compile("sgd", "mse")
        assert model.predict(X_XOR).dtype == np.float64
    finally:
        config.set_floatx("float32")
    assert xor_211().get_weights()[0].dtype == np.float32


def test_sequential_input_shape_styles():
    a = Sequential([layers.Dense(2, input_shape=(3,))])
    assert a.output_shape == (None, 2)
    b = Sequential([layers.Dense(2)])
    b.compile("sgd", "mse")
    b.fit(np.ones((4, 5)), np.ones((4, 2)), verbose=0)
    assert b.input_shape == (None, 5)


def test_progress_bar_runs(capsys):
    model = xor_221()
    model.compile("sgd", "mse")
    model.fit(X_XOR, Y_XOR, epochs=2, verbose=1)
    model.fit(X_XOR, Y_XOR, epochs=1, verbose=2)
    out = capsys.readouterr()
    assert "Epoch 1/1 - loss:" in out.out
    assert "Epoch 2/2" in out.out + out.err


# ---- bad input -------------------------------------------------------------

def _compiled():
    model = Sequential([Input((2,)), layers.Dense(1)], name="net")
    model.compile("sgd", "mse")
    return model


def test_fit_before_compile():
    with pytest.raises(RuntimeError, match="must be compiled before fit"):
        xor_221().fit(X_XOR, Y_XOR)


def test_wrong_x_shape():
    with pytest.raises(ValueError, match=r"expects shape \(None, 2\), got x of shape \(4, 3\)"):
        _compiled().fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)


def test_wrong_y_shape():
    with pytest.raises(ValueError, match=r"y_true shape \(4, 2\) does not match y_pred shape \(4, 1\)"):
        _compiled().fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0)


def test_sample_count_mismatch():
    with pytest.raises(ValueError, match="x has 4 samples but y has 3"):
        _compiled().fit(np.ones((4, 2)), np.ones((3, 1)), verbose=0)


@pytest.mark.parametrize("bad,where", [(np.nan, "x"), (np.inf, "y")])
def test_non_finite_data(bad, where):
    x, y = np.ones((4, 2)), np.ones((4, 1))
    (x if where == "x" else y)[1, 0] = bad
    with pytest.raises(ValueError, match=f"{where} contains 1 NaN or infinite value"):
        _compiled().fit(x, y, verbose=0)


def test_empty_arrays():
    with pytest.raises(ValueError, match=r"x is empty \(shape \(0, 2\)\)"):
        _compiled().fit(np.ones((0, 2)), np.ones((0, 1)), verbose=0)


@pytest.mark.parametrize("bad", [np.array([["a", "b"]]), np.array([[object(), 1]], dtype=object)])
def test_wrong_dtype(bad):
    with pytest.raises(TypeError, match="x must be numeric, got an array of dtype"):
        _compiled().fit(bad, np.ones((1, 1)), verbose=0)


def test_unknown_names_list_valid_ones():
    model = xor_221()
    with pytest.raises(ValueError, match=r"Unknown loss 'mse2'; valid names"):
        model.compile("sgd", "mse2")
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'; valid names: \[.*'accuracy'"):
        model.compile("sgd", "mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adamx'"):
        model.compile("adamx", "mse")


@pytest.mark.parametrize("kwargs,match", [({"batch_size": 0}, "batch_size must be a positive integer"),
                                          ({"epochs": -1}, "epochs must be a non-negative integer"),
                                          ({"validation_split": 1.5}, r"validation_split must be in \(0, 1\)")])
def test_bad_fit_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _compiled().fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0, **kwargs)


def test_non_finite_loss_stops_with_history_so_far():
    model = _compiled()
    model.compile(optimizers.SGD(1e3), "mse")  # diverges quickly
    x = np.random.default_rng(0).normal(size=(64, 2)) * 100
    y = np.ones((64, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = model.fit(x, y, batch_size=8, epochs=50, verbose=0)
    assert h.stop_reason and "non-finite loss" in h.stop_reason
    assert any("non-finite loss" in str(w.message) for w in caught)
    assert 0 < len(h.history["loss"]) < 50
    assert all(np.isfinite(w).all() for w in model.get_weights())  # the bad update was not applied
    assert model.history is h


def test_interrupted_fit_keeps_finished_epochs():
    class Interrupt(minidl.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    model = _compiled()
    with pytest.raises(KeyboardInterrupt):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=10, verbose=0, callbacks=[Interrupt()])
    assert len(model.history.history["loss"]) == 3


