"""keras.io examples/nlp/bidirectional_lstm_imdb.py ("Bidirectional LSTM on IMDB", fchollet),
in minidl and Keras.

Changed from keras.io: the import (the library is the argument ``keras``); the data source
(real IMDB reviews through ``minidl.datasets.imdb``, tokenized by minidl from the raw text, the
first 32 training and 16 validation reviews, since Keras's loader would download); ``epochs=2``
-> 1; ``shuffle=False``. One Adam step over maxlen=200 through four LSTM directions: ~10 s in
minidl (NumPy float64), the slowest test here.

What is compared (float64, same initial weights), and why not everything at 1e-10:
* the training loss and accuracy of the epoch (one batch, computed before the update): rtol 1e-10;
* the Adam update of every weight but the Embedding: rtol 1e-8 (measured 2.7e-9, on elements whose
  gradient, summed over 200 time steps, is tiny and so relatively less exact). Keras's Adam is given float64
  betas (``helpers.keras_adam_exact_betas``): on TensorFlow it casts them through float32 in its
  bias correction, which alone makes its first step differ from the float64 formula by 6.7e-6;
* the Embedding's update is NOT compared: Keras on TensorFlow gets the Embedding's gradient as
  ``IndexedSlices`` with one row per occurrence, and Adam's ``ops.square(gradient)`` squares each
  occurrence before they are summed, so a word seen twice in a batch gets a second moment that
  is not the square of its gradient (measured: updates 0.0007 vs 0.00098). minidl squares the
  summed gradient, as Adam is defined (and as Keras does with SGD: both agree to 1e-15 there);
* with minidl's trained weights copied in, Keras's ``predict`` and ``evaluate`` on the
  validation slice agree to 1e-10 (this is the forward pass of the whole model).
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl

from .helpers import float64_both, keras_adam_exact_betas, max_rel

keras_lib = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

N_TRAIN, N_VAL = 32, 16


def bidirectional_lstm_imdb(keras, data_dir, epochs=1, start_weights=None):
    """The example's code; returns what the test compares."""
    layers = keras.layers

    max_features = 20000  # Only consider the top 20k words
    maxlen = 200  # Only consider the first 200 words of each movie review

    # Input for variable-length sequences of integers
    inputs = keras.Input(shape=(None,), dtype="int32")
    # Embed each integer in a 128-dimensional vector
    x = layers.Embedding(max_features, 128)(inputs)
    # Add 2 bidirectional LSTMs
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    # Add a classifier
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.summary()
    if start_weights is not None:
        model.set_weights(start_weights)
    initial_weights = model.get_weights()

    (x_train, y_train), (x_val, y_val) = minidl.datasets.imdb.load_data(num_words=max_features,
                                                                       data_dir=data_dir)
    x_train, y_train, x_val, y_val = x_train[:N_TRAIN], y_train[:N_TRAIN], x_val[:N_VAL], y_val[:N_VAL]
    print(len(x_train), "Training sequences")
    print(len(x_val), "Validation sequences")
    # Use pad_sequence to standardize sequence length:
    # this will truncate sequences longer than 200 words and zero-pad sequences shorter than 200 words.
    x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
    x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)

    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_val, y_val),
                        shuffle=False)
    return dict(model=model, initial_weights=initial_weights, history=history.history, x_val=x_val, y_val=y_val)


def test_bidirectional_lstm_imdb_agrees_with_keras(data_dir, monkeypatch):
    folder = data_dir("imdb")
    keras_adam_exact_betas(monkeypatch)
    with float64_both():
        mini = bidirectional_lstm_imdb(minidl, folder)
        ref = bidirectional_lstm_imdb(keras_lib, folder, start_weights=mini["initial_weights"])
        mh, kh = mini["history"], ref["history"]
        assert set(mh) == set(kh)
        for key in ("loss", "accuracy"):
            np.testing.assert_allclose(mh[key], kh[key], rtol=1e-10, err_msg=key)
        w0, wm, wk = mini["initial_weights"], mini["model"].get_weights(), ref["model"].get_weights()
        assert w0[0].shape == (20000, 128)  # the Embedding, whose update differs (see above)
        update_diffs = [max_rel(m - w, k - w) for w, m, k in zip(w0[1:], wm[1:], wk[1:])]
        assert max(update_diffs) < 1e-8, update_diffs  # measured 2.7e-9: tiny gradients after 200 steps
        ref["model"].set_weights(wm)
        pm = mini["model"].predict(mini["x_val"], verbose=0)
        pk = ref["model"].predict(mini["x_val"], verbose=0)
        np.testing.assert_allclose(pm, pk, rtol=1e-10)
        score = ref["model"].evaluate(mini["x_val"], mini["y_val"], verbose=0)
        np.testing.assert_allclose([mh["val_loss"][0], mh["val_accuracy"][0]], score, rtol=1e-10)
        print({k: max_rel(mh[k], kh[k]) for k in kh}, "updates but Embedding", max(update_diffs),
              "predict", max_rel(pm, pk), "val from minidl's weights", max_rel([mh["val_loss"][0]], score[:1]))
