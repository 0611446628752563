"""Turning the raw IMDB reviews into Keras-style word ranks, with an on-disk cache.

Keras's ``imdb.npz`` stores each review as word *ranks*: 1 for the most frequent
word of the training set, 2 for the next... Its tokenizer was never published,
so ranks made here follow the same convention but are not Keras's exact ids.

Tokenization (documented so results can be compared and reproduced):

1. lowercase; the typographic apostrophe ``’`` becomes ``'``;
2. the HTML line breaks ``<br />`` (any ``<br>`` spelling) become spaces:
   markup, not words (Keras's index keeps "br" as its 7th word; we do not);
3. a word is a run of letters or digits (Unicode-aware, no underscore),
   possibly joined by inner apostrophes: ``don't``, ``rock'n'roll``, ``10``;
   every other character separates words, and quotes around a word are dropped.

Ranks: by number of occurrences over the 25,000 *training* reviews, ties broken
alphabetically so the ranks do not depend on the order of the files. Test
words never seen in training are dropped, as in Keras's data.

Tokenizing the 50,000 reviews takes seconds, so the result is cached in
``<minidl cache>/imdb/`` (see :func:`minidl.datasets._files.minidl_cache_dir`),
keyed by the sha256 of the raw file and :data:`VERSION`, and in memory.
"""
from __future__ import annotations

import array
import os
import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from ..io import atomic_write
from . import _files

VERSION = 1  # bump when the tokenization changes, so old caches are not reused
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
RAW_KEYS = ("text_train_utf8", "offsets_train", "y_train", "text_test_utf8", "offsets_test", "y_test")


@dataclass
class Encoded:
    """A tokenized corpus as word ranks (1 = most frequent), ragged rows kept flat.

    ``ids_*``: int32 (total words,), the ranks of all reviews end to end;
    ``offsets_*``: int64 (n + 1,), review i is ``ids[offsets[i]:offsets[i+1]]``;
    ``y_*``: int64 (n,); ``words``: ``words[r - 1]`` is the word of rank r.
    """

    ids_train: np.ndarray
    offsets_train: np.ndarray
    y_train: np.ndarray
    ids_test: np.ndarray
    offsets_test: np.ndarray
    y_test: np.ndarray
    words: list[str]

    def word_index(self) -> dict[str, int]:
        """``{word: rank}``, the shape of Keras's ``imdb.get_word_index()``."""
        return {w: r for r, w in enumerate(self.words, start=1)}


def tokenize(text: str) -> list[str]:
    """The words of one review, as described in the module docstring."""
    return _WORD.findall(_BR.sub(" ", text.lower().replace("\u2019", "'")))


def _flat(rows: list[array.array]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ids = np.concatenate([np.frombuffer(r, dtype=np.int32) for r in rows]) if rows else np.zeros(0, np.int32)
    return ids.astype(np.int32, copy=False), offsets


def encode(train_texts: Iterable[str], y_train: np.ndarray,
           test_texts: Iterable[str], y_test: np.ndarray) -> Encoded:
    """Tokenize both splits and number the words by training-set frequency."""
    # One pass: give each word a provisional id on first sight, count with
    # bincount, then renumber; avoids keeping millions of token strings alive.
    provisional: dict[str, int] = {}
    get_id = provisional.setdefault
    train_rows = []
    for text in train_texts:
        train_rows.append(array.array("i", [get_id(w, len(provisional)) for w in tokenize(text)]))
    tmp_train, offsets_train = _flat(train_rows)
    counts = np.bincount(tmp_train, minlength=len(provisional))
    words_tmp = list(provisional)  # dicts keep insertion order: words_tmp[i] has provisional id i
    order = sorted(range(len(words_tmp)), key=lambda i: (-counts[i], words_tmp[i]))
    rank_of_tmp = np.empty(len(words_tmp), dtype=np.int32)
    rank_of_tmp[order] = np.arange(1, len(order) + 1, dtype=np.int32)
    words = [words_tmp[i] for i in order]
    rank = {w: r for r, w in enumerate(words, start=1)}

    test_rows = []
    for text in test_texts:
        test_rows.append(array.array("i", [r for r in map(rank.get, tokenize(text)) if r is not None]))
    ids_test, offsets_test = _flat(test_rows)
    return Encoded(rank_of_tmp[tmp_train], offsets_train, np.asarray(y_train, np.int64),
                   ids_test, offsets_test, np.asarray(y_test, np.int64), words)


def _texts(buf: np.ndarray, offsets: np.ndarray) -> Iterable[str]:
    raw = buf.tobytes()
    for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist()):
        yield raw[a:b].decode("utf-8")


def encode_raw_npz(path: str) -> Encoded:
    """Tokenize a data-dir ``imdb_raw.npz`` (the keys :data:`RAW_KEYS`), without any cache."""
    with np.load(path, allow_pickle=False) as f:
        _files.require_keys(f.files, RAW_KEYS, path)
        raw = {k: f[k] for k in RAW_KEYS}
    return encode(_texts(raw["text_train_utf8"], raw["offsets_train"]), raw["y_train"],
                  _texts(raw["text_test_utf8"], raw["offsets_test"]), raw["y_test"])


# ---------------------------------------------------------------- caching

_memory: dict[str, Encoded] = {}  # at most one entry: the last corpus used


def _cache_path(key: str) -> str:
    return os.path.join(_files.minidl_cache_dir(), "imdb", f"tokens-v{VERSION}-{key[:24]}.npz")


def _save(enc: Encoded, path: str) -> None:
    vocab = np.frombuffer("\n".join(enc.words).encode("utf-8"), dtype=np.uint8)
    arrays = dict(ids_train=enc.ids_train, offsets_train=enc.offsets_train, y_train=enc.y_train,
                  ids_test=enc.ids_test, offsets_test=enc.offsets_test, y_test=enc.y_test, vocab_utf8=vocab)

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:  # a file object, so np.savez does not append ".npz" to tmp
            np.savez(f, **arrays)

    atomic_write(path, write)


def _load(path: str) -> Encoded:
    with np.load(path, allow_pickle=False) as f:
        vocab = f["vocab_utf8"].tobytes().decode("utf-8")
        return Encoded(f["ids_train"], f["offsets_train"], f["y_train"], f["ids_test"], f["offsets_test"],
                       f["y_test"], vocab.split("\n") if vocab else [])


def encoded_from_raw(path: str) -> Encoded:
    """:func:`encode_raw_npz`, memoized in memory and in the on-disk cache."""
    key = _files.hash_file(path, "sha256")
    if key in _memory:
        return _memory[key]
    cache = _cache_path(key)
    enc = None
    if os.path.isfile(cache):
        try:
            enc = _load(cache)
        except (OSError, ValueError, KeyError):
            enc = None  # a damaged cache is rebuilt below, never trusted
    if enc is None:
        enc = encode_raw_npz(path)
        try:
            _save(enc, cache)
        except OSError:
            pass  # a read-only cache only costs speed, the result is still right
    _memory.clear()
    _memory[key] = enc
    return enc
