"""NumPy padding and count vectors against Keras's semantics."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_ref.text import CountVectorBatches, count_vectors, pad_sequences

SEQS = [[1, 2, 3, 4, 5], [6, 7], [], [8, 9, 10]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 3, 6])
def test_pad_matches_keras(padding, truncating, maxlen):
    ours = pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating)
    ref = keras.utils.pad_sequences(SEQS, maxlen=maxlen, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(ours, ref)
    assert ours.dtype == np.int32


def test_pad_defaults_are_pre():
    np.testing.assert_array_equal(pad_sequences([[1, 2, 3, 4, 5], [6]], maxlen=3),
                                  [[3, 4, 5], [0, 0, 6]])


def test_pad_rejects_bad_mode():
    with pytest.raises(ValueError, match="padding"):
        pad_sequences(SEQS, 3, padding="middle")


def test_count_vectors_count_repeats():
    vec = count_vectors([[1, 3, 3, 3, 0], [2]], num_words=5)
    np.testing.assert_array_equal(vec, [[1, 1, 0, 3, 0], [0, 0, 1, 0, 0]])
    with pytest.raises(ValueError, match="outside"):
        count_vectors([[7]], num_words=5)


def test_count_vector_batches_cover_all_rows_once():
    seqs = [[i % 7, 1] for i in range(23)]
    labels = np.arange(23) % 2
    batches = CountVectorBatches(seqs, labels, num_words=7, batch_size=5, shuffle=True, seed=1)
    assert len(batches) == 5
    xs, ys = zip(*(batches[i] for i in range(len(batches))))
    x, y = np.concatenate(xs), np.concatenate(ys)
    assert x.shape == (23, 7) and x.sum() == 46
    assert sorted(y.tolist()) == sorted(labels.astype("float32").tolist())
