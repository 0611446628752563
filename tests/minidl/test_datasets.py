"""Tests of minidl.datasets: every lookup layout on tiny files, the IMDB tokenizer,
the not-found error, synthetic data, parity with keras.datasets, and the real data."""
from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import pickle
import subprocess
import sys
import tarfile
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from minidl import datasets
from minidl.datasets import _files, _imdb_tokenize, boston_housing, cifar10, cifar100, imdb, mnist, pima

USER_CACHE = _files.minidl_cache_dir()  # read before the fixtures below redirect it


class FakeNetwork:
    """Stands in for urlopen: serves ``files[url]`` or fails as an offline machine does, and logs URLs."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requested: list[str] = []

    def urlopen(self, url: str, timeout: float | None = None) -> io.BytesIO:
        self.requested.append(url)
        if url not in self.files:
            raise urllib.error.URLError("network is unreachable (test)")
        response = io.BytesIO(self.files[url])
        response.headers = {"Content-Length": str(len(self.files[url]))}
        return response


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch) -> FakeNetwork:
    """Empty Keras cache, no data dir, a private minidl cache, and no real network for every test."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(_files.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv(_files.CACHE_DIR_ENV, str(tmp_path / "minidl_cache"))
    net = FakeNetwork()
    monkeypatch.setattr(urllib.request, "urlopen", net.urlopen)
    _imdb_tokenize._memory.clear()
    return net


def keras_dir(tmp_path: Path) -> Path:
    d = tmp_path / "keras_home" / "datasets"
    d.mkdir(parents=True, exist_ok=True)
    return d


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rng_images(rng, n, shape):
    return rng.integers(0, 256, size=(n,) + shape, dtype=np.uint8)


# ----------------------------------------------------------------------------- MNIST

def small_mnist(rng):
    return dict(x_train=rng_images(rng, 6, (28, 28)), y_train=rng.integers(0, 10, 6).astype(np.uint8),
                x_test=rng_images(rng, 4, (28, 28)), y_test=rng.integers(0, 10, 4).astype(np.uint8))


def check_round_trip(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"), (y_test, "y_test")):
        assert got.dtype == arrays[key].dtype, key
        np.testing.assert_array_equal(got, arrays[key])


def test_mnist_from_data_dir_argument_and_env(tmp_path, monkeypatch):
    arrays = small_mnist(np.random.default_rng(0))
    data = tmp_path / "data"
    data.mkdir()
    np.savez_compressed(data / "mnist.npz", **arrays)
    check_round_trip(mnist.load_data(data_dir=data), arrays)
    monkeypatch.setenv("MINIDL_DATA_DIR", str(data))
    check_round_trip(mnist.load_data(), arrays)
    info = datasets.describe("mnist")
    assert info["source"] == "data-dir" and info["path"] == str(data / "mnist.npz") and info["lossy"] is False


def test_mnist_from_keras_cache_checks_the_hash(tmp_path, monkeypatch, isolated):
    arrays = small_mnist(np.random.default_rng(1))
    path = keras_dir(tmp_path) / "mnist.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(path))
    check_round_trip(mnist.load_data(), arrays)
    assert datasets.describe("mnist") == {"name": "mnist", "source": "keras-cache", "path": str(path),
                                          "lossy": False, "url": mnist.URL, "notes": []}
    assert isolated.requested == []
    # A cached file whose hash differs is not trusted: Keras would download it again, and so do we.
    monkeypatch.setattr(mnist, "FILE_HASH", "0" * 64)
    with pytest.raises(datasets.DatasetNotFoundError, match="hash"):
        mnist.load_data()
    assert isolated.requested == [mnist.URL]


def test_data_dir_without_the_file_falls_through_to_the_keras_cache(tmp_path, monkeypatch):
    arrays = small_mnist(np.random.default_rng(2))
    path = keras_dir(tmp_path) / "mnist.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(path))
    (tmp_path / "empty").mkdir()
    check_round_trip(mnist.load_data(data_dir=tmp_path / "empty"), arrays)


def test_data_dir_that_does_not_exist_is_an_error(tmp_path, monkeypatch):
    with pytest.raises(NotADirectoryError, match="data_dir=.*nowhere"):
        mnist.load_data(data_dir=tmp_path / "nowhere")
    monkeypatch.setenv("MINIDL_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(NotADirectoryError, match="MINIDL_DATA_DIR"):
        mnist.load_data()


def test_data_dir_npz_missing_keys_names_them(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(KeyError, match="y_train"):
        mnist.load_data(data_dir=tmp_path)


def test_download_is_atomic_hash_checked_and_then_cached(tmp_path, monkeypatch, isolated):
    arrays = small_mnist(np.random.default_rng(3))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    isolated.files[mnist.URL] = buf.getvalue()
    monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(buf.getvalue()).hexdigest())
    assert datasets.describe("mnist")["source"] == "download"
    cached = keras_dir(tmp_path) / "mnist.npz"
    assert cached.read_bytes() == buf.getvalue()
    check_round_trip(mnist.load_data(), arrays)
    assert datasets.describe("mnist")["source"] == "keras-cache"
    assert isolated.requested == [mnist.URL]  # downloaded once


def test_download_with_the_wrong_hash_leaves_nothing_behind(tmp_path, monkeypatch, isolated):
    isolated.files[mnist.URL] = b"not the file"
    with pytest.raises(datasets.DatasetNotFoundError, match="hash"):
        mnist.load_data()
    assert list(keras_dir(tmp_path).iterdir()) == []


def test_keras_home_default_is_home_dot_keras(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    assert _files.keras_datasets_dir() == str(tmp_path / "home" / ".keras" / "datasets")


# ----------------------------------------------------------------------------- not found

LOADERS = [
    ("mnist", lambda: mnist.load_data(), mnist.URL),
    ("cifar10", lambda: cifar10.load_data(), cifar10.URL),
    ("cifar100", lambda: cifar100.load_data(), cifar100.URL),
    ("imdb", lambda: imdb.load_data(), imdb.URL),
    ("imdb", lambda: imdb.get_word_index(), imdb.INDEX_URL),
    ("boston_housing", lambda: boston_housing.load_data(), boston_housing.URL),
    ("pima", lambda: pima.load_data(), pima.URL),
]


@pytest.mark.parametrize("name,load,url", LOADERS, ids=[f"{n}-{u.rsplit('/', 1)[1]}" for n, _, u in LOADERS])
def test_nothing_found_raises_and_names_the_three_ways(tmp_path, isolated, name, load, url):
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        load()
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    assert "data_dir" in message and "MINIDL_DATA_DIR" in message  # way 1
    assert str(keras_dir(tmp_path)) in message  # way 2: the Keras cache path
    assert url in message and "network" in message  # way 3
    assert isolated.requested == [url]  # one download attempt, through the fake
    assert not list(keras_dir(tmp_path).rglob("*.tmp-*"))  # no partial download left


def test_describe_raises_too_and_rejects_unknown_names():
    with pytest.raises(datasets.DatasetNotFoundError):
        datasets.describe("boston_housing")
    with pytest.raises(ValueError, match="name='fashion'"):
        datasets.describe("fashion")


# ----------------------------------------------------------------------------- Boston

def test_boston_from_data_dir_uses_the_keras_split(tmp_path):
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(30, 13)), rng.uniform(5, 50, size=30)
    np.savez(tmp_path / "boston_housing.npz", x=x, y=y)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(data_dir=tmp_path)
    # Keras: RandomState(113).shuffle(arange(n)), first int(n * 0.8) rows train.
    order = np.arange(30)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(x_train, x[order[:24]])
    np.testing.assert_array_equal(y_test, y[order[24:]])
    assert x_train.dtype == np.float64 and x_test.shape == (6, 13) and y_train.shape == (24,)
    (x_train2, _), (x_test2, _) = boston_housing.load_data(test_split=0.5, seed=1, data_dir=tmp_path)
    assert len(x_train2) == 15 and len(x_test2) == 15
    with pytest.raises(ValueError, match="test_split=1.0"):
        boston_housing.load_data(test_split=1.0, data_dir=tmp_path)


def test_boston_from_keras_cache(tmp_path, monkeypatch):
    x, y = np.arange(130.0).reshape(10, 13), np.arange(10.0)
    path = keras_dir(tmp_path) / "boston_housing.npz"
    np.savez(path, x=x, y=y)
    monkeypatch.setattr(boston_housing, "FILE_HASH", sha256(path))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    np.testing.assert_array_equal(x_train[:, 0] / 13, y_train)  # rows and targets stay paired


# ----------------------------------------------------------------------------- CIFAR

def cifar_batch(path: Path, x: np.ndarray, labels: dict[str, list[int]]) -> None:
    """A batch in the CIFAR python format: rows of 3072 bytes, channels first, bytes keys."""
    d = {b"data": x.transpose(0, 3, 1, 2).reshape(len(x), 3072), b"filenames": [b"a.png"] * len(x)}
    d.update({k.encode(): v for k, v in labels.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump(d, f, protocol=4)  # protocol 2 from Python 3 needs _codecs, which both Keras and we refuse


def make_cifar10_folder(folder: Path, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xs, ys = [], []
    for i in range(1, 6):
        x, y = rng_images(rng, 2, (32, 32, 3)), rng.integers(0, 10, 2).tolist()
        cifar_batch(folder / f"data_batch_{i}", x, {"labels": y})
        xs.append(x)
        ys += y
    x_test, y_test = rng_images(rng, 3, (32, 32, 3)), rng.integers(0, 10, 3).tolist()
    cifar_batch(folder / "test_batch", x_test, {"labels": y_test})
    return np.concatenate(xs), np.array(ys), x_test, np.array(y_test)


def check_cifar10(loaded, expected):
    (x_train, y_train), (x_test, y_test) = loaded
    assert x_train.shape == (10, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (10, 1) and y_train.dtype == np.uint8 and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, expected[0])
    np.testing.assert_array_equal(y_train[:, 0], expected[1])
    np.testing.assert_array_equal(x_test, expected[2])
    np.testing.assert_array_equal(y_test[:, 0], expected[3])


def test_cifar_batches_are_read_channels_last(tmp_path):
    x = np.zeros((1, 32, 32, 3), np.uint8)
    x[..., 0], x[..., 1], x[..., 2] = 10, 20, 30
    x[0, 0, 1, 2] = 99  # row 0, column 1, blue
    cifar_batch(tmp_path / "b", x, {"labels": [7]})
    from minidl.datasets._cifar import load_batch
    got, labels = load_batch(str(tmp_path / "b"))
    np.testing.assert_array_equal(got, x)
    assert labels == [7]


@pytest.mark.parametrize("layout", ["keras3", "tf.keras"])
def test_cifar10_from_extracted_keras_cache(tmp_path, layout):
    root = keras_dir(tmp_path)
    folder = (root / "cifar-10-batches-py-target" / "cifar-10-batches-py" if layout == "keras3"
              else root / "cifar-10-batches-py")
    expected = make_cifar10_folder(folder, np.random.default_rng(5))
    check_cifar10(cifar10.load_data(), expected)
    assert datasets.describe("cifar10")["source"] == "keras-cache"


def test_cifar10_from_keras_archive_is_extracted(tmp_path, monkeypatch):
    src = tmp_path / "src"
    expected = make_cifar10_folder(src / "cifar-10-batches-py", np.random.default_rng(6))
    archive = keras_dir(tmp_path) / "cifar-10-batches-py-target_archive"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    monkeypatch.setattr(cifar10, "FILE_HASH", sha256(archive))
    check_cifar10(cifar10.load_data(), expected)
    assert (keras_dir(tmp_path) / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").is_file()
    check_cifar10(cifar10.load_data(), expected)  # now from the extracted folder


def test_cifar10_from_data_dir_reports_lossy(tmp_path):
    rng = np.random.default_rng(7)
    arrays = dict(x_train=rng_images(rng, 4, (32, 32, 3)), y_train=np.array([[1], [2], [3], [4]], np.uint8),
                  x_test=rng_images(rng, 2, (32, 32, 3)), y_test=np.array([[5], [6]], np.uint8))
    np.savez(tmp_path / "cifar10.npz", **arrays, lossy=np.array(True))
    check_round_trip(cifar10.load_data(data_dir=tmp_path), arrays)
    assert datasets.describe("cifar10", tmp_path)["lossy"] is True
    np.savez(tmp_path / "cifar10.npz", **arrays)
    assert datasets.describe("cifar10", tmp_path)["lossy"] is False


def test_cifar100_from_keras_cache_fine_and_coarse(tmp_path):
    rng = np.random.default_rng(8)
    folder = keras_dir(tmp_path) / "cifar-100-python-target" / "cifar-100-python"
    x_train, x_test = rng_images(rng, 5, (32, 32, 3)), rng_images(rng, 2, (32, 32, 3))
    cifar_batch(folder / "train", x_train, {"fine_labels": [0, 99, 5, 6, 7], "coarse_labels": [0, 19, 1, 1, 1]})
    cifar_batch(folder / "test", x_test, {"fine_labels": [42, 43], "coarse_labels": [8, 9]})
    (xa, ya), (xb, yb) = cifar100.load_data()
    np.testing.assert_array_equal(xa, x_train)
    np.testing.assert_array_equal(xb, x_test)
    assert ya.shape == (5, 1) and ya.dtype == np.int64  # Keras gives int64 for CIFAR-100
    assert ya[:, 0].tolist() == [0, 99, 5, 6, 7] and yb[:, 0].tolist() == [42, 43]
    (_, ya), (_, yb) = cifar100.load_data(label_mode="coarse")
    assert ya[:, 0].tolist() == [0, 19, 1, 1, 1] and yb[:, 0].tolist() == [8, 9]
    with pytest.raises(ValueError, match="label_mode='medium'"):
        cifar100.load_data(label_mode="medium")


def test_cifar100_from_data_dir(tmp_path):
    rng = np.random.default_rng(9)
    x_train, x_test = rng_images(rng, 3, (32, 32, 3)), rng_images(rng, 2, (32, 32, 3))
    np.savez(tmp_path / "cifar100.npz", x_train=x_train, x_test=x_test,
             y_train_fine=np.array([1, 2, 3]), y_test_fine=np.array([4, 5]),
             y_train_coarse=np.array([0, 0, 1]), y_test_coarse=np.array([1, 2]))
    (xa, ya), (xb, yb) = cifar100.load_data("coarse", data_dir=tmp_path)
    np.testing.assert_array_equal(xa, x_train)
    assert ya.tolist() == [[0], [0], [1]] and yb.tolist() == [[1], [2]] and ya.dtype == np.int64


# ----------------------------------------------------------------------------- Pima

def pima_table(rng) -> np.ndarray:
    data = np.round(rng.uniform(0, 100, size=(768, 9)), 3)
    data[:, -1] = rng.integers(0, 2, 768)
    data[0] = [6, 148, 72, 35, 0, 33.6, 0.627, 50, 1]
    return data


def write_csv(path: Path, data: np.ndarray) -> None:
    path.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in data) + "\n")


def check_pima(x, y, data):
    assert x.shape == (768, 8) and x.dtype == np.float64 and y.shape == (768,) and y.dtype == np.int64
    np.testing.assert_array_equal(x, data[:, :8])
    np.testing.assert_array_equal(y, data[:, 8].astype(np.int64))


def test_pima_from_data_dir_npz_and_csv(tmp_path):
    data = pima_table(np.random.default_rng(10))
    write_csv(tmp_path / "pima-indians-diabetes.csv", data)
    check_pima(*pima.load_data(data_dir=tmp_path), data)
    np.savez(tmp_path / "pima_indians_diabetes.npz", x=data[:, :8], y=data[:, 8].astype(np.int64), data=data)
    check_pima(*pima.load_data(data_dir=tmp_path), data)
    assert datasets.describe("pima", tmp_path)["path"].endswith("pima_indians_diabetes.npz")


def test_pima_from_keras_cache_and_download(tmp_path, isolated):
    data = pima_table(np.random.default_rng(11))
    src = tmp_path / "served.csv"
    write_csv(src, data)
    isolated.files[pima.URL] = src.read_bytes()
    check_pima(*pima.load_data(), data)  # downloaded, validated, cached
    assert (keras_dir(tmp_path) / "pima-indians-diabetes.csv").read_bytes() == src.read_bytes()
    assert datasets.describe("pima")["source"] == "keras-cache"
    assert isolated.requested == [pima.URL]


def test_pima_rejects_a_csv_of_the_wrong_shape(tmp_path, isolated):
    write_csv(keras_dir(tmp_path) / "pima-indians-diabetes.csv", np.ones((767, 9)))
    isolated.files[pima.URL] = b"1,2,3\n"
    with pytest.raises(datasets.DatasetNotFoundError, match=r"\(767, 9\)") as info:
        pima.load_data()
    assert "(1, 3)" in str(info.value)  # the downloaded file was checked too
    assert (keras_dir(tmp_path) / "pima-indians-diabetes.csv").stat().st_size > 100  # and not written


# ----------------------------------------------------------------------------- IMDB tokenizer

def write_imdb_raw(path: Path, train: list[tuple[str, int]], test: list[tuple[str, int]]) -> None:
    arrays = {}
    for split, rows in (("train", train), ("test", test)):
        blobs = [t.encode("utf-8") for t, _ in rows]
        arrays[f"text_{split}_utf8"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
        arrays[f"offsets_{split}"] = np.concatenate([[0], np.cumsum([len(b) for b in blobs])]).astype(np.int64)
        arrays[f"y_{split}"] = np.array([y for _, y in rows], dtype=np.int64)
    np.savez(path, **arrays)


# Word counts over TRAIN: the 5, movie 4, good 3, then 10, bad, i, was 2 each (see the ranks test).
TRAIN = [("The movie was GOOD.<br /><br />Good, good!", 1),
         ("The movie was bad; the acting: bad.", 0),
         ("I didn't like the movie... 'boring'", 0),
         ("I love the movie and its 10/10 score", 1)]
TEST = [("The unseen-word movie is good", 1), ("bad bad zebra", 0), ("the", 1)]


@pytest.fixture
def tiny_imdb(tmp_path) -> Path:
    d = tmp_path / "imdb_data"
    d.mkdir()
    write_imdb_raw(d / "imdb_raw.npz", TRAIN, TEST)
    return d


def test_tokenize_rules():
    assert _imdb_tokenize.tokenize("I LOVED it!<br /><br/>Don't 'miss' 10/10 rock'n'roll, café_bar it\u2019s") == [
        "i", "loved", "it", "don't", "miss", "10", "10", "rock'n'roll", "café", "bar", "it's"]


def test_word_ranks_follow_training_frequency(tiny_imdb):
    index = imdb.get_word_index(data_dir=tiny_imdb)
    # the 5, movie 4, good 3; count 2 alphabetically: 10 (from "10/10"), bad, i, was; then count 1.
    assert [w for w, _ in sorted(index.items(), key=lambda kv: kv[1])] == [
        "the", "movie", "good", "10", "bad", "i", "was", "acting", "and", "boring", "didn't", "its", "like",
        "love", "score"]
    assert "unseen" not in index and "zebra" not in index  # test words never count


def test_load_data_with_keras_defaults(tiny_imdb):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(data_dir=tiny_imdb, seed=113)
    assert x_train.dtype == object and x_train.shape == (4,) and y_train.dtype == np.int64
    order = np.arange(4)
    rng = np.random.RandomState(113)
    rng.shuffle(order)
    test_order = np.arange(3)
    rng.shuffle(test_order)  # the same generator continues for the test split, as in Keras
    index = imdb.get_word_index(data_dir=tiny_imdb)
    expected_train = [[1] + [index[w] + 3 for w in _imdb_tokenize.tokenize(TRAIN[i][0])] for i in order]
    # With num_words=None Keras takes the largest id as the limit, so that very id becomes oov (2).
    top = max(max(r) for r in expected_train)
    expected_train = [[w if w < top else 2 for w in r] for r in expected_train]
    assert [list(r) for r in x_train] == expected_train
    assert y_train.tolist() == [TRAIN[i][1] for i in order]
    # Test words unseen in training are dropped, not marked oov.
    the, movie, good, bad = (index[w] + 3 for w in ("the", "movie", "good", "bad"))
    expected_test = [[1, the, movie, good], [1, bad, bad], [1, the]]
    assert [list(r) for r in x_test] == [expected_test[i] for i in test_order]
    assert y_test.tolist() == [TEST[i][1] for i in test_order]


def keras_reference(train, y_train, test, y_test, num_words=None, skip_top=0, maxlen=None, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """keras.datasets.imdb.load_data's steps transcribed on plain lists: the oracle for the vectorized code."""
    rng = np.random.RandomState(seed)
    i = np.arange(len(train)); rng.shuffle(i)
    train, y_train = [train[k] for k in i], [y_train[k] for k in i]
    i = np.arange(len(test)); rng.shuffle(i)
    test, y_test = [test[k] for k in i], [y_test[k] for k in i]
    if start_char is not None:
        train = [[start_char] + [w + index_from for w in x] for x in train]
        test = [[start_char] + [w + index_from for w in x] for x in test]
    else:
        train = [[w + index_from for w in x] for x in train]
        test = [[w + index_from for w in x] for x in test]
    if maxlen:
        keep = [k for k, x in enumerate(train) if len(x) < maxlen]
        train, y_train = [train[k] for k in keep], [y_train[k] for k in keep]
        keep = [k for k, x in enumerate(test) if len(x) < maxlen]
        test, y_test = [test[k] for k in keep], [y_test[k] for k in keep]
    xs = train + test
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return xs[:len(train)], y_train, xs[len(train):], y_test


OPTIONS = [dict(num_words=5, index_from=0, start_char=None, seed=0), dict(num_words=7, oov_char=9, seed=1),
           dict(skip_top=5, num_words=100, seed=2), dict(num_words=6, oov_char=None, seed=3),
           dict(maxlen=8, seed=4), dict(maxlen=8, start_char=None, index_from=1, oov_char=None, seed=5)]


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_load_data_options_act_as_in_keras(tiny_imdb, options):
    index = imdb.get_word_index(data_dir=tiny_imdb)
    ranks = [[[index[w] for w in _imdb_tokenize.tokenize(t) if w in index] for t, _ in rows] for rows in (TRAIN, TEST)]
    want = keras_reference(ranks[0], [y for _, y in TRAIN], ranks[1], [y for _, y in TEST], **options)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(data_dir=tiny_imdb, **options)
    assert ([list(r) for r in x_train], y_train.tolist(), [list(r) for r in x_test], y_test.tolist()) == want


def test_load_data_options_spot_checks(tiny_imdb):
    def rows(**kw):
        (x_train, y_train), (x_test, y_test) = imdb.load_data(data_dir=tiny_imdb, **kw)
        return [list(r) for r in x_train], y_train.tolist(), [list(r) for r in x_test], y_test.tolist()

    x_train, *_ = rows(num_words=7, oov_char=9)
    flat = sum(x_train, [])
    assert set(flat) == {1, 4, 5, 6, 9}  # start 1; the/movie/good = 4/5/6; everything else oov
    x_train, *_ = rows(skip_top=5, num_words=100)  # skip_top compares the shifted ids: start and "the" go
    assert all(r[0] == 2 for r in x_train) and 4 not in sum(x_train, [])
    x_train, *_ = rows(num_words=6, oov_char=None)  # oov_char=None drops the words instead
    assert set(sum(x_train, [])) == {1, 4, 5}
    x_train, y_train, x_test, _ = rows(maxlen=8)  # keeps reviews *shorter* than maxlen, start char counted
    assert all(len(r) < 8 for r in x_train + x_test) and len(x_train) == len(y_train) == 2
    with pytest.raises(ValueError, match="maxlen=2"):
        rows(maxlen=2)
    with pytest.raises(ValueError, match="num_words=-1"):
        rows(num_words=-1)


def test_seed_determinism(tiny_imdb):
    a = imdb.load_data(data_dir=tiny_imdb, seed=5)
    b = imdb.load_data(data_dir=tiny_imdb, seed=5)
    assert [list(r) for r in a[0][0]] == [list(r) for r in b[0][0]]
    orders = {tuple(tuple(r) for r in imdb.load_data(data_dir=tiny_imdb, seed=s)[0][0]) for s in range(6)}
    assert len(orders) > 1


def test_tokenized_corpus_is_cached_on_disk(tiny_imdb, tmp_path, monkeypatch):
    first = imdb.load_data(data_dir=tiny_imdb)
    caches = list((tmp_path / "minidl_cache" / "imdb").glob("tokens-*.npz"))
    assert len(caches) == 1

    def no_tokenizing(path):
        raise AssertionError("tokenized again instead of reading the cache")

    monkeypatch.setattr(_imdb_tokenize, "encode_raw_npz", no_tokenizing)
    _imdb_tokenize._memory.clear()
    again = imdb.load_data(data_dir=tiny_imdb)
    assert [list(r) for r in again[0][0]] == [list(r) for r in first[0][0]]
    assert imdb.get_word_index(data_dir=tiny_imdb)["the"] == 1


def test_imdb_from_keras_cache(tmp_path, monkeypatch):
    x_train = np.empty(3, dtype=object)
    x_train[:] = [[1, 2, 3], [4, 4], [5]]
    x_test = np.empty(2, dtype=object)
    x_test[:] = [[2, 2], [3, 1, 6]]
    path = keras_dir(tmp_path) / "imdb.npz"
    np.savez(path, x_train=x_train, y_train=np.array([1, 0, 1]), x_test=x_test, y_test=np.array([0, 1]))
    index_path = keras_dir(tmp_path) / "imdb_word_index.json"
    index_path.write_text(json.dumps({"the": 1, "and": 2}))
    monkeypatch.setattr(imdb, "FILE_HASH", sha256(path))
    monkeypatch.setattr(imdb, "INDEX_HASH", hashlib.md5(index_path.read_bytes()).hexdigest())
    (xa, ya), (xb, yb) = imdb.load_data(seed=0, num_words=8, index_from=1)
    order = np.arange(3)
    rng = np.random.RandomState(0)
    rng.shuffle(order)
    assert [list(r) for r in xa] == [[1] + [w + 1 for w in x_train[i]] for i in order]
    assert ya.tolist() == [[1, 0, 1][i] for i in order]
    assert imdb.get_word_index() == {"the": 1, "and": 2}
    assert datasets.describe("imdb")["source"] == "keras-cache"


def test_keras_cache_pickles_cannot_run_code(tmp_path, monkeypatch):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = keras_dir(tmp_path) / "cifar-10-batches-py" / "data_batch_1"
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}))
    from minidl.datasets._cifar import load_batch
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        load_batch(str(path))


# ----------------------------------------------------------------------------- synthetic

def test_synthetic_shapes_dtypes_and_ranges():
    (x, y), (xt, yt) = datasets.synthetic("mnist", n_train=50, n_test=20)
    assert x.shape == (50, 28, 28) and x.dtype == np.uint8 and y.dtype == np.uint8 and y.max() <= 9
    assert xt.shape == (20, 28, 28)
    (x, y), _ = datasets.synthetic("cifar10", n_train=30, n_test=10)
    assert x.shape == (30, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (30, 1) and y.dtype == np.uint8
    (x, y), _ = datasets.synthetic("cifar100", n_train=30, n_test=10, label_mode="coarse")
    assert y.dtype == np.int64 and y.max() < 20
    (x, y), (xt, yt) = datasets.synthetic("boston_housing")
    assert x.shape == (404, 13) and xt.shape == (102, 13) and x.dtype == np.float64
    assert 5 <= y.min() and y.max() <= 50 and set(np.unique(x[:, 3])) <= {0.0, 1.0}
    x, y = datasets.synthetic("pima")
    assert x.shape == (768, 8) and x.dtype == np.float64 and y.dtype == np.int64 and set(y.tolist()) == {0, 1}
    (x, y), (xt, yt) = datasets.synthetic("imdb", n_train=40, n_test=10, num_words=200)
    assert x.dtype == object and all(r[0] == 1 and max(r) < 200 for r in x) and y.dtype == np.int64
    with pytest.raises(ValueError, match="n_test=5"):
        datasets.synthetic("pima", n_test=5)
    with pytest.raises(TypeError, match="num_words"):
        datasets.synthetic("mnist", num_words=5)
    with pytest.raises(ValueError, match="name='svhn'"):
        datasets.synthetic("svhn")
    assert datasets.describe("mnist", synthetic=True)["source"] == "synthetic"


def test_synthetic_is_seeded():
    a = datasets.synthetic("imdb", n_train=5, n_test=5, seed=3)
    b = datasets.synthetic("imdb", n_train=5, n_test=5, seed=3)
    c = datasets.synthetic("imdb", n_train=5, n_test=5, seed=4)
    assert [list(r) for r in a[0][0]] == [list(r) for r in b[0][0]] != [list(r) for r in c[0][0]]
    np.testing.assert_array_equal(datasets.synthetic("cifar10", 5, 5, seed=1)[1][0],
                                  datasets.synthetic("cifar10", 5, 5, seed=1)[1][0])


def nearest_centroid_accuracy(x, y, xt, yt) -> float:
    classes = np.unique(y)
    centroids = np.stack([x[y == c].mean(axis=0) for c in classes])
    pred = classes[np.argmin(((xt[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)]
    return float((pred == yt).mean())


def test_synthetic_data_is_learnable():
    (x, y), (xt, yt) = datasets.synthetic("mnist", 500, 200)
    assert nearest_centroid_accuracy(x.reshape(500, -1) / 255, y, xt.reshape(200, -1) / 255, yt) > 0.9
    (x, y), (xt, yt) = datasets.synthetic("cifar10", 500, 200)
    assert nearest_centroid_accuracy(x.reshape(500, -1) / 255, y[:, 0], xt.reshape(200, -1) / 255, yt[:, 0]) > 0.9
    (x, y), (xt, yt) = datasets.synthetic("imdb", 400, 200, num_words=300)

    def bag(rows):
        out = np.zeros((len(rows), 300))
        for i, r in enumerate(rows):
            np.add.at(out[i], r, 1)
        return out / out.sum(1, keepdims=True)

    assert nearest_centroid_accuracy(bag(x), y, bag(xt), yt) > 0.75
    (x, y), (xt, yt) = datasets.synthetic("boston_housing")
    a = np.c_[x, np.ones(len(x))]
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    residual = yt - np.c_[xt, np.ones(len(xt))] @ coef
    assert 1 - residual.var() / yt.var() > 0.6
    x, y = datasets.synthetic("pima")
    assert np.corrcoef(x[:, 1], y)[0, 1] > 0.3  # glucose drives the outcome


# ----------------------------------------------------------------------------- parity with keras.datasets

KERAS_SCRIPT = textwrap.dedent("""
    import os, pickle, sys
    import keras.src.utils.file_utils as fu
    fu.validate_file = lambda *a, **k: True  # the tiny stand-in files cannot have Keras's hashes
    from keras.src.datasets import boston_housing, cifar10, cifar100, imdb, mnist
    out = {"mnist": mnist.load_data(),
           "cifar100": cifar100.load_data(label_mode="coarse"),
           "boston": boston_housing.load_data(test_split=0.3, seed=7)}
    for i, kw in enumerate(IMDB_OPTIONS):
        (a, b), (c, d) = imdb.load_data(**kw)
        out[f"imdb{i}"] = (([list(r) for r in a], b), ([list(r) for r in c], d))
    with open(sys.argv[1], "wb") as f:
        pickle.dump(out, f)
""")
IMDB_OPTIONS = [{}, {"num_words": 9, "skip_top": 4, "seed": 1}, {"maxlen": 5, "start_char": None, "index_from": 0},
                {"oov_char": None, "num_words": 7, "index_from": 2}]


@pytest.mark.keras
def test_same_results_as_keras_datasets_on_the_same_cache_files(tmp_path, monkeypatch):
    """Keras itself reads the tiny cache files in a subprocess (its own KERAS_HOME); minidl must agree exactly.

    CIFAR-10 is left out: Keras assumes 10,000 images per batch file, too big for a quick test;
    CIFAR-100 goes through the same batch format and channel order.
    """
    if importlib.util.find_spec("keras") is None:  # find_spec, not import: TensorFlow takes seconds to load
        pytest.skip("keras is not installed")
    rng = np.random.default_rng(12)
    root = keras_dir(tmp_path)
    np.savez(root / "mnist.npz", **small_mnist(rng))
    np.savez(root / "boston_housing.npz", x=rng.normal(size=(20, 13)), y=rng.uniform(5, 50, 20))
    src = tmp_path / "src"
    cifar_batch(src / "cifar-100-python" / "train", rng_images(rng, 4, (32, 32, 3)),
                {"fine_labels": [1, 2, 3, 4], "coarse_labels": [0, 1, 2, 3]})
    cifar_batch(src / "cifar-100-python" / "test", rng_images(rng, 2, (32, 32, 3)),
                {"fine_labels": [5, 6], "coarse_labels": [4, 5]})
    with tarfile.open(root / "cifar-100-python-target_archive", "w:gz") as tar:
        tar.add(src / "cifar-100-python", arcname="cifar-100-python")
    x_train = np.empty(6, dtype=object)
    x_train[:] = [rng.integers(1, 12, rng.integers(1, 7)).tolist() for _ in range(6)]
    x_test = np.empty(4, dtype=object)
    x_test[:] = [rng.integers(1, 12, rng.integers(1, 7)).tolist() for _ in range(4)]
    np.savez(root / "imdb.npz", x_train=x_train, y_train=rng.integers(0, 2, 6), x_test=x_test,
             y_test=rng.integers(0, 2, 4))
    for module, fname in ((mnist, "mnist.npz"), (boston_housing, "boston_housing.npz"), (imdb, "imdb.npz"),
                          (cifar100, "cifar-100-python-target_archive")):
        monkeypatch.setattr(module, "FILE_HASH", sha256(root / fname))

    script = tmp_path / "keras_side.py"
    script.write_text(f"IMDB_OPTIONS = {IMDB_OPTIONS!r}\n" + KERAS_SCRIPT)
    env = {**os.environ, "KERAS_HOME": str(tmp_path / "keras_home"), "KERAS_BACKEND": "tensorflow",
           "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "keras.pkl")], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / "keras.pkl", "rb") as f:
        theirs = pickle.load(f)

    ours = {"mnist": mnist.load_data(),
            "cifar100": cifar100.load_data(label_mode="coarse"),
            "boston": boston_housing.load_data(test_split=0.3, seed=7)}
    for key, ((a, b), (c, d)) in ours.items():
        for got, want in zip((a, b, c, d), (*theirs[key][0], *theirs[key][1])):
            assert got.dtype == want.dtype and got.shape == want.shape, key
            np.testing.assert_array_equal(got, want, err_msg=key)
    for i, kw in enumerate(IMDB_OPTIONS):
        (a, b), (c, d) = imdb.load_data(**kw)
        (ka, kb), (kc, kd) = theirs[f"imdb{i}"]
        assert [list(r) for r in a] == ka and [list(r) for r in c] == kc, kw
        assert b.tolist() == kb.tolist() and d.tolist() == kd.tolist() and b.dtype == kb.dtype, kw


# ----------------------------------------------------------------------------- real data (PROVENANCE.md)

def test_real_mnist(real_data_dir):
    (x, y), (xt, yt) = mnist.load_data(data_dir=real_data_dir("mnist"))
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28) and x.dtype == y.dtype == np.uint8
    assert np.bincount(y).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(yt).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4] and yt[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_real_boston_housing(real_data_dir):
    d = real_data_dir("boston_housing")
    (x, y), (xt, yt) = boston_housing.load_data(data_dir=d)
    assert x.shape == (404, 13) and xt.shape == (102, 13) and x.dtype == np.float64
    np.testing.assert_allclose(x[0], [1.23247, 0, 8.14, 0, 0.538, 6.142, 91.7, 3.9769, 4, 307, 21, 396.9, 18.72])
    np.testing.assert_allclose(y[:5], [15.2, 42.3, 50, 21.1, 17.7])
    assert yt[0] == pytest.approx(7.2)
    with np.load(d / "boston_housing.npz") as f:  # our split equals the one stored by prepare.py
        np.testing.assert_array_equal(x, f["x_train"])
        np.testing.assert_array_equal(yt, f["y_test"])


def test_real_pima(real_data_dir):
    x, y = pima.load_data(data_dir=real_data_dir("pima"))
    assert x.shape == (768, 8) and x.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_allclose(x[0], [6, 148, 72, 35, 0, 33.6, 0.627, 50])
    assert y[0] == 1 and np.bincount(y).tolist() == [500, 268]
    np.testing.assert_allclose(x[-1], [1, 93, 70, 31, 0, 30.4, 0.315, 23])


def test_real_cifar10_is_flagged_lossy(real_data_dir):
    d = real_data_dir("cifar10")
    (x, y), (xt, yt) = cifar10.load_data(data_dir=d)
    assert x.shape == (50000, 32, 32, 3) and xt.shape == (10000, 32, 32, 3) and x.dtype == np.uint8
    assert y.shape == (50000, 1) and y.dtype == np.uint8 and np.bincount(y[:, 0]).tolist() == [5000] * 10
    assert datasets.describe("cifar10", d)["lossy"] is True


def test_real_imdb(real_data_dir, monkeypatch):
    # The user's cache: tokenizing the 50,000 reviews (about 5 s) then happens once per machine.
    monkeypatch.setenv(_files.CACHE_DIR_ENV, USER_CACHE)
    d = real_data_dir("imdb")
    (x, y), (xt, yt) = imdb.load_data(data_dir=d)
    assert x.shape == (25000,) and xt.shape == (25000,) and x.dtype == object and isinstance(x[0], list)
    assert y.dtype == np.int64 and int(y.sum()) == 12500 and int(yt.sum()) == 12500
    assert all(r[0] == 1 for r in x)
    index = imdb.get_word_index(data_dir=d)
    assert [w for w, r in sorted(index.items(), key=lambda kv: kv[1])[:4]] == ["the", "and", "a", "of"]
    # Every rank occurs in training, so the top id is len(index) + 3, which Keras's rule makes oov.
    assert max(max(r) for r in x) == len(index) + 2
    # "Bromwell High is a cartoon comedy." comes back through the index.
    words = {r + 3: w for w, r in index.items()}
    assert "bromwell high is a cartoon comedy" in {" ".join(words.get(i, "?") for i in r[1:7]) for r in x}
    info = datasets.describe("imdb", d)
    assert info["source"] == "data-dir" and "not Keras's exact" in info["notes"][0]


def test_datasets_import_neither_tensorflow_nor_keras():
    code = ("import sys, minidl.datasets; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
