"""Spec → minidl model and spec → Keras model, with the same layer names and weight order.

Both are functional models built from the same :class:`~compare.specs.Spec`
graph, so ``get_weights()`` returns the same list of arrays (kernel (in, out),
bias (out,) per Dense, in graph order) and weights move between them with
``set_weights`` and no transposes.

What the loss is computed from (see :func:`loss_path`): for the setups here
the output layer is linear (MSE; CCE ``from_logits=True``) or tanh (MSE), so
both frameworks compute exactly the loss named in the spec. Were a spec to
pair a softmax (sigmoid) output with a categorical (binary) cross-entropy on
probabilities, Keras's TensorFlow backend would compute it from the logits
(the ``_keras_logits`` attribute the activation sets, or the Softmax/Sigmoid
op's input) and minidl does the same through ``Model._logits_shortcut``; the
run records which path was taken instead of leaving it silent.
"""
from __future__ import annotations

import os
from typing import Any

from . import metrics as compare_metrics
from .specs import Spec

KERAS_BACKEND = "tensorflow"


def import_keras() -> Any:
    """Import Keras with the TensorFlow backend (its ``_keras_logits`` path is the one documented)."""
    os.environ.setdefault("KERAS_BACKEND", KERAS_BACKEND)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    if keras.backend.backend() != KERAS_BACKEND:
        raise RuntimeError(f"compare needs KERAS_BACKEND={KERAS_BACKEND!r}, got "
                           f"{keras.backend.backend()!r} (set it before Keras is imported)")
    return keras


def set_precision(precision: str) -> None:
    """``float32`` or ``float64`` in both frameworks; Keras keeps it process-wide."""
    if precision not in ("float32", "float64"):
        raise ValueError(f"precision={precision!r} must be 'float32' or 'float64'")
    import minidl
    minidl.config.set_floatx(precision)
    import_keras().config.set_floatx(precision)


def loss_path(spec: Spec) -> str:
    """What both frameworks compute the loss from, in words (recorded with every run)."""
    last = spec.layers[-1][1].get("activation", "linear")
    matching = {"categorical_crossentropy": "softmax", "binary_crossentropy": "sigmoid"}.get(spec.loss)
    if matching is None:
        return f"{spec.loss} on the output of a {last} output layer, in both"
    if spec.from_logits:
        return (f"{spec.loss} from the logits of the {last} output layer, in both "
                "(log-softmax for CCE, TF's stable form for BCE)")
    if last == matching:
        return (f"{spec.loss} from the pre-{last} logits in both: Keras/TensorFlow through the "
                f"_keras_logits attribute of the {last} output, minidl through Model._logits_shortcut "
                "(no clipping at 1e-7)")
    return f"{spec.loss} from the {last} outputs taken as probabilities, clipped to [1e-7, 1-1e-7], in both"


def _regularizer(module: Any, value: tuple[str, float] | None) -> Any:
    if value is None:
        return None
    kind, factor = value
    return module.L2(factor) if kind == "l2" else module.L1(factor)


def _build_graph(spec: Spec, input_fn: Any, dense_cls: Any, concat_cls: Any, reg_module: Any) -> tuple[Any, Any]:
    """Wire the spec's layers with one framework's classes; returns (input, output) tensors."""
    inp = input_fn(spec.input_shape, name="input")
    tensors = {"input": inp}
    prev = inp
    for kind, kw in spec.layers:
        sources = [tensors[n] for n in kw.get("inputs", [])] or [prev]
        if kind == "dense":
            layer = dense_cls(kw["units"], activation=kw.get("activation", "linear"), name=kw["name"],
                              kernel_regularizer=_regularizer(reg_module, kw.get("kernel_regularizer")),
                              bias_regularizer=_regularizer(reg_module, kw.get("bias_regularizer")))
            prev = layer(sources[0])
        elif kind == "concatenate":
            prev = concat_cls(name=kw["name"])(sources)
        else:  # specs.validate rejects it first
            raise ValueError(f"unknown layer kind {kind!r}")
        tensors[kw["name"]] = prev
    return inp, prev


def minidl_model(spec: Spec, seed: int | None = None) -> Any:
    """The minidl model, initialized from ``seed`` (default ``spec.seed``) and compiled."""
    import minidl
    minidl.config.set_random_seed(spec.seed if seed is None else seed)
    inp, out = _build_graph(spec, minidl.Input, minidl.layers.Dense, minidl.layers.Concatenate,
                            minidl.regularizers)
    model = minidl.Model(inp, out, name=f"minidl_{spec.name}")
    losses = {"mse": lambda: minidl.losses.MeanSquaredError(),
              "categorical_crossentropy": lambda: minidl.losses.CategoricalCrossentropy(spec.from_logits),
              "binary_crossentropy": lambda: minidl.losses.BinaryCrossentropy(spec.from_logits)}
    metric = {"categorical_accuracy": lambda: minidl.metrics.CategoricalAccuracy(name="accuracy"),
              "binary_accuracy": lambda: minidl.metrics.BinaryAccuracy(name="accuracy"),
              "pm1_accuracy": lambda: minidl.metrics.Metric(compare_metrics.pm1_accuracy, "accuracy")}
    model.compile(optimizer=minidl.optimizers.SGD(spec.learning_rate), loss=losses[spec.loss](),
                  metrics=[metric[spec.metrics[0]]()])
    return model


def keras_model(spec: Spec) -> Any:
    """The Keras model (weights to be overwritten by ``set_weights``), compiled without XLA."""
    keras = import_keras()
    inp, out = _build_graph(spec, keras.Input, keras.layers.Dense, keras.layers.Concatenate,
                            keras.regularizers)
    model = keras.Model(inp, out, name=f"keras_{spec.name}".replace("-", "_"))
    losses = {"mse": lambda: keras.losses.MeanSquaredError(),
              "categorical_crossentropy": lambda: keras.losses.CategoricalCrossentropy(from_logits=spec.from_logits),
              "binary_crossentropy": lambda: keras.losses.BinaryCrossentropy(from_logits=spec.from_logits)}
    metric = {"categorical_accuracy": lambda: keras.metrics.CategoricalAccuracy(name="accuracy"),
              "binary_accuracy": lambda: keras.metrics.BinaryAccuracy(name="accuracy"),
              "pm1_accuracy": lambda: keras.metrics.MeanMetricWrapper(compare_metrics.keras_pm1_accuracy,
                                                                      name="accuracy")}
    # jit_compile=False: no XLA fusion (Keras already turns it off on CPU-only machines).
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=spec.learning_rate), loss=losses[spec.loss](),
                  metrics=[metric[spec.metrics[0]]()], jit_compile=False)
    return model


def round_l2_like_keras(model: Any) -> list[tuple[str, float, float]]:
    """Round every L1/L2 factor of a minidl model to float32, as Keras's TensorFlow backend does.

    Keras computes ``ops.cast(self.l2, x.dtype) * sum(x²)``; ``tf.cast`` turns the
    Python float into a float32 tensor first, so even in float64 Keras uses
    float32(1e-4) = 9.99999974737875e-05. This diagnostic option removes that
    one known difference. Returns ``(layer/weight, before, after)`` per factor.
    """
    import numpy as np
    changed = []
    for layer in model.layers:
        for key, reg in layer.regularizers.items():
            for attr in ("l1", "l2"):
                value = getattr(reg, attr, 0.0)
                if value:
                    setattr(reg, attr, float(np.float32(value)))
                    changed.append((f"{layer.name}/{key}.{attr}", value, getattr(reg, attr)))
    return changed


def build_pair(spec: Spec, seed: int | None = None, round_l2: bool = False) -> tuple[Any, Any]:
    """(minidl model, Keras model) with identical weights: minidl initializes, Keras receives them.

    ``round_l2``: see :func:`round_l2_like_keras`.
    """
    md = minidl_model(spec, seed)
    if round_l2:
        round_l2_like_keras(md)
    km = keras_model(spec)
    mw, kw = md.get_weights(), km.get_weights()
    shapes_m, shapes_k = [w.shape for w in mw], [w.shape for w in kw]
    if shapes_m != shapes_k:
        raise RuntimeError(f"{spec.name}: minidl weight shapes {shapes_m} differ from Keras's {shapes_k}")
    km.set_weights(mw)
    return md, km
