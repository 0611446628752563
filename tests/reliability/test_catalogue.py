"""A catalogue of misuse and faults (issue 13): each case asserts minidl's message
(naming the argument or layer, what was expected and what came) and that the
refused call changed nothing: weights, optimizer iterations and slots, the
model's built state, and files."""
from __future__ import annotations

import copy
import os
import re

import numpy as np
import pytest

from minidl import callbacks as C, config, layers as L, optimizers as O
from minidl.models import Model, Sequential

X = np.random.default_rng(0).random((10, 3)).astype("float32")
Y = np.random.default_rng(1).random((10, 1)).astype("float32")


def fresh():
    """A compiled, trained-one-step model: Adam has slots and iterations to protect."""
    config.set_random_seed(7)
    m = Sequential([L.Input((3,)), L.Dense(4, activation="relu"), L.Dense(1)])
    m.compile(O.Adam(0.01), "mse", metrics=["mae"])
    m.train_on_batch(X, Y)
    return m


def snapshot(m) -> dict:
    opt = m.optimizer
    return {"weights": [w.copy() for w in m.get_weights()], "graph": m.graph, "optimizer": opt,
            "state": copy.deepcopy(opt.get_state()) if opt is not None else None,
            "compiled_loss": getattr(m, "compiled_loss", None)}


def assert_same(m, before: dict) -> None:
    after = snapshot(m)
    assert after["graph"] is before["graph"], "the refused call rebuilt the model"
    assert after["optimizer"] is before["optimizer"], "the refused call replaced the optimizer"
    assert after["compiled_loss"] is before["compiled_loss"], "the refused call changed the compiled loss"
    assert len(after["weights"]) == len(before["weights"])
    for a, b in zip(after["weights"], before["weights"]):
        np.testing.assert_array_equal(a, b)
    s0, s1 = before["state"], after["state"]
    if s0 is not None:
        assert s1["iterations"] == s0["iterations"]
        assert s1["slots"].keys() == s0["slots"].keys()
        for k in s0["slots"]:
            for name in s0["slots"][k]:
                np.testing.assert_array_equal(s1["slots"][k][name], s0["slots"][k][name])


# (id, call on a fresh model, exception type, message regex)
MODEL_CASES = [
    ("fit-y-count", lambda m, p: m.fit(X, Y[:5], verbose=0), ValueError, r"x has 10 samples.*y has 5"),
    ("fit-x-strings", lambda m, p: m.fit(np.full((10, 3), "a"), Y, verbose=0), TypeError, r"x must be numeric.*<U1"),
    ("fit-x-nan", lambda m, p: m.fit(np.where(X > .5, np.nan, X), Y, verbose=0), ValueError, r"x contains \d+ NaN"),
    ("fit-x-features", lambda m, p: m.fit(X[:, :2], Y, verbose=0), ValueError, r"expects shape \(None, 3\), got x of shape \(10, 2\)"),
    ("fit-y-none", lambda m, p: m.fit(X, None, verbose=0), ValueError, r"y \(the targets\) is missing"),
    ("fit-x-empty", lambda m, p: m.fit(X[:0], Y[:0], verbose=0), ValueError, r"x is empty"),
    ("fit-x-ragged", lambda m, p: m.fit([[1, 2, 3], [1, 2]], Y[:2], verbose=0), ValueError, r"x cannot be read as one array"),
    ("fit-batch-0", lambda m, p: m.fit(X, Y, batch_size=0, verbose=0), ValueError, r"batch_size must be a positive integer, got 0"),
    ("fit-batch-str", lambda m, p: m.fit(X, Y, batch_size="32", verbose=0), ValueError, r"batch_size must be a positive integer, got '32'"),
    ("fit-epochs-neg", lambda m, p: m.fit(X, Y, epochs=-1, verbose=0), ValueError, r"epochs must be a non-negative integer, got -1"),
    ("fit-epochs-float", lambda m, p: m.fit(X, Y, epochs=1.5, verbose=0), ValueError, r"epochs must be a non-negative integer, got 1.5"),
    ("fit-initial-epoch", lambda m, p: m.fit(X, Y, initial_epoch=0.5, verbose=0), ValueError, r"initial_epoch must be a non-negative integer, got 0.5"),
    ("fit-split-str", lambda m, p: m.fit(X, Y, validation_split="0.2", verbose=0), TypeError, r"validation_split must be a number in \[0, 1\), got '0.2'"),
    ("fit-split-big", lambda m, p: m.fit(X, Y, validation_split=1.5, verbose=0), ValueError, r"validation_split must be in .*got 1.5"),
    ("fit-split-empty", lambda m, p: m.fit(X, Y, validation_split=0.95, verbose=0), ValueError, r"leaves 0 for training"),
    ("fit-split-and-data", lambda m, p: m.fit(X, Y, validation_split=0.2, validation_data=(X, Y), verbose=0), ValueError, r"validation_data or validation_split, not both"),
    ("fit-xval-shape", lambda m, p: m.fit(X, Y, validation_data=(X[:, :2], Y), verbose=0), ValueError, r"got x_val of shape \(10, 2\)"),
    ("fit-yval-count", lambda m, p: m.fit(X, Y, validation_data=(X, Y[:4]), verbose=0), ValueError, r"x_val has 10 samples but y_val has 4"),
    ("fit-yval-nan", lambda m, p: m.fit(X, Y, validation_data=(X, Y * np.nan), verbose=0), ValueError, r"y_val contains 10 NaN"),
    ("fit-val-not-tuple", lambda m, p: m.fit(X, Y, validation_data=X, verbose=0), ValueError, r"validation_data must be a tuple \(x_val, y_val\)"),
    ("fit-seed-neg", lambda m, p: m.fit(X, Y, seed=-1, verbose=0), ValueError, r"fit: seed must be a non-negative integer, got -1"),
    ("fit-seed-str", lambda m, p: m.fit(X, Y, seed="a", verbose=0), TypeError, r"fit: seed must be a non-negative integer or None, got 'a'"),
    ("fit-verbose", lambda m, p: m.fit(X, Y, verbose=3), ValueError, r"verbose must be 'auto', 0, 1 or 2, got 3"),
    ("fit-kwarg", lambda m, p: m.fit(X, Y, epoch=3, verbose=0), TypeError, r"fit got unexpected argument\(s\) \['epoch'\]"),
    ("fit-sample-weight", lambda m, p: m.fit(X, Y, sample_weight=np.ones(3), verbose=0), ValueError, r"sample_weight has 3 entries for 10 samples"),
    ("fit-class-weight", lambda m, p: m.fit(X, Y, class_weight=[1, 2], verbose=0), TypeError, r"class_weight must be a dict"),
    ("fit-steps-str", lambda m, p: m.fit(X, Y, steps_per_epoch="3", verbose=0), ValueError, r"steps_per_epoch must be a non-negative integer, got '3'"),
    ("fit-val-batch", lambda m, p: m.fit(X, Y, validation_batch_size=0, validation_split=.2, verbose=0), ValueError, r"validation_batch_size must be a positive integer, got 0"),
    ("evaluate-shape", lambda m, p: m.evaluate(X[:, :1], Y, verbose=0), ValueError, r"expects shape \(None, 3\), got x of shape \(10, 1\)"),
    ("evaluate-steps", lambda m, p: m.evaluate(X, Y, steps=0, verbose=0), ValueError, r"steps must be a positive integer, got 0"),
    ("predict-shape", lambda m, p: m.predict(X[:, :2], verbose=0), ValueError, r"expects shape \(None, 3\), got x of shape \(10, 2\)"),
    ("predict-batch", lambda m, p: m.predict(X, batch_size=-1, verbose=0), ValueError, r"batch_size must be a positive integer, got -1"),
    ("predict-strings", lambda m, p: m.predict(np.full((2, 3), "x"), verbose=0), TypeError, r"x must be numeric"),
    ("predict-inf", lambda m, p: m.predict(X * np.inf, verbose=0), ValueError, r"x contains 30 NaN or infinite"),
    ("train-on-batch-count", lambda m, p: m.train_on_batch(X, Y[:3]), ValueError, r"x has 10 samples but y has 3"),
    ("compile-loss", lambda m, p: m.compile(O.SGD(), "msee"), ValueError, r"msee"),
    ("compile-optimizer", lambda m, p: m.compile("fastest", "mse"), ValueError, r"Unknown optimizer 'fastest'"),
    ("compile-kwarg", lambda m, p: m.compile("sgd", "mse", los="mae"), TypeError, r"compile got unexpected argument\(s\) \['los'\]"),
    ("compile-metric", lambda m, p: m.compile(O.SGD(), "mse", metrics=["acuracy"]), ValueError, r"acuracy"),
    ("compile-loss-weights", lambda m, p: m.compile(O.SGD(), "mse", loss_weights="x"), ValueError,
     r"loss_weights for output 'dense(_\d+)?' must be a finite number \(or None\), got 'x'"),
    ("set-weights-last-shape", lambda m, p: m.set_weights([w + 1 for w in m.get_weights()[:-1]] + [np.zeros(2)]), ValueError, r"weight 'bias' has shape \(1,\), got an array of shape \(2,\) \(weights\[3\]\)"),
    ("set-weights-count", lambda m, p: m.set_weights(m.get_weights()[:2]), ValueError, r"has 4 weight arrays, got 2"),
    ("set-weights-not-list", lambda m, p: m.set_weights(m.get_weights()[0]), TypeError, r"set_weights takes a list of arrays"),
    ("set-weights-strings", lambda m, p: m.set_weights([w.astype(str) for w in m.get_weights()]), TypeError, r"weights\[0\] must be numeric"),
    ("load-missing", lambda m, p: m.load_weights(p / "none.npz"), FileNotFoundError, r"load_weights: no file '.*none.npz'"),
    ("load-truncated", lambda m, p: m.load_weights(_truncated(p)), ValueError, r"'.*trunc.npz' is not a weights file: expected an .npz archive written by save_weights \(or a Keras .weights.h5 file\), but it holds a truncated zip archive"),
    ("load-text", lambda m, p: m.load_weights(_text(p)), ValueError, r"'.*text.npz' is not a weights file: expected an .npz .*, but it holds a text file starting 'hello'"),
    ("load-npy", lambda m, p: m.load_weights(_npy(p)), ValueError, r"'.*one.npy' is not a weights file: .* it holds a single NumPy array \(.npy"),
    ("load-parent-file", lambda m, p: m.load_weights(p / "w.npz" / "x.npz"), ValueError, r"'.*w.npz/x.npz' is not a weights file: .* but '.*w.npz' is a file, not a folder"),
    ("load-other-arch", lambda m, p: m.load_weights(_other_arch(p)), ValueError, r"weight 'kernel' has shape \(4, 1\), got an array of shape \(4, 2\)"),
    ("save-parent-file", lambda m, p: m.save_weights(p / "w.npz" / "x.npz"), NotADirectoryError, r"cannot write '.*w.npz/x.npz': '.*w.npz' is a file, not a folder"),
    ("save-folder", lambda m, p: m.save_weights(_folder(p)), IsADirectoryError, r"cannot write '.*d.npz': it is a folder"),
    # held-out style: wrong types for every fit / evaluate / predict argument, paths, callbacks, metrics
    ("fit-callbacks-int", lambda m, p: m.fit(X, Y, callbacks=3, verbose=0), TypeError, r"callbacks must be a list of minidl.callbacks.Callback instances, got 3"),
    ("fit-callback-function", lambda m, p: m.fit(X, Y, callbacks=[print], verbose=0), TypeError, r"callbacks must be a list of minidl.callbacks.Callback instances, got \[<built-in function print>\]"),
    ("evaluate-callbacks-str", lambda m, p: m.evaluate(X, Y, callbacks="early", verbose=0), TypeError, r"callbacks must be a list .* got 'early'"),
    ("predict-callbacks-int", lambda m, p: m.predict(X, callbacks=3, verbose=0), TypeError, r"callbacks must be a list .* got 3"),
    ("fit-lr-schedule-str", lambda m, p: m.fit(X, Y, callbacks=[C.LearningRateScheduler(lambda e, lr: "x")], verbose=0), ValueError, r"LearningRateScheduler: the schedule must return a float, got 'x'"),
    ("fit-validation-freq-0", lambda m, p: m.fit(X, Y, validation_split=.2, validation_freq=0, verbose=0), ValueError, r"validation_freq must be a positive integer, got 0"),
    ("fit-class-weight-key", lambda m, p: m.fit(X, Y, class_weight={"a": 1.0}, verbose=0), TypeError, r"class_weight must map class indices \(non-negative integers\) to numbers, got \{'a': 1.0\}"),
    ("fit-class-weight-value", lambda m, p: m.fit(X, Y, class_weight={0: "x"}, verbose=0), TypeError, r"class_weight must map .* got \{0: 'x'\}"),
    ("fit-x-dict-keys", lambda m, p: m.fit({"nope": X}, Y, verbose=0), ValueError, r"x is a dict with keys \['nope'\], expected the keys \['input_layer(_\d+)?'\]"),
    ("fit-x-none", lambda m, p: m.fit(None, Y, verbose=0), ValueError, r"x is missing \(got None\)"),
    ("fit-y-string", lambda m, p: m.fit(X, "y", verbose=0), TypeError, r"y must be numeric, got an array of dtype <U1"),
    ("fit-x-rank3", lambda m, p: m.fit(X[:, :, None], Y, verbose=0), ValueError, r"expects shape \(None, 3\), got x of shape \(10, 3, 1\)"),
    ("fit-sample-weight-nan", lambda m, p: m.fit(X, Y, sample_weight=np.full(10, np.nan), verbose=0), ValueError, r"sample_weight contains 10 NaN or infinite"),
    ("evaluate-batch-str", lambda m, p: m.evaluate(X, Y, batch_size="8", verbose=0), ValueError, r"batch_size must be a positive integer, got '8'"),
    ("evaluate-verbose-str", lambda m, p: m.evaluate(X, Y, verbose="loud"), ValueError, r"verbose must be 'auto', 0, 1 or 2, got 'loud'"),
    ("predict-steps-neg", lambda m, p: m.predict(X, steps=-1, verbose=0), ValueError, r"steps must be a non-negative integer, got -1"),
    ("predict-x-none", lambda m, p: m.predict(None, verbose=0), ValueError, r"x is missing \(got None\)"),
    ("predict-on-batch-shape", lambda m, p: m.predict_on_batch(X[:, :2]), ValueError, r"expects shape \(None, 3\), got x of shape \(10, 2\)"),
    ("test-on-batch-shape", lambda m, p: m.test_on_batch(X[:, :2], Y), ValueError, r"expects shape \(None, 3\), got x of shape \(10, 2\)"),
    ("compile-optimizer-int", lambda m, p: m.compile(3, "mse"), TypeError, r"optimizer must be a name, a config dict or a minidl.optimizers.Optimizer, got 3"),
    ("compile-loss-int", lambda m, p: m.compile("sgd", 3), TypeError, r"loss must be a name, a minidl.losses.Loss or a function f\(y_true, y_pred\), got 3"),
    ("compile-metrics-str", lambda m, p: m.compile("sgd", "mse", metrics="mae"), TypeError, r"metrics must be a list or a dict, got str"),
    ("compile-metric-int", lambda m, p: m.compile("sgd", "mse", metrics=[3]), TypeError, r"each metric of output 'dense(_\d+)?' must be a name, a minidl.metrics.Metric or a function f\(y_true, y_pred\), got 3"),
    ("compile-loss-weights-count", lambda m, p: m.compile("sgd", "mse", loss_weights=[1, 2]), ValueError, r"has 1 outputs \['dense(_\d+)?'\]; loss_weights has 2 entries"),
    ("compile-loss-weights-nan", lambda m, p: m.compile("sgd", "mse", loss_weights=float("nan")), ValueError, r"loss_weights for output .* must be a finite number \(or None\), got nan"),
    ("set-weights-none", lambda m, p: m.set_weights(None), TypeError, r"set_weights takes a list of arrays, got NoneType"),
    ("save-weights-int", lambda m, p: m.save_weights(3), TypeError, r"save_weights: the path must be a str or os.PathLike ending in .npz or .weights.h5, got int 3"),
    ("load-weights-none", lambda m, p: m.load_weights(None), TypeError, r"load_weights: the path must be a str or os.PathLike .*, got NoneType None"),
    ("load-folder", lambda m, p: m.load_weights(_folder(p)), ValueError, r"'.*d.npz' is not a weights file: .* but it holds a folder"),
    ("load-empty", lambda m, p: m.load_weights(_empty(p)), ValueError, r"'.*empty.npz' is not a weights file: .* but it holds nothing \(an empty file\)"),
    ("load-h5-text", lambda m, p: m.load_weights(_h5_text(p)), ValueError, r"'.*w.weights.h5' is not a weights file: .* but it holds a text file starting 'hello'"),
    ("save-unknown-suffix", lambda m, p: m.save_weights(p / "w.txt"), ValueError, r"save_weights writes .npz or Keras.s .weights.h5 files, got '.*w.txt'"),
]


def _truncated(p):
    (p / "trunc.npz").write_bytes((p / "w.npz").read_bytes()[:100])
    return p / "trunc.npz"


def _text(p):
    (p / "text.npz").write_text("hello")
    return p / "text.npz"


def _empty(p):
    (p / "empty.npz").write_bytes(b"")
    return p / "empty.npz"


def _h5_text(p):
    (p / "w.weights.h5").write_text("hello")
    return p / "w.weights.h5"


def _npy(p):
    np.save(p / "one.npy", np.zeros(3))
    return p / "one.npy"


def _folder(p):
    (p / "d.npz").mkdir()
    return p / "d.npz"


def _other_arch(p):
    other = Sequential([L.Input((3,)), L.Dense(4), L.Dense(2)])
    other.save_weights(p / "other.npz")
    return p / "other.npz"


@pytest.mark.parametrize("name, call, exc, pattern", MODEL_CASES)
def test_refused_call_changes_nothing(name, call, exc, pattern, tmp_path):
    m = fresh()
    m.save_weights(tmp_path / "w.npz")
    saved = (tmp_path / "w.npz").read_bytes()
    before = snapshot(m)
    with pytest.raises(exc, match=pattern):
        call(m, tmp_path)
    assert (tmp_path / "w.npz").read_bytes() == saved, "the refused call changed a file"
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")], "a temporary file was left"
    assert_same(m, before)


# ---- constructors and settings: refused with minidl's words ----------------------------
CTOR_CASES = [
    ("adam-beta1", lambda: O.Adam(beta_1=1.0), ValueError, r"Adam: beta_1 must be a number in \[0, 1\), got 1.0"),
    ("adam-beta2", lambda: O.Adam(beta_2=-1), ValueError, r"Adam: beta_2 must be a number in \[0, 1\), got -1"),
    ("rmsprop-rho", lambda: O.RMSprop(rho=2), ValueError, r"RMSprop: rho must be a number in \[0, 1\), got 2"),
    ("sgd-fast", lambda: O.SGD("fast"), ValueError, r"SGD: learning_rate must be a positive number .*got 'fast'"),
    ("sgd-momentum", lambda: O.SGD(momentum=-1), ValueError, r"SGD: momentum must be a number"),
    ("adam-lr-neg", lambda: O.Adam(learning_rate=-1), ValueError, r"Adam: learning_rate must be a positive number"),
    ("optimizer-kwarg", lambda: O.Adam(beta1=0.9), ValueError, r"Adam: argument\(s\) not recognized"),
    ("dropout-seed", lambda: L.Dropout(0.5, seed=-1), ValueError, r"Dropout: seed must be a non-negative integer, got -1"),
    ("dropout-seed-str", lambda: L.Dropout(0.5, seed="1"), TypeError, r"Dropout: seed must be a non-negative integer or None, got '1'"),
    ("dropout-rate", lambda: L.Dropout(1.0), ValueError, r"Dropout: rate must be in \[0, 1\), got 1.0"),
    ("concat-axis", lambda: L.Concatenate(axis=3)([L.Input((3,)), L.Input((2,))]), ValueError,
     r"\(Concatenate\): axis=3 is out of range for inputs of rank 2.*use an axis in \[-2, 2\)"),
    ("concat-axis-str", lambda: L.Concatenate(axis="1"), TypeError, r"Concatenate: axis must be an integer, got '1'"),
    ("concat-one", lambda: L.Concatenate()([L.Input((3,))]), ValueError, r"needs a list of at least 2 inputs"),
    ("embedding-dim", lambda: L.Embedding(0, 4), ValueError, r"Embedding.*input_dim"),
    ("input-dtype-string", lambda: L.Input((3,), dtype="string"), TypeError, r"Input: dtype must be a numeric type such as 'float32' or 'int64', got 'string'"),
    ("input-dtype-object", lambda: L.Input((3,), dtype=object), TypeError, r"Input: dtype must be a numeric type .*, got <class 'object'>"),
    ("input-shape-str", lambda: L.Input("3"), ValueError, r"Input: shape must be a positive integer, got '3'"),
    ("dense-units-str", lambda: L.Dense("4"), ValueError, r"Dense: units must be a positive integer, got '4'"),
    ("dense-activation", lambda: L.Dense(4, activation="relux"), ValueError, r"Unknown activation 'relux'"),
    ("conv2d-on-rank2", lambda: L.Conv2D(2, 3)(L.Input((3,))), ValueError, r"'conv2d(_\d+)?' \(Conv2D\) expects inputs \(batch, height, width, channels\) \(rank 4 with the batch axis\), got input shape \(None, 3\)"),
    ("conv1d-on-rank4", lambda: L.Conv1D(2, 3)(L.Input((8, 8, 1))), ValueError, r"\(Conv1D\) expects inputs \(batch, steps, channels\) .*got input shape \(None, 8, 8, 1\)"),
    ("maxpool-on-rank2", lambda: L.MaxPooling2D()(L.Input((3,))), ValueError, r"\(MaxPooling2D\) expects inputs .* got input shape \(None, 3\)"),
    ("lstm-on-rank2", lambda: L.LSTM(2)(L.Input((3,))), ValueError, r"\(LSTM\) expects sequences \(batch, timesteps, features\) .* got input shape \(None, 3\)"),
    ("conv2d-kernel-too-big", lambda: L.Conv2D(2, 9)(L.Input((4, 4, 1))), ValueError, r"kernel_size \(9, 9\) and padding 'valid' needs every spatial axis >= the kernel, got input shape \(None, 4, 4, 1\)"),
    ("conv2d-padding", lambda: L.Conv2D(2, 3, padding="full"), ValueError, r"Conv2D: padding must be one of \('valid', 'same'\), got 'full'"),
    ("bn-momentum", lambda: L.BatchNormalization(momentum=2), ValueError, r"BatchNormalization: momentum must be in \[0, 1\], got 2"),
    ("reshape-size", lambda: L.Reshape((4,))(L.Input((3,))), ValueError, r"\(Reshape\) cannot reshape input shape \(None, 3\) to target_shape \(4,\)"),
    ("add-shapes", lambda: L.Add()([L.Input((3,)), L.Input((2,))]), ValueError, r"\(Add\) needs inputs of broadcastable shapes, got \(None, 3\), \(None, 2\)"),
    ("model-inputs-array", lambda: Model(np.zeros(3), L.Dense(1)(L.Input((3,)))), TypeError, r"inputs and outputs must be symbolic tensors .* got ndarray"),
    ("model-disconnected", lambda: Model(L.Input((3,)), L.Dense(1)(L.Input((3,)))), ValueError, r"the outputs depend on input 'input_layer(_\d+)?', which is not in the model's inputs"),
    ("sequential-not-layer", lambda: Sequential([L.Input((3,)), "dense"]), TypeError, r"Sequential 'sequential(_\d+)?' takes layers, got str"),
    ("sgd-nesterov-str", lambda: O.SGD(nesterov="yes"), TypeError, r"SGD: nesterov must be True or False, got 'yes'"),
    ("lr-set-str", lambda: setattr(O.SGD(), "learning_rate", "fast"), TypeError,
     r"SGD: learning_rate must be a number, a LearningRateSchedule or a callable, got 'fast'"),
    ("dense-on-string", lambda: L.Dense(2)("x"), TypeError, r"'dense(_\d+)?' \(Dense\) expects numeric arrays, got str"),
    ("checkpoint-path-int", lambda: C.ModelCheckpoint(3), TypeError, r"ModelCheckpoint: filepath must be a path"),
    ("scheduler-not-callable", lambda: C.LearningRateScheduler(0.1), TypeError,
     r"LearningRateScheduler: schedule must be a function f\(epoch, lr\) -> lr, got 0.1"),
    ("get-layer-index", lambda: Sequential([L.Input((3,)), L.Dense(1)]).get_layer(index=9), ValueError,
     r"get_layer index must be an integer in \[-1, 1\), got 9"),
    ("adam-epsilon", lambda: O.Adam(epsilon=-1), ValueError, r"Adam: epsilon must be a number in \(0, inf\), got -1"),
    ("sgd-clipnorm", lambda: O.SGD(clipnorm=-1), ValueError, r"SGD: clipnorm must be a number in \(0, inf\), got -1"),
    ("rmsprop-momentum", lambda: O.RMSprop(momentum=2), ValueError, r"RMSprop: momentum must be a number in \[0, 1\], got 2"),
    ("adagrad-accumulator", lambda: O.Adagrad(initial_accumulator_value=-1), ValueError, r"Adagrad: initial_accumulator_value must be a number in \[0, inf\), got -1"),
    ("adam-lr-str", lambda: O.Adam(learning_rate="0.1"), ValueError, r"Adam: learning_rate must be a positive number or a LearningRateSchedule, got '0.1'"),
    ("seed-neg", lambda: config.set_random_seed(-1), ValueError, r"set_random_seed: seed must be a non-negative integer, got -1"),
    ("floatx", lambda: config.set_floatx("float16"), ValueError, r"set_floatx: unknown float type 'float16'"),
    ("threads", lambda: config.set_num_threads(0), ValueError, r"set_num_threads: need a positive integer, got 0"),
    ("backend", lambda: config.set_backend("cuda"), ValueError, r"set_backend: unknown backend 'cuda'"),
]


@pytest.mark.parametrize("case", CTOR_CASES, ids=[c[0] for c in CTOR_CASES])
def test_refused_construction(case):
    _, call, exc, pattern = case
    settings = (config.floatx(), config.backend(), config.num_threads())
    with pytest.raises(exc, match=pattern):
        call()
    assert (config.floatx(), config.backend(), config.num_threads()) == settings


# ---- an unbuilt Sequential refuses data before building from its shape -----------------
def _unbuilt():
    m = Sequential([L.Dense(4), L.Dense(1)])
    m.compile(O.Adam(), "mse")
    return m


@pytest.mark.parametrize("bad, exc, pattern", [
    (lambda m: m.fit(np.zeros((10, 5)), Y[:5], verbose=0), ValueError, r"x has 10 samples, y has 5 samples"),
    (lambda m: m.fit(np.full((10, 5), "a"), Y, verbose=0), TypeError, r"x must be numeric"),
    (lambda m: m.fit(np.zeros((10, 5)), np.full((10, 1), "a"), verbose=0), TypeError, r"y must be numeric"),
    (lambda m: m.fit(np.zeros((10, 5)), Y, sample_weight=np.ones(4), verbose=0), ValueError, r"sample_weight has 4"),
    (lambda m: m.fit(np.zeros((10, 5)), None, verbose=0), ValueError, r"y \(the targets\) is missing"),
    (lambda m: m.predict(np.full((2, 5), np.nan), verbose=0), ValueError, r"x contains 10 NaN"),
    (lambda m: m.fit(np.zeros((10, 5)), Y, seed=-2, verbose=0), ValueError, r"seed must be a non-negative"),
], ids=["count", "x-strings", "y-strings", "sample-weight", "no-y", "predict-nan", "seed"])
def test_unbuilt_sequential_refuses_before_building(bad, exc, pattern):
    m = _unbuilt()
    with pytest.raises(exc, match=pattern):
        bad(m)
    assert m.graph is None and not any(layer.built for layer in m.layers)
    m.fit(X, Y, epochs=1, verbose=0)  # the correct data (3 features) is then accepted
    assert m.input_shape == (None, 3)


def test_integer_ids_a_float_input_cannot_hold_are_refused():
    inp = L.Input((2,))  # float32 by default
    m = Model(inp, L.Embedding(2**25, 2)(inp))
    ids = np.array([[2**24 + 1, 3]])
    with pytest.raises(ValueError, match=r"x holds the integer 16777217, which the float32 input .* dtype='int64'"):
        m.predict(ids, verbose=0)
    inp = L.Input((2,), dtype="int64")
    m = Model(inp, L.Embedding(2**25, 2)(inp))
    np.testing.assert_array_equal(m.predict(ids, verbose=0)[0, 0], m.layers[1].get_weights()[0][2**24 + 1])


def test_a_list_of_rows_is_one_input():
    m = fresh()
    np.testing.assert_array_equal(m.predict([[1, 2, 3], [4, 5, 6]], verbose=0),
                                  m.predict(np.array([[1, 2, 3], [4, 5, 6]], "float32"), verbose=0))


def _bad_metric(y_true, y_pred):
    raise RuntimeError("boom")


@pytest.mark.parametrize("call", ["fit", "train_on_batch", "evaluate"])
def test_a_metric_that_raises_is_named_before_any_update(call):
    m = fresh()
    m.compile(O.Adam(0.01), "mse", metrics=[_bad_metric])
    before = snapshot(m)
    args = {"fit": dict(verbose=0), "evaluate": dict(verbose=0), "train_on_batch": {}}[call]
    with pytest.raises(RuntimeError, match=r"metric '_bad_metric' failed on targets of shape \(2, 1\) and "
                                           r"predictions of shape \(2, 1\): RuntimeError: boom"):
        getattr(m, call)(X, Y, **args)
    assert_same(m, before)


def _nested_shared():
    """A nested Sequential and a Dense used twice: set_weights must check every array first."""
    config.set_random_seed(3)
    inner = Sequential([L.Input((3,)), L.Dense(3, activation="relu")])
    shared = L.Dense(3)
    inp = L.Input((3,))
    out = L.Dense(1)(L.Concatenate()([shared(inp), shared(inner(inp))]))
    m = Model(inp, out)
    m.compile(O.Adam(0.01), "mse")
    m.train_on_batch(X, Y)
    return m


@pytest.mark.parametrize("bad, pattern", [
    (lambda w: w[:-1] + [np.zeros(2)], r"weight 'bias' has shape \(1,\), got an array of shape \(2,\) \(weights\[5\]\)"),
    (lambda w: [w[0].T[:2]] + w[1:], r"weight 'kernel' has shape \(3, 3\), got an array of shape \(2, 3\) \(weights\[0\]\)"),
    (lambda w: w + [w[-1]], r"has 6 weight arrays, got 7"),
    (lambda w: [x + 1 for x in w[:-1]] + [w[-1].astype(str)], r"weights\[5\] must be numeric"),
], ids=["last-shape", "first-shape", "count", "last-dtype"])
def test_set_weights_of_a_nested_shared_model_changes_nothing(bad, pattern):
    m = _nested_shared()
    assert len(m.get_weights()) == 6  # shared Dense counted once, the nested one opened
    before = snapshot(m)
    with pytest.raises((ValueError, TypeError), match=pattern):
        m.set_weights(bad(m.get_weights()))
    assert_same(m, before)
