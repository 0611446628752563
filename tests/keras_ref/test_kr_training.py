"""The training helper: histories into the record, the time limit, partial results."""
from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from keras_ref import training
from keras_ref.common import RunRecord, results_path


def _tiny() -> keras.Model:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _record() -> RunRecord:
    return RunRecord(exercise="ejxx", title="t", seed=0, quick=True, setup={}, data={})


@pytest.fixture(autouse=True)
def _no_limit():
    yield
    training.set_time_limit(None)


def test_fit_records_history_and_time(tmp_path):
    x, y = np.ones((8, 2), "float32"), np.zeros((8, 1), "float32")
    rec = _record()
    hist = training.fit(_tiny(), x, y, record=rec, key="m", epochs=3, batch_size=4,
                        validation_data=(x, y), out=tmp_path)
    assert len(hist["loss"]) == 3 and rec.epochs_reached["m"] == 3
    assert rec.final["m"]["val_loss"] == hist["val_loss"][-1]
    assert rec.train_seconds["m"] > 0


def test_time_limit_stops_at_an_epoch_end(tmp_path, monkeypatch):
    x, y = np.ones((8, 2), "float32"), np.zeros((8, 1), "float32")
    monkeypatch.setattr(training, "WRITE_EVERY_S", 0.0)
    calls = iter([10.0])  # time left when fit starts, then none
    monkeypatch.setattr(training, "time_left", lambda: next(calls, -1.0))
    rec = _record()
    training.fit(_tiny(), x, y, record=rec, key="m", epochs=50, batch_size=4, out=tmp_path)
    assert rec.epochs_reached["m"] == 1 and rec.epochs_requested["m"] == 50
    assert any("time limit after 1/50" in n for n in rec.notes)
    saved = json.loads(results_path(tmp_path, "ejxx", True, 0).read_text())
    assert saved["status"] == "running"  # partial write; run() marks complete at the end
    monkeypatch.undo()
    training.set_time_limit(1e-9)
    rec2 = _record()
    training.fit(_tiny(), x, y, record=rec2, key="n", epochs=5, batch_size=4)
    assert rec2.epochs_reached["n"] == 0 and "not trained" in rec2.notes[0]
