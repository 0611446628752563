"""Every differentiable op's VJP against central differences in float64 (random directions).

For an op f and a random cotangent w, the tape's gradient of Σ f(x)·w with respect to
each float argument is compared with ``gradcheck.check_array``'s differences.
"""
from __future__ import annotations

import numpy as np
import pytest

from minidl import config, ops
from minidl.gradcheck import check_array

R = np.random.default_rng(0)


def _r(*shape, low=None):
    a = R.standard_normal(shape)
    return np.abs(a) + 0.5 if low == "pos" else a


# (name, fn over the float arguments, the float arguments)
CASES = [
    ("add", ops.add, [_r(3, 4), _r(4)]),
    ("subtract", ops.subtract, [_r(3, 1), _r(3, 4)]),
    ("multiply", ops.multiply, [_r(3, 4), _r(3, 4)]),
    ("divide", ops.divide, [_r(3, 4), _r(3, 4, low="pos")]),
    ("power", ops.power, [_r(3, 4, low="pos"), _r(3, 4)]),
    ("maximum", ops.maximum, [_r(3, 4), _r(3, 4)]),
    ("minimum", ops.minimum, [_r(3, 4), _r(4)]),
    ("matmul", ops.matmul, [_r(3, 4), _r(4, 5)]),
    ("matmul_batched", ops.matmul, [_r(2, 3, 4), _r(4, 5)]),
    ("matmul_vec", ops.matmul, [_r(4), _r(2, 4, 5)]),
    ("dot", ops.dot, [_r(3, 4), _r(4)]),
    ("negative", ops.negative, [_r(3, 4)]),
    ("exp", ops.exp, [_r(3, 4)]),
    ("expm1", ops.expm1, [_r(3, 4)]),
    ("log", ops.log, [_r(3, 4, low="pos")]),
    ("log1p", ops.log1p, [_r(3, 4, low="pos")]),
    ("sqrt", ops.sqrt, [_r(3, 4, low="pos")]),
    ("square", ops.square, [_r(3, 4)]),
    ("abs", ops.abs, [_r(3, 4)]),
    ("sin", ops.sin, [_r(3, 4)]),
    ("cos", ops.cos, [_r(3, 4)]),
    ("reciprocal", ops.reciprocal, [_r(3, 4, low="pos")]),
    ("relu", ops.relu, [_r(3, 4)]),
    ("relu6", lambda x: ops.relu6(4 * x), [_r(3, 4)]),
    ("sigmoid", ops.sigmoid, [_r(3, 4)]),
    ("tanh", ops.tanh, [_r(3, 4)]),
    ("softmax", ops.softmax, [_r(3, 4)]),
    ("softmax_axis0", lambda x: ops.softmax(x, axis=0), [_r(3, 4)]),
    ("log_softmax", ops.log_softmax, [_r(3, 4)]),
    ("softplus", ops.softplus, [_r(3, 4)]),
    ("softsign", ops.softsign, [_r(3, 4)]),
    ("silu", ops.silu, [_r(3, 4)]),
    ("elu", ops.elu, [_r(3, 4)]),
    ("selu", ops.selu, [_r(3, 4)]),
    ("leaky_relu", ops.leaky_relu, [_r(3, 4)]),
    ("gelu", ops.gelu, [_r(3, 4)]),
    ("gelu_exact", lambda x: ops.gelu(x, approximate=False), [_r(3, 4)]),
    ("hard_sigmoid", lambda x: ops.hard_sigmoid(2 * x), [_r(3, 4)]),
    ("sum", lambda x: ops.sum(x, axis=1), [_r(3, 4)]),
    ("sum_all", ops.sum, [_r(3, 4)]),
    ("mean", lambda x: ops.mean(x, axis=(0, 2), keepdims=True), [_r(2, 3, 4)]),
    ("max", lambda x: ops.max(x, axis=0), [_r(3, 4)]),
    ("min", lambda x: ops.min(x, axis=-1, keepdims=True), [_r(3, 4)]),
    ("var", lambda x: ops.var(x, axis=0), [_r(3, 4)]),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=1), [_r(3, 4)]),
    ("reshape", lambda x: ops.reshape(x, (4, 3)), [_r(3, 4)]),
    ("transpose", lambda x: ops.transpose(x, (2, 0, 1)), [_r(2, 3, 4)]),
    ("expand_dims", lambda x: ops.expand_dims(x, 1), [_r(3, 4)]),
    ("squeeze", ops.squeeze, [_r(3, 1, 4)]),
    ("broadcast_to", lambda x: ops.broadcast_to(x, (3, 4)), [_r(1, 4)]),
    ("concatenate", lambda a, b: ops.concatenate([a, b], axis=1), [_r(3, 2), _r(3, 4)]),
    ("stack", lambda a, b: ops.stack([a, b], axis=1), [_r(3, 4), _r(3, 4)]),
    ("get_item", lambda x: x[1:, ::2], [_r(3, 4)]),
    ("take", lambda x: ops.take(x, np.array([[0, 2], [2, 2]]), axis=0), [_r(3, 4)]),
    ("take_flat", lambda x: ops.take(x, np.array([0, 5, 5])), [_r(3, 4)]),
    ("take_along_axis", lambda x: ops.take_along_axis(x, np.array([[0], [3], [1]]), axis=1), [_r(3, 4)]),
    ("where", lambda a, b: ops.where(np.arange(12).reshape(3, 4) % 3 == 0, a, b), [_r(3, 4), _r(4)]),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5), [_r(3, 4)]),
    ("cast", lambda x: ops.cast(x, "float64"), [_r(3, 4)]),
    ("pad", lambda x: ops.pad(x, ((1, 0), (2, 1))), [_r(3, 4)]),
    ("conv2d", lambda x, k: ops.conv(x, k, (2, 1), "same"), [_r(2, 5, 6, 3), _r(3, 2, 3, 2)]),
    ("conv1d", lambda x, k: ops.conv(x, k, 1, "valid"), [_r(2, 7, 3), _r(3, 3, 2)]),
    ("max_pool2d", lambda x: ops.max_pool(x, 2, 1, "same"), [_r(2, 4, 5, 2)]),
    ("max_pool1d", lambda x: ops.max_pool(x, 3, 2), [_r(2, 7, 2)]),
    ("average_pool2d", lambda x: ops.average_pool(x, (2, 3), (1, 2), "same"), [_r(2, 4, 5, 2)]),
    ("average_pool1d", lambda x: ops.average_pool(x, 2), [_r(2, 6, 2)]),
    ("upsampling2d", lambda x: ops.upsampling2d(x, (2, 3)), [_r(2, 2, 3, 2)]),
    ("dropout_apply", lambda x: ops.dropout_apply(x, np.array([0x5a3c_0f0f_1234_abcd], np.uint64), 8, 64, 4 / 3),
     [_r(2, 4)]),
    ("batch_normalization", lambda x, m, v, o, s: ops.batch_normalization(x, m, v, -1, o, s),
     [_r(5, 3), _r(3), _r(3, low="pos"), _r(3), _r(3)]),
    ("categorical_crossentropy", lambda z: ops.categorical_crossentropy(
        np.eye(4)[[0, 2, 3]], z, from_logits=True), [_r(3, 4)]),
    ("categorical_crossentropy_probs", lambda p: ops.categorical_crossentropy(
        np.eye(4)[[0, 2, 3]], p), [_r(3, 4, low="pos")]),
    ("sparse_categorical_crossentropy", lambda z: ops.sparse_categorical_crossentropy(
        np.array([1, 0, 3]), z, from_logits=True), [_r(3, 4)]),
    ("binary_crossentropy", lambda z: ops.binary_crossentropy(np.array([[0., 1.], [1., 0.]]), z, True),
     [_r(2, 2)]),
    ("binary_crossentropy_probs", lambda p: ops.binary_crossentropy(
        np.array([[0., 1.], [1., 0.]]), ops.sigmoid(p)), [_r(2, 2)]),
]


@pytest.fixture(params=["numpy", "numba"])
def backend(request, monkeypatch):
    monkeypatch.setattr(config, "_BACKEND", request.param)
    return request.param


@pytest.mark.parametrize("name, fn, args", CASES, ids=[c[0] for c in CASES])
def test_vjp_matches_central_differences(backend, name, fn, args):
    args = [a.copy() for a in args]
    out = fn(*args)
    w = np.random.default_rng(1).standard_normal(np.shape(out))

    def scalar():
        return float(np.sum(fn(*args) * w))

    for i, a in enumerate(args):
        _, grad = ops.value_and_grad(fn, *args, argnum=i, dvalue=w)
        assert grad.shape == a.shape
        err = check_array(scalar, a, grad, n_random=20)
        assert err < 1e-7, f"{name}: argument {i} relative error {err:.2e}"
