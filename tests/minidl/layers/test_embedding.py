"""Embedding: lookup, accumulated gradients, parity with Keras, id validation."""
from __future__ import annotations

import numpy as np
import pytest

from minidl import config, gradcheck, regularizers
from minidl.layers import Embedding, Input
from layer_checks import F32_TOL, GRAD_TOL, scaled_error, tfk  # noqa: F401

# (input_dim, output_dim, ids shape)
CASES = [(7, 3, (2, 5)), (1, 4, (1, 3)), (10, 2, (3, 4, 2)), (5, 6, (4,))]


def _id(case) -> str:
    return "-".join(str(v) for v in case).replace(" ", "")


def _embedding(case, **kwargs):
    input_dim, output_dim, shape = case
    layer = Embedding(input_dim, output_dim, **kwargs)
    layer._maybe_build((None, *shape[1:]))
    rng = np.random.default_rng(0)
    # every id at least twice, so the accumulation into repeated rows is checked
    ids = rng.permutation(np.resize(np.arange(input_dim), int(np.prod(shape))))
    return layer, ids.reshape(shape).astype(config.floatx())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_gradient_of_the_table(float64, case):
    """The ids are not differentiable, so only the table is checked."""
    layer, ids = _embedding(case, embeddings_regularizer=regularizers.L2(0.1))
    w = np.random.default_rng(1).standard_normal((*ids.shape, layer.output_dim))

    def f() -> float:
        return float(np.sum(layer.forward(ids)[0] * w)) + layer.weight_penalty()

    _, cache = layer.forward(ids)
    dx, grads = layer.backward(cache, w)
    np.testing.assert_array_equal(dx, np.zeros(ids.shape))
    table = layer.params["embeddings"]
    analytic = grads["embeddings"].copy()
    layer.regularizers["embeddings"].add_gradient(table, analytic)  # the penalty's part, as the trainer adds it
    assert gradcheck.check_array(f, table, analytic) < GRAD_TOL


def test_repeated_ids_accumulate():
    layer, _ = _embedding((4, 2, (1, 3)))
    _, cache = layer.forward(np.array([[2, 2, 0]], np.float32))
    _, grads = layer.backward(cache, np.array([[[1, 2], [10, 20], [100, 200]]], np.float32))
    np.testing.assert_array_equal(grads["embeddings"], [[100, 200], [0, 0], [11, 22], [0, 0]])


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_lookup_shapes_and_dtypes(case):
    input_dim, output_dim, shape = case
    layer, ids = _embedding(case)
    y, _ = layer.forward(ids)
    assert y.shape == (*shape, output_dim)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *shape[1:], output_dim)
    np.testing.assert_array_equal(y, layer.params["embeddings"][ids.astype(int)])
    np.testing.assert_array_equal(layer.forward(ids.astype(np.int64))[0], y)
    assert y.dtype == np.float32


def test_default_initializer_is_uniform_005():
    layer = Embedding(10000, 50)
    out = layer(Input((400,)))
    assert out.shape == (None, 400, 50)
    table = layer.params["embeddings"]
    assert table.shape == (10000, 50) and table.dtype == np.float32
    assert -0.05 <= table.min() < -0.049 and 0.049 < table.max() <= 0.05
    assert layer.count_params() == 500_000


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_forward_matches_keras(tfk, case):
    keras, _ = tfk
    layer, ids = _embedding(case)
    layer.set_weights([np.random.default_rng(2).standard_normal(layer.params["embeddings"].shape)])
    ref = keras.layers.Embedding(case[0], case[1])
    ref.build((None, *case[2][1:]))
    ref.set_weights(layer.get_weights())
    assert scaled_error(layer.forward(ids)[0], np.asarray(ref(ids.astype(np.int32)))) < F32_TOL


@pytest.mark.parametrize("bad, match", [
    (np.array([[0, 7]], np.float32), r"'emb' \(Embedding\) got id 7.* outside \[0, 7\)"),
    (np.array([[-1, 3]], np.float32), r"'emb' \(Embedding\) got id -1.* outside \[0, 7\)"),
    (np.array([[0, 1.5]], np.float32), r"'emb' \(Embedding\) expects integer ids.*1\.5"),
    (np.array([[0, np.nan]], np.float32), r"'emb' \(Embedding\) expects integer ids.*nan"),
    (np.array([[9, 2]], np.int64), r"'emb' \(Embedding\) got id 9"),
])
def test_bad_ids(bad, match):
    layer = Embedding(7, 3, name="emb")
    layer._maybe_build((None, 2))
    with pytest.raises(ValueError, match=match):
        layer.forward(bad)


def test_non_numeric_ids_and_bad_arguments():
    layer = Embedding(7, 3, name="emb2")
    layer._maybe_build((None, 2))
    with pytest.raises(TypeError, match=r"'emb2' \(Embedding\) expects integer ids, got dtype"):
        layer.forward(np.array([["a", "b"]]))
    for kwargs in (dict(input_dim=0, output_dim=3), dict(input_dim=-5, output_dim=3),
                   dict(input_dim=5, output_dim=0), dict(input_dim=5.0, output_dim=3)):
        with pytest.raises(ValueError, match="Embedding: (input|output)_dim"):
            Embedding(**kwargs)
