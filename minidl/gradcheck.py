"""Central-difference gradient checks in float64.

Each check compares the analytic gradient with
``(f(θ + ε·d) − f(θ − ε·d)) / 2ε`` for a set of perturbations ``d``:
every unit vector for small arrays (an exact element-by-element check),
random unit directions for large ones (as chainer does). The scalar being
differentiated is ``f = Σ forward(x) · w`` with a fixed random weight ``w``,
so every output element contributes.

The reported error is ``‖analytic − numeric‖ / max(‖analytic‖ + ‖numeric‖, tiny)``
over all perturbations of one array.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import config

_ELEMENTWISE_LIMIT = 400


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    num = np.linalg.norm(np.ravel(analytic) - np.ravel(numeric))
    den = np.linalg.norm(np.ravel(analytic)) + np.linalg.norm(np.ravel(numeric))
    return float(num / max(den, 1e-300))


def _directions(size: int, rng: np.random.Generator, n_random: int):
    if size <= _ELEMENTWISE_LIMIT:
        for i in range(size):
            d = np.zeros(size)
            d[i] = 1.0
            yield d
    else:
        for _ in range(n_random):
            d = rng.standard_normal(size)
            yield d / np.linalg.norm(d)


def check_array(f: Callable[[], float], array: np.ndarray, analytic: np.ndarray,
                eps: float = 1e-6, seed: int = 0, n_random: int = 30) -> float:
    """Relative error between ``analytic`` (df/darray) and central differences of ``f``.

    ``f`` reads ``array`` (perturbed in place and restored); ``analytic`` has
    ``array``'s shape.
    """
    if array.dtype != np.float64:
        raise TypeError(f"gradient checks need float64 arrays, got {array.dtype}")
    rng = np.random.default_rng(seed)
    flat = array.reshape(-1)  # a view: perturbing it perturbs array
    a_dir, n_dir = [], []
    for d in _directions(flat.size, rng, n_random):
        saved = flat.copy()
        flat += eps * d
        f_plus = f()
        flat[:] = saved - eps * d
        f_minus = f()
        flat[:] = saved
        n_dir.append((f_plus - f_minus) / (2 * eps))
        a_dir.append(float(np.dot(analytic.reshape(-1), d)))
    return relative_error(np.array(a_dir), np.array(n_dir))


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def check_layer(layer, x, training: bool = False, seed: int = 0, eps: float = 1e-6,
                include_regularizers: bool = True) -> dict[str, float]:
    """Gradient check of a layer's ``backward`` against its ``forward``.

    ``x``: one float64 array or a list of them (multi-input layers). The layer
    must be deterministic between calls (a Dropout layer checks with its mask
    fixed, see its docstring). Returns ``{"x": err, "x1": err, ..., "kernel": err, ...}``.
    Weight regularizers and an activity regularizer are included, as the
    model adds them, unless ``include_regularizers`` is False.
    """
    xs = [np.array(a, dtype=np.float64) for a in _as_list(x)]
    multi = isinstance(x, (list, tuple))
    layer_input = xs if multi else xs[0]
    layer._maybe_build([(None, *a.shape[1:]) for a in xs] if multi else (None, *xs[0].shape[1:]))
    for key in list(layer.params):
        if layer.params[key].dtype != np.float64:
            raise TypeError(f"check_layer: layer {layer.name!r} weight {key!r} is "
                            f"{layer.params[key].dtype}; build it under config.set_floatx('float64')")
    activity = layer.activity_regularizer if include_regularizers else None
    y, _ = layer.forward(layer_input, training=training)
    w = np.random.default_rng(seed).standard_normal(y.shape)

    def f() -> float:
        out, _ = layer.forward(layer_input, training=training)
        value = float(np.sum(out * w))
        if include_regularizers:
            value += layer.weight_penalty()
        if activity is not None:
            value += float(activity(out)) / out.shape[0]
        return value

    out, cache = layer.forward(layer_input, training=training)
    dy = w if activity is None else w + activity.gradient(out) / out.shape[0]
    dxs, grads = layer.backward(cache, dy)
    analytic = {f"x{i or ''}": dx.copy() for i, dx in enumerate(_as_list(dxs))}
    for key, g in grads.items():
        g = g.copy()
        if include_regularizers and key in layer.regularizers:
            layer.regularizers[key].add_gradient(layer.params[key], g)
        analytic[key] = g
    errors = {}
    for i, a in enumerate(xs):
        errors[f"x{i or ''}"] = check_array(f, a, analytic[f"x{i or ''}"], eps, seed)
    for key, p in layer.params.items():
        errors[key] = check_array(f, p, analytic[key], eps, seed)
    return errors


def check_loss(loss, y_true: np.ndarray, y_pred: np.ndarray, eps: float = 1e-6, seed: int = 0) -> float:
    """Relative error of ``loss.gradient(y_true, y_pred)`` against central differences of ``loss``."""
    y_pred = np.array(y_pred, dtype=np.float64)
    analytic = loss.gradient(y_true, y_pred)
    return check_array(lambda: float(loss(y_true, y_pred)), y_pred, analytic, eps, seed)


def check_model(model, x, y, eps: float = 1e-6, seed: int = 0) -> dict[str, float]:
    """Gradient check of a compiled model's total training loss (data loss + penalties)
    with respect to every trainable weight. Keys are ``"<layer>/<weight>"``."""
    if config.floatx() != "float64":
        raise RuntimeError("check_model needs config.set_floatx('float64') before the model is built")
    batch = model._batches(x, y, batch_size=1 << 62)
    xs, ys, sw = batch.batch(0)

    def f() -> float:
        return model._loss_and_gradients(xs, ys, sw, training=True, gradients=False)[0]

    model._loss_and_gradients(xs, ys, sw, training=True, gradients=True)
    layers = model._trainable_layers()
    analytic = {(layer.name, k): g.copy() for layer in layers for k, g in layer.grads.items()}
    errors = {}
    for layer in layers:
        for key, p in layer.params.items():
            errors[f"{layer.name}/{key}"] = check_array(f, p, analytic[(layer.name, key)], eps, seed)
    return errors
