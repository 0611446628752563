"""keras.io guides/writing_your_own_callbacks.py ("Writing your own callbacks", Rick Chao and
Francois Chollet), Keras 3 version, in minidl and Keras.

Changed from keras.io: the import (the library is the argument ``keras``); the data source
(real MNIST through ``minidl.datasets.mnist`` for both libraries, the guide's own first 1000
samples); ``shuffle=False`` in each ``fit`` so both libraries see the same batches; the epoch
counts are the guide's own. Every ``get_model()`` passes its model through ``init``, which
records minidl's initial weights and gives them to the Keras model. ``print`` is captured.

The Keras 3 forms of the guide are used: the learning-rate scheduler reads and assigns
``self.model.optimizer.learning_rate`` (Keras 3 has no ``keras.backend.get_value``/``lr``), and
``np.inf`` replaces NumPy 2's removed ``np.Inf``.

Compared (no randomness here, float64): every printed line (callback order, the logs' keys, the
losses and errors to two decimals), each model's final weights and ``History``, ``evaluate`` and
``predict`` (rtol 1e-10). ``steps_per_epoch=5`` over 16 batches exercises Keras's rule that an epoch
goes on where the previous one stopped, the epoch reaching the end of the data being shorter.
"""
from __future__ import annotations

import builtins

import numpy as np
import pytest

import minidl

from .helpers import assert_weights_close, float64_both, max_rel

keras_lib = pytest.importorskip("keras")
pytestmark = pytest.mark.keras


def writing_your_own_callbacks(keras, data_dir, init):
    """The guide's code; returns the printed lines, the models and their histories."""
    lines, models, histories = [], [], []

    def print(*args, **kwargs):  # the guide's prints, kept for the comparison
        lines.append(" ".join(str(a) for a in args))
        builtins.print(*args, **kwargs)

    # Define the Keras model to add callbacks to
    def get_model():
        model = keras.Sequential()
        model.add(keras.layers.Dense(1, input_dim=784))
        model.compile(
            optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
            loss="mean_squared_error",
            metrics=["mean_absolute_error"],
        )
        models.append(model)
        return init(model)

    # Load example MNIST data and pre-process it
    (x_train, y_train), (x_test, y_test) = minidl.datasets.mnist.load_data(data_dir=data_dir)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

    # Limit the data to 1000 samples
    x_train = x_train[:1000]
    y_train = y_train[:1000]
    x_test = x_test[:1000]
    y_test = y_test[:1000]

    class CustomCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            keys = list(logs.keys())
            print("Starting training; got log keys: {}".format(keys))

        def on_train_end(self, logs=None):
            keys = list(logs.keys())
            print("Stop training; got log keys: {}".format(keys))

        def on_epoch_begin(self, epoch, logs=None):
            keys = list(logs.keys())
            print("Start epoch {} of training; got log keys: {}".format(epoch, keys))

        def on_epoch_end(self, epoch, logs=None):
            keys = list(logs.keys())
            print("End epoch {} of training; got log keys: {}".format(epoch, keys))

        def on_test_begin(self, logs=None):
            keys = list(logs.keys())
            print("Start testing; got log keys: {}".format(keys))

        def on_test_end(self, logs=None):
            keys = list(logs.keys())
            print("Stop testing; got log keys: {}".format(keys))

        def on_predict_begin(self, logs=None):
            keys = list(logs.keys())
            print("Start predicting; got log keys: {}".format(keys))

        def on_predict_end(self, logs=None):
            keys = list(logs.keys())
            print("Stop predicting; got log keys: {}".format(keys))

        def on_train_batch_begin(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Training: start of batch {}; got log keys: {}".format(batch, keys))

        def on_train_batch_end(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Training: end of batch {}; got log keys: {}".format(batch, keys))

        def on_test_batch_begin(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Evaluating: start of batch {}; got log keys: {}".format(batch, keys))

        def on_test_batch_end(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Evaluating: end of batch {}; got log keys: {}".format(batch, keys))

        def on_predict_batch_begin(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Predicting: start of batch {}; got log keys: {}".format(batch, keys))

        def on_predict_batch_end(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Predicting: end of batch {}; got log keys: {}".format(batch, keys))

    model = get_model()
    histories.append(model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0, validation_split=0.5,
                               callbacks=[CustomCallback()], shuffle=False).history)

    res = model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])

    res = model.predict(x_test, batch_size=128, callbacks=[CustomCallback()])
    predictions = res

    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

        def on_test_batch_end(self, batch, logs=None):
            print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

        def on_epoch_end(self, epoch, logs=None):
            print(
                "The average loss for epoch {} is {:7.2f} "
                "and mean absolute error is {:7.2f}.".format(epoch, logs["loss"], logs["mean_absolute_error"])
            )

    model = get_model()
    histories.append(model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0,
                               callbacks=[LossAndErrorPrintingCallback()], shuffle=False).history)

    res = model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[LossAndErrorPrintingCallback()])
    scores = [res]

    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            # best_weights to store the weights at which the minimum loss occurs.
            self.best_weights = None

        def on_train_begin(self, logs=None):
            # The number of epoch it has waited when loss is no longer minimum.
            self.wait = 0
            # The epoch the training stops at.
            self.stopped_epoch = 0
            # Initialize the best as infinity.
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                # Record the best weights if current results is better (less).
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

        def on_train_end(self, logs=None):
            if self.stopped_epoch > 0:
                print(f"Epoch {self.stopped_epoch + 1}: early stopping")

    model = get_model()
    histories.append(model.fit(x_train, y_train, batch_size=64, steps_per_epoch=5, epochs=30, verbose=0,
                               callbacks=[LossAndErrorPrintingCallback(), EarlyStoppingAtMinLoss()],
                               shuffle=False).history)

    class CustomLearningRateScheduler(keras.callbacks.Callback):
        """Learning rate scheduler which sets the learning rate according to schedule."""

        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            # Get the current learning rate from model's optimizer.
            lr = self.model.optimizer.learning_rate
            # Call schedule function to get the scheduled learning rate.
            scheduled_lr = self.schedule(epoch, lr)
            # Set the value back to the optimizer before this epoch starts
            self.model.optimizer.learning_rate = scheduled_lr
            print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")

    LR_SCHEDULE = [
        # (epoch to start, learning rate) tuples
        (3, 0.05),
        (6, 0.01),
        (9, 0.005),
        (12, 0.001),
    ]

    def lr_schedule(epoch, lr):
        """Helper function to retrieve the scheduled learning rate based on epoch."""
        if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
            return lr
        for i in range(len(LR_SCHEDULE)):
            if epoch == LR_SCHEDULE[i][0]:
                return LR_SCHEDULE[i][1]
        return lr

    model = get_model()
    histories.append(model.fit(x_train, y_train, batch_size=64, steps_per_epoch=5, epochs=15, verbose=0,
                               callbacks=[LossAndErrorPrintingCallback(), CustomLearningRateScheduler(lr_schedule)],
                               shuffle=False).history)
    return dict(lines=lines, models=models, histories=histories, predictions=predictions, scores=scores)


def test_writing_your_own_callbacks_agrees_with_keras(data_dir):
    folder = data_dir("mnist")
    recorded = []

    def record(model):
        recorded.append(model.get_weights())
        return model

    def give(model):
        model.set_weights(recorded[len(ref_models)])
        ref_models.append(model)
        return model

    ref_models = []
    with float64_both():
        mini = writing_your_own_callbacks(minidl, folder, record)
        ref = writing_your_own_callbacks(keras_lib, folder, give)
    assert len(mini["histories"]) == len(ref["histories"]) == 4
    diffs = {}
    for i, (mh, kh) in enumerate(zip(mini["histories"], ref["histories"])):
        assert set(mh) == set(kh), (i, sorted(mh), sorted(kh))
        for key in kh:
            assert len(mh[key]) == len(kh[key]), (i, key)
            diffs[f"fit{i}.{key}"] = max_rel(mh[key], kh[key])
    for i, (mm, km) in enumerate(zip(mini["models"], ref["models"])):
        diffs[f"model{i}.weights"] = max(max_rel(a, b) for a, b in zip(mm.get_weights(), km.get_weights()))
    diffs["predict"] = max_rel(mini["predictions"], ref["predictions"])
    diffs["evaluate"] = max_rel(mini["scores"], ref["scores"])
    print(diffs)
    assert mini["lines"] == ref["lines"]
    bad = {k: v for k, v in diffs.items() if v > RTOL}
    assert not bad, bad


RTOL = 1e-10  # measured: histories ~1e-15, weights after training ~2e-12 (relative, element-wise)
