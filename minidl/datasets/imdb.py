"""IMDB movie-review sentiment, as ``keras.datasets.imdb``.

Looked up as ``imdb_raw.npz`` (raw review text, see ``shared/data/prepare.py``)
in the data directory, tokenized here (see :mod:`minidl.datasets._imdb_tokenize`
for the rules; ranks follow Keras's convention but are not Keras's exact ids);
else Keras's cached ``imdb.npz`` (Keras's own word ranks); else downloaded.
Whatever the source, the options then act exactly as in Keras: shuffle with
``RandomState(seed)``, shift by ``index_from``, prepend ``start_char``, drop
reviews whose length is not below ``maxlen``, replace ids outside
``[skip_top, num_words)`` by ``oov_char``.
"""
from __future__ import annotations

import itertools
import json
import os

import numpy as np

from . import _files
from ._imdb_tokenize import Encoded, encoded_from_raw
from ._pickle import load_npz_objects

NAME = "imdb"
DATA_FILE = "imdb_raw.npz"
KERAS_FNAME = "imdb.npz"
URL = f"{_files.KERAS_ORIGIN}imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"  # sha256, from keras
INDEX_FNAME = "imdb_word_index.json"
INDEX_URL = f"{_files.KERAS_ORIGIN}imdb_word_index.json"
INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # md5, from keras

TOKENIZED_NOTE = ("tokenized by minidl from the raw aclImdb text: ranks follow Keras's convention "
                  "(1 = most frequent training word) but are not Keras's exact word ids")

Split = tuple[np.ndarray, np.ndarray]


def locate(data_dir: str | os.PathLike | None = None) -> _files.Source:
    """Where the IMDB reviews come from (may download Keras's ``imdb.npz``)."""
    path = _files.data_dir_file(data_dir, DATA_FILE)
    if path is not None:
        return _files.Source(NAME, "data-dir", path, notes=[TOKENIZED_NOTE])
    src = _files.keras_cached(NAME, KERAS_FNAME, URL, FILE_HASH, data_file=DATA_FILE)
    src.notes.append("Keras's own imdb.npz: Keras's word ids")
    return src


def _encoded_from_keras_npz(path: str) -> Encoded:
    arrays = load_npz_objects(path)
    _files.require_keys(arrays, ("x_train", "y_train", "x_test", "y_test"), path)

    def flat(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        ids = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
        return ids, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    ids_train, off_train = flat(arrays["x_train"])
    ids_test, off_test = flat(arrays["x_test"])
    return Encoded(ids_train, off_train, np.asarray(arrays["y_train"]), ids_test, off_test,
                   np.asarray(arrays["y_test"]), words=[])


def _encoded(data_dir: str | os.PathLike | None) -> Encoded:
    src = locate(data_dir)
    return encoded_from_raw(src.path) if src.source == "data-dir" else _encoded_from_keras_npz(src.path)


def _take(ids: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``rows`` of a flat ragged array, in that order."""
    lengths = (offsets[1:] - offsets[:-1])[rows]
    new_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    # Position j of new row k comes from old position offsets[rows[k]] + j.
    src = np.repeat(offsets[:-1][rows] - new_offsets[:-1], lengths) + np.arange(new_offsets[-1])
    return ids[src], new_offsets


def _prepend(ids: np.ndarray, offsets: np.ndarray, value: int) -> tuple[np.ndarray, np.ndarray]:
    """Put ``value`` in front of every row."""
    n = len(offsets) - 1
    new_offsets = offsets + np.arange(n + 1)
    out = np.empty(len(ids) + n, dtype=np.int64)
    starts = new_offsets[:-1]
    keep = np.ones(len(out), dtype=bool)
    keep[starts] = False
    out[starts] = value
    out[keep] = ids
    return out, new_offsets


def _to_object_array(ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Rows as an object array of Python ``list[int]``, what Keras returns.

    Filled element by element: ``np.array(list_of_lists)`` would make a 2-D
    array whenever all rows have the same length.
    """
    out = np.empty(len(offsets) - 1, dtype=object)
    flat = ids.tolist()
    bounds = offsets.tolist()
    for i in range(len(out)):
        out[i] = flat[bounds[i]:bounds[i + 1]]
    return out


def keras_postprocess(enc: Encoded, num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
                      seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
                      index_from: int = 3) -> tuple[Split, Split]:
    """Apply ``keras.datasets.imdb.load_data``'s options to word ranks, step for step.

    Vectorized, but each step is Keras's, quirks included: ``maxlen`` keeps rows
    *shorter* than ``maxlen`` (start char counted) rather than truncating; with
    ``num_words=None`` the limit is the largest id, so that id itself becomes
    ``oov_char``; ``skip_top`` compares the shifted ids.
    """
    rng = np.random.RandomState(seed)
    splits = []
    for ids, offsets, y in ((enc.ids_train, enc.offsets_train, enc.y_train),
                            (enc.ids_test, enc.offsets_test, enc.y_test)):
        order = np.arange(len(y))
        rng.shuffle(order)  # one generator for both splits, train first, as Keras
        ids, offsets = _take(ids.astype(np.int64), offsets, order)
        ids = ids + index_from if index_from else ids
        if start_char is not None:
            ids, offsets = _prepend(ids, offsets, start_char)
        y = np.asarray(y)[order]
        if maxlen:
            rows = np.flatnonzero(np.diff(offsets) < maxlen)
            ids, offsets = _take(ids, offsets, rows)
            y = y[rows]
        splits.append([ids, offsets, y])
    if maxlen and (len(splits[0][2]) == 0 or len(splits[1][2]) == 0):
        raise ValueError(f"after keeping only reviews shorter than maxlen={maxlen}, no review was left "
                         "in the training or test split; increase maxlen")
    if not num_words:
        num_words = max((int(s[0].max()) for s in splits if len(s[0])), default=0)
    for s in splits:
        ids, offsets = s[0], s[1]
        inside = (ids >= skip_top) & (ids < num_words)
        if oov_char is not None:
            s[0] = np.where(inside, ids, oov_char)
        else:  # drop the words instead, shortening the rows
            row_of = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
            kept = np.bincount(row_of[inside], minlength=len(offsets) - 1)
            s[0], s[1] = ids[inside], np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
    (tr_ids, tr_off, y_train), (te_ids, te_off, y_test) = splits
    return ((_to_object_array(tr_ids, tr_off), y_train), (_to_object_array(te_ids, te_off), y_test))


def load_data(num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              data_dir: str | os.PathLike | None = None) -> tuple[Split, Split]:
    """Load IMDB: ``(x_train, y_train), (x_test, y_test)``, 25,000 reviews each before ``maxlen``.

    x: object arrays (n,) whose items are ``list[int]`` word ids (below
    ``num_words`` when it is given); y: int64 (n,), 1 = positive, 0 = negative.
    The arguments mean what they mean in ``keras.datasets.imdb.load_data``.
    """
    for arg, value in (("num_words", num_words), ("maxlen", maxlen)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
            raise ValueError(f"{arg}={value!r} must be None or a non-negative int")
    if not isinstance(index_from, (int, np.integer)) or index_from < 0:
        raise ValueError(f"index_from={index_from!r} must be a non-negative int")
    return keras_postprocess(_encoded(data_dir), num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                             seed=seed, start_char=start_char, oov_char=oov_char, index_from=index_from)


def get_word_index(data_dir: str | os.PathLike | None = None) -> dict[str, int]:
    """``{word: rank}`` (rank 1 = most frequent; add ``index_from`` to match the ids of ``load_data``).

    From the data directory's raw text (the vocabulary of the tokenization
    above), else Keras's cached ``imdb_word_index.json``, else downloaded.
    """
    path = _files.data_dir_file(data_dir, DATA_FILE)
    if path is not None:
        return encoded_from_raw(path).word_index()
    src = _files.keras_cached(NAME, INDEX_FNAME, INDEX_URL, INDEX_HASH, data_file=DATA_FILE)
    with open(src.path, encoding="utf-8") as f:
        return json.load(f)
