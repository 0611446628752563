import numpy as np
import pytest

import minidl
from minidl import utils
from minidl.preprocessing.sequence import pad_sequences as pp_pad


@pytest.mark.keras
@pytest.mark.parametrize("labels,num_classes", [([0, 2, 1, 2], None), ([[1], [0], [3]], 5),
                                                (np.array([[0, 1], [2, 2]]), 3), ([], 3)])
def test_to_categorical_matches_keras(labels, num_classes):
    keras = pytest.importorskip("keras")
    ours = utils.to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(np.array(labels, dtype=np.int64), num_classes)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\), got range \[0, 3\]"):
        utils.to_categorical([0, 3], 2)
    with pytest.raises(ValueError, match="non-integral"):
        utils.to_categorical([0.5])


SEQS = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]


@pytest.mark.keras
@pytest.mark.parametrize("kwargs", [{}, {"maxlen": 3}, {"maxlen": 4, "padding": "post"},
                                    {"maxlen": 2, "truncating": "post", "value": -1},
                                    {"dtype": "float32", "maxlen": 6, "value": 0.5}])
def test_pad_sequences_matches_keras(kwargs):
    keras = pytest.importorskip("keras")
    theirs = keras.utils.pad_sequences(SEQS, **kwargs)
    for ours in (utils.pad_sequences(SEQS, **kwargs), pp_pad(SEQS, **kwargs)):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.keras
def test_pad_sequences_of_vectors_matches_keras():
    keras = pytest.importorskip("keras")
    seqs = [np.ones((2, 3)), np.arange(12).reshape(4, 3)]
    np.testing.assert_array_equal(utils.pad_sequences(seqs, maxlen=3),
                                  keras.utils.pad_sequences(seqs, maxlen=3))


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match='padding must be "pre" or "post"'):
        utils.pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="list of iterables"):
        utils.pad_sequences([1, 2])


def _functional():
    L = minidl.layers
    a = minidl.Input((4,), name="a")
    b = minidl.Input((4,), name="b")
    h = L.Dense(3, activation="relu", name="h")(a)
    g = L.Dense(3, name="g")(b)
    out = L.Concatenate(name="cat")([h, g])
    return minidl.Model([a, b], L.Dense(1, name="out")(out))


def test_inbound_layer_names_and_dot(tmp_path):
    model = _functional()
    layer = {l.name: l for l in model.layers}
    assert utils.inbound_layer_names(layer["cat"], model) == ["h", "g"]
    assert utils.inbound_layer_names(layer["h"], model) == ["a"]
    dot = utils.model_to_dot(model, show_shapes=True)
    assert '"h" -> "cat";' in dot and '"g" -> "cat";' in dot and '"cat" -> "out";' in dot
    path = utils.plot_model(model, to_file=str(tmp_path / "m.dot"))
    assert open(path).read() == utils.model_to_dot(model)
    seq = minidl.Sequential([minidl.Input((2,)), minidl.layers.Dense(2, name="d1"), minidl.layers.Dense(1, name="d2")])
    assert '"d1" -> "d2";' in utils.model_to_dot(seq)


def test_plot_model_image_needs_pydot_and_graphviz(tmp_path):
    try:
        import pydot  # noqa: F401
        import shutil
        if shutil.which("dot"):
            pytest.skip("pydot and graphviz are installed")
        missing = "dot"
    except ImportError:
        missing = "pydot"
    with pytest.raises(ImportError, match=f"'{missing}'"):
        utils.plot_model(_functional(), to_file=str(tmp_path / "m.png"))


def test_set_random_seed_reexported():
    utils.set_random_seed(3)
    a = minidl.config.rng().integers(1 << 30)
    utils.set_random_seed(3)
    assert minidl.config.rng().integers(1 << 30) == a
