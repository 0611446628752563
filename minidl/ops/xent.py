"""Cross-entropies from logits, fused: per-sample loss and the gradient of the MEAN loss
in one pass (for the trainer's output-layer shortcut), plus Keras's differentiable
``categorical_crossentropy`` / ``sparse_categorical_crossentropy`` / ``binary_crossentropy``.

Fused ops: the caller validates and aligns the targets first; "samples" are every
axis but the last, and the gradient is divided by their count.
"""
from __future__ import annotations

import numpy as np

from .tape import defop


def _rows(z):
    c = z.shape[-1]
    return np.asarray(z).reshape(-1, c), max(int(np.prod(z.shape[:-1])), 1)


@defop("softmax_cross_entropy_with_logits")
def softmax_cross_entropy_with_logits(labels, logits):
    """labels, logits (..., c) -> loss (...) = -Σ labels·log_softmax(logits),
    grad (..., c) = (softmax(logits)·Σ labels - labels) / n_samples."""
    z2, n = _rows(logits)
    t2 = np.asarray(labels, dtype=logits.dtype).reshape(z2.shape)
    shifted = z2 - z2.max(axis=-1, keepdims=True)
    log_s = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    loss = -(t2 * (shifted - log_s)).sum(axis=-1)
    grad = (np.exp(shifted - log_s) * t2.sum(axis=-1, keepdims=True) - t2) / n
    return loss.reshape(logits.shape[:-1]), grad.reshape(logits.shape)


@defop("sparse_softmax_cross_entropy_with_logits")
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """labels (...) integers in [0, c) (checked by the caller), logits (..., c)
    -> loss (...), grad (..., c) = (softmax(logits) - one_hot(labels)) / n_samples."""
    z2, n = _rows(logits)
    lab = np.asarray(labels, dtype=np.int64).reshape(-1)
    if lab.shape[0] != z2.shape[0]:
        raise ValueError(f"sparse_softmax_cross_entropy_with_logits: {lab.shape[0]} labels for {z2.shape[0]} rows")
    shifted = z2 - z2.max(axis=-1, keepdims=True)
    log_s = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    rows = np.arange(z2.shape[0])
    loss = -(shifted[rows, lab] - log_s[:, 0])
    grad = np.exp(shifted - log_s)
    grad[rows, lab] -= 1
    return loss.reshape(logits.shape[:-1]), (grad / n).reshape(logits.shape)


@defop("sigmoid_cross_entropy_with_logits")
def sigmoid_cross_entropy_with_logits(labels, logits):
    """labels, logits (..., c) -> loss (...) = mean over the last axis of TF's stable
    max(z, 0) - z·t + log1p(e^-|z|); grad (..., c) = (sigmoid(z) - t) / (c·n_samples)."""
    z = np.asarray(logits)
    t = np.asarray(labels, dtype=z.dtype)
    elems = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    e = np.exp(-np.abs(z))
    sig = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    n = max(int(np.prod(z.shape[:-1])), 1) * z.shape[-1]
    return elems.mean(axis=-1), (sig - t) / n


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Keras's ``ops.categorical_crossentropy`` (differentiable): per-sample loss."""
    from . import activation as a, elementwise as e, reduction as r, shape as s  # noqa: PLC0415
    if from_logits:
        logp = a.log_softmax(output, axis=axis)
    else:
        from .. import config  # noqa: PLC0415
        p = e.divide(output, r.sum(output, axis=axis, keepdims=True))
        logp = e.log(s.clip(p, config.epsilon(), 1 - config.epsilon()))
    return e.negative(r.sum(e.multiply(target, logp), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Keras's ``ops.sparse_categorical_crossentropy`` (differentiable): per-sample loss."""
    from . import shape as s  # noqa: PLC0415
    onehot = s.one_hot(np.asarray(target).astype(np.int64), np.shape(output)[axis], axis=axis,
                       dtype=np.result_type(output.dtype))
    return categorical_crossentropy(onehot, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Keras's ``ops.binary_crossentropy`` (differentiable): elementwise loss."""
    from . import activation as a, elementwise as e, shape as s  # noqa: PLC0415
    if from_logits:
        # max(z, 0) - z·t + log1p(e^-|z|) = softplus(z) - z·t
        return e.subtract(a.softplus(output), e.multiply(output, target))
    from .. import config  # noqa: PLC0415
    p = s.clip(output, config.epsilon(), 1 - config.epsilon())
    return e.negative(e.add(e.multiply(target, e.log(p)),
                            e.multiply(e.subtract(1, target), e.log(e.subtract(1, p)))))
