"""TRANSITIONAL shim: the old kernel API on top of :mod:`minidl.ops`, for the old layers only.

Delete this package (and ``padding.py`` / ``_threads.py`` beside it) once the layers,
models and benchmarks/epochs.py import ``minidl.ops``. Nothing here computes anything:
each name forwards to the op that replaced it (see the ops engineer's report).
"""
from __future__ import annotations

from types import SimpleNamespace

from .. import activations as _acts
from .. import ops as _ops

# ---- activation: built-in activation instances by identity (a user subclass reusing a
# name keeps its own __call__ / backward, as before)
_NAMES = {_acts.linear: "linear", _acts.sigmoid: "sigmoid", _acts.tanh: "tanh",
          _acts.relu: "relu", _acts.softmax: "softmax"}


def _act_forward(z, bias, activation):
    name = _NAMES.get(activation)
    if name is None:
        if bias is not None:
            z += bias
        return z, activation(z)
    return _ops.bias_activation(z, bias, name)


def _act_backward(activation, z, y, dy):
    name = _NAMES.get(activation)
    if name is None:
        return activation.backward(z, y, dy)
    return _ops.bias_activation_backward(name, z, y, dy)


activation = SimpleNamespace(forward=_act_forward, backward=_act_backward, bias_grad=_ops.bias_grad)


def _dense_backward(x, kernel, dz, use_bias, need_dx=True):
    dkernel = _ops.matmul(x.T, dz)
    dbias = _ops.bias_grad(dz) if use_bias else None
    return (_ops.matmul(dz, kernel.T) if need_dx else None), dkernel, dbias


dense = SimpleNamespace(matmul=_ops.matmul, backward=_dense_backward)


def _conv_forward(x, kernel, bias, strides, padding):
    z = _ops.conv(x, kernel, strides, padding)
    if bias is not None:
        z += bias
    return z


def _conv_backward(x, kernel, dz, strides, padding, use_bias, need_dx=True):
    dx, dkernel = _ops.conv_backward(x, kernel, dz, strides, padding, need_dx)
    return dx, dkernel, (_ops.bias_grad(dz) if use_bias else None)


conv = SimpleNamespace(conv2d_forward=_conv_forward, conv2d_backward=_conv_backward,
                       conv1d_forward=_conv_forward, conv1d_backward=_conv_backward)
pool = SimpleNamespace(maxpool2d_forward=_ops.max_pool_with_argmax, maxpool1d_forward=_ops.max_pool_with_argmax,
                       maxpool2d_backward=_ops.max_pool_backward, maxpool1d_backward=_ops.max_pool_backward)
upsampling = SimpleNamespace(upsampling2d_forward=_ops.upsampling2d,
                             upsampling2d_backward=_ops.upsampling2d_backward)
batchnorm = SimpleNamespace(moments=_ops.batch_norm_moments, forward=_ops.batch_norm_forward,
                            backward=_ops.batch_norm_backward)
embedding = SimpleNamespace(forward=_ops.embedding_lookup, backward=_ops.embedding_scatter_add)


def _xent_available(z):
    return _ops.registry.select("softmax_cross_entropy_with_logits", (z,)) != "numpy" and z.ndim >= 1 and z.size > 0


xent = SimpleNamespace(available=_xent_available,
                       softmax_cross_entropy=lambda t, z: _ops.softmax_cross_entropy_with_logits(t, z),
                       sparse_softmax_cross_entropy=lambda l, z: _ops.sparse_softmax_cross_entropy_with_logits(l, z))
