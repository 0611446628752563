"""Callbacks driven with the same logs as Keras's: stopping epochs, learning-rate
traces, files written."""
import csv
import math
import os

import numpy as np
import pytest

from minidl import callbacks, optimizers


class FakeModel:
    """What callbacks use of a model: weights, stop flag, optimizer, save."""

    def __init__(self, lr=0.1):
        self.weights = [np.zeros(2)]
        self.stop_training = False
        self.optimizer = optimizers.SGD(lr)
        self.saved = []
        self.history = None
        self.metrics = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, path):
        self.saved.append(("model", path))
        open(path, "w").close()

    def save_weights(self, path):
        self.saved.append(("weights", path))
        open(path, "w").close()


def _keras_model(lr=0.1):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def _drive(cb, model, values, key="val_loss", per_epoch=None):
    """on_train_begin, then on_epoch_begin/end per value; returns (stop epoch, lr trace, logs)."""
    cb.set_model(model)
    cb.on_train_begin({})
    stop, trace, all_logs = None, [], []
    for epoch, v in enumerate(values):
        cb.on_epoch_begin(epoch, {})
        if per_epoch:
            per_epoch(model, epoch)
        logs = {key: v, "loss": v}
        cb.on_epoch_end(epoch, logs)
        trace.append(float(np.asarray(model.optimizer.learning_rate)))
        all_logs.append(dict(logs))
        if model.stop_training:
            stop = epoch
            break
    cb.on_train_end({})
    return stop, trace, all_logs


SEQUENCES = [
    [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7],
    [1.0, 1.0, 1.0, 1.0, 1.0],
    [3.0, 2.0, 1.0, 0.5, 0.25, 0.2, 0.19, 0.3],
    [0.5, 0.6, 0.4, 0.41, 0.42, 0.43, 0.44, 0.3],
]
ES_CASES = [dict(patience=0), dict(patience=2), dict(patience=1, min_delta=0.05),
            dict(patience=2, baseline=0.45), dict(patience=1, start_from_epoch=3),
            dict(patience=2, mode="max"), dict(patience=3, restore_best_weights=True)]


@pytest.mark.keras
@pytest.mark.parametrize("kwargs", ES_CASES, ids=[str(k) for k in ES_CASES])
@pytest.mark.parametrize("values", SEQUENCES)
def test_early_stopping_epoch_matches_keras(kwargs, values):
    keras = pytest.importorskip("keras")
    kmodel = _keras_model()

    def bump_keras(model, epoch):
        model.set_weights([np.full((1, 1), float(epoch)), np.zeros(1)])

    def bump_ours(model, epoch):
        model.weights = [np.full(2, float(epoch))]

    theirs = _drive(keras.callbacks.EarlyStopping(**kwargs), kmodel, values, per_epoch=bump_keras)[0]
    model = FakeModel()
    es = callbacks.EarlyStopping(**kwargs)
    ours = _drive(es, model, values, per_epoch=bump_ours)[0]
    assert ours == theirs
    if kwargs.get("restore_best_weights"):
        assert model.weights[0][0] == kmodel.get_weights()[0][0, 0]


@pytest.mark.keras
@pytest.mark.parametrize("kwargs", [dict(patience=1, factor=0.5), dict(patience=2, factor=0.5, cooldown=1),
                                    dict(patience=0, factor=0.25, min_lr=0.01), dict(patience=1, min_delta=0.2)])
@pytest.mark.parametrize("values", SEQUENCES)
def test_reduce_lr_on_plateau_trace_matches_keras(kwargs, values):
    keras = pytest.importorskip("keras")
    _, theirs, klogs = _drive(keras.callbacks.ReduceLROnPlateau(**kwargs), _keras_model(0.5), values)
    _, ours, logs = _drive(callbacks.ReduceLROnPlateau(**kwargs), FakeModel(0.5), values)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose([l["learning_rate"] for l in logs], [l["learning_rate"] for l in klogs], rtol=1e-6)


@pytest.mark.keras
def test_learning_rate_scheduler_trace_matches_keras():
    keras = pytest.importorskip("keras")
    schedules = [lambda epoch, lr: lr * 0.5 if epoch % 2 else lr, lambda epoch: 0.1 / (epoch + 1)]
    for schedule in schedules:
        _, theirs, _ = _drive(keras.callbacks.LearningRateScheduler(schedule), _keras_model(0.5), [1.0] * 5)
        _, ours, logs = _drive(callbacks.LearningRateScheduler(schedule), FakeModel(0.5), [1.0] * 5)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        assert [l["learning_rate"] for l in logs] == ours


@pytest.mark.keras
def test_csv_logger_writes_what_keras_writes(tmp_path):
    keras = pytest.importorskip("keras")
    files = {}
    for name, lib, model in (("keras", keras, _keras_model()), ("ours", callbacks, FakeModel())):
        path = tmp_path / f"{name}.csv"
        cb = (lib.callbacks.CSVLogger if name == "keras" else lib.CSVLogger)(str(path), separator=";")
        _drive(cb, model, [0.5, 0.25, 0.125])
        cb2 = (lib.callbacks.CSVLogger if name == "keras" else lib.CSVLogger)(str(path), separator=";", append=True)
        _drive(cb2, model, [0.75])
        files[name] = path.read_text()
    assert files["ours"] == files["keras"]
    rows = list(csv.reader(files["ours"].splitlines(), delimiter=";"))
    assert rows[0] == ["epoch", "loss", "val_loss"] and len(rows) == 5


def test_csv_logger_adds_val_columns_when_missing(tmp_path):
    path = tmp_path / "log.csv"
    cb = callbacks.CSVLogger(path)
    cb.set_model(FakeModel())
    cb.on_train_begin({})
    cb.on_epoch_end(0, {"loss": 1.5, "acc": 0.5})
    cb.on_train_end({})
    assert path.read_text().splitlines() == ["epoch,acc,loss,val_acc,val_loss", "0,0.5,1.5,NA,NA"]


def test_model_checkpoint_filenames_and_best_only(tmp_path):
    model = FakeModel()
    template = str(tmp_path / "ck" / "model.{epoch:02d}-{val_loss:.2f}.keras")
    cb = callbacks.ModelCheckpoint(template, save_best_only=True)
    _drive(cb, model, [0.5, 0.6, 0.25, 0.3])
    assert [os.path.basename(p) for _, p in model.saved] == ["model.01-0.50.keras", "model.03-0.25.keras"]
    assert all(os.path.exists(p) for _, p in model.saved)
    model = FakeModel()
    cb = callbacks.ModelCheckpoint(str(tmp_path / "w.{epoch}.weights.h5"), save_weights_only=True)
    _drive(cb, model, [0.5, 0.6])
    assert [(kind, os.path.basename(p)) for kind, p in model.saved] == [("weights", "w.1.weights.h5"),
                                                                       ("weights", "w.2.weights.h5")]


@pytest.mark.keras
def test_model_checkpoint_filename_matches_keras(tmp_path):
    keras = pytest.importorskip("keras")
    template = str(tmp_path / "m.{epoch:03d}-{loss:.3f}-{val_loss:.1e}.keras")
    theirs = keras.callbacks.ModelCheckpoint(template)._get_file_path(4, None, {"loss": 0.123456, "val_loss": 2e-3})
    assert callbacks.ModelCheckpoint(template).file_path(4, None, {"loss": 0.123456, "val_loss": 2e-3}) == theirs


def test_model_checkpoint_every_n_batches(tmp_path):
    model = FakeModel()
    cb = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}-{batch}.keras"), save_freq=3)
    cb.set_model(model)
    for epoch in range(2):
        cb.on_epoch_begin(epoch, {})
        for batch in range(4):
            cb.on_train_batch_end(batch, {"loss": 1.0})
    assert [os.path.basename(p) for _, p in model.saved] == ["m-1-3.keras", "m-2-2.keras"]


def test_terminate_on_nan():
    model = FakeModel()
    cbs = callbacks.CallbackList([callbacks.TerminateOnNaN()], model=model)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    cbs.on_train_batch_end(1, {"loss": math.nan})
    assert model.stop_training
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 3"):
        callbacks.TerminateOnNaN(raise_error=True).on_train_batch_end(3, {"loss": math.inf})


def test_lambda_callback_and_callback_list_order():
    seen = []
    lam = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(("end", e, dict(logs))),
                                   on_train_begin=lambda logs: seen.append(("begin", logs)),
                                   on_test_end=lambda logs: seen.append(("test_end", logs)))
    model = FakeModel()
    cbs = callbacks.CallbackList([lam], model=model, add_history=True, verbose=0, epochs=2, steps=3)
    assert isinstance(cbs.callbacks[0], callbacks.History) and model.history is cbs.history  # first: see CallbackList
    assert lam.params == {"verbose": 0, "epochs": 2, "steps": 3} and lam.model is model
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 2.0})
    cbs.on_test_end()
    assert seen == [("begin", {}), ("end", 0, {"loss": 2.0}), ("test_end", {})]
    assert cbs.history.history == {"loss": [2.0]} and cbs.history.epoch == [0]
    assert not cbs.needs_batch_logs
    assert callbacks.CallbackList([callbacks.TerminateOnNaN()]).needs_batch_logs
    with pytest.raises(ValueError, match="unknown hook 'on_epoch_finish'"):
        callbacks.LambdaCallback(on_epoch_finish=print)


def test_callback_has_every_keras_hook():
    keras = pytest.importorskip("keras")
    hooks = {n for n in dir(keras.callbacks.Callback) if n.startswith("on_") or n.startswith("set_")}
    assert hooks <= set(dir(callbacks.Callback))
    assert hooks <= set(dir(callbacks.CallbackList))


def test_early_stopping_sets_stop_reason_in_history():
    model = FakeModel()
    cbs = callbacks.CallbackList([callbacks.EarlyStopping(patience=1)], model=model, add_history=True)
    cbs.on_train_begin()
    for epoch, v in enumerate([1.0, 2.0, 3.0]):
        cbs.on_epoch_end(epoch, {"val_loss": v})
        if model.stop_training:
            break
    assert epoch == 1 and "early stopping: val_loss" in model.history.stop_reason


def test_auto_mode_needs_a_known_direction():
    cb = callbacks.EarlyStopping(monitor="val_widgets")
    cb.set_model(FakeModel())
    with pytest.raises(ValueError, match="monitor=val_widgets.*mode='max'"):
        cb.on_epoch_end(0, {"val_widgets": 1.0})
    cb = callbacks.EarlyStopping(monitor="val_accuracy", patience=0)
    _, _, _ = _drive(cb, FakeModel(), [0.5, 0.6, 0.4], key="val_accuracy")
    assert cb.stopped_epoch == 2


def test_backup_and_restore_resumes_weights_optimizer_and_epoch(tmp_path):
    backup_dir = tmp_path / "backup"
    model = FakeModel()
    model.optimizer = optimizers.Adam(0.1)
    cb = callbacks.BackupAndRestore(backup_dir)
    cb.set_model(model)
    cb.on_train_begin({})
    assert cb.restored_epoch is None and not hasattr(model, "_initial_epoch")
    w = model.weights[0]
    for epoch in range(2):
        model.optimizer.apply([("w", w, np.array([1.0, -1.0]))])
        cb.on_epoch_end(epoch, {"loss": 1.0})
    state, weights = model.optimizer.get_state(), model.get_weights()
    # "crash": a fresh model and optimizer, the same callback directory
    fresh = FakeModel()
    fresh.optimizer = optimizers.Adam(0.1)
    cb2 = callbacks.BackupAndRestore(backup_dir)
    cb2.set_model(fresh)
    cb2.on_train_begin({})
    assert cb2.restored_epoch == 2 and fresh._initial_epoch == 2
    np.testing.assert_array_equal(fresh.weights[0], weights[0])
    assert fresh.optimizer.iterations == 2
    np.testing.assert_array_equal(fresh.optimizer.get_state()["slots"]["w"]["m"], state["slots"]["w"]["m"])
    cb2.on_train_end({})
    assert not backup_dir.exists()
