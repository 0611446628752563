"""Run identical setups in minidl and Keras; print the largest differences as JSON.

Run as ``python keras_parity_cases.py float64``: Keras fixes its float
precision per process, so each precision gets a process of its own.
Every difference is ``max|minidl − keras| / max|keras|`` over one array,
the largest over all arrays of a case.

Hyperparameters are exactly representable in float32 (0.0078125 = 2⁻⁷,
0.875, ...): in float64 Keras turns Python constants into float32 tensors
before casting them (``ops.cast(0.01, "float64")`` gives 0.009999999776...),
for L1/L2 factors, SGD momentum and Adam's betas. minidl uses the factor it
is given; ``keras_float32_constants`` below shows the effect separately.
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np


def rel(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def max_rel(list_a, list_b) -> float:
    return max(rel(a, b) for a, b in zip(list_a, list_b))


def build_pair(kind: str):
    """The same architecture in both libraries; returns (minidl model, keras model)."""
    import keras
    import minidl

    def dense_mse(lib):
        L = lib.layers
        return lib.Sequential([lib.Input((5,)),
                               L.Dense(4, activation="sigmoid", kernel_regularizer=lib.regularizers.L2(2.0 ** -7)),
                               L.Dense(3, kernel_regularizer=lib.regularizers.L2(2.0 ** -7))])

    def dense_logits(lib):
        L = lib.layers
        return lib.Sequential([lib.Input((5,)), L.Dense(6, activation="tanh"), L.Dense(3)])

    def dense_softmax(lib):
        L = lib.layers
        return lib.Sequential([lib.Input((5,)), L.Dense(6, activation="relu"), L.Dense(3, activation="softmax")])

    def dense_sigmoid(lib):
        L = lib.layers
        return lib.Sequential([lib.Input((5,)), L.Dense(6, activation="tanh"), L.Dense(1, activation="sigmoid")])

    def xor_211(lib):
        L = lib.layers
        inp = lib.Input((2,))
        h = L.Dense(1, activation="tanh")(inp)
        return lib.Model(inp, L.Dense(1, activation="tanh")(L.Concatenate()([inp, h])))

    builders = {"dense_mse": dense_mse, "dense_logits": dense_logits, "dense_softmax": dense_softmax,
                "dense_sigmoid": dense_sigmoid, "xor_211": xor_211}
    ours, theirs = builders[kind](minidl), builders[kind](keras)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def data(kind: str, n: int, dtype):
    rng = np.random.default_rng(0)
    if kind == "xor_211":
        x = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype)
        return x, (x[:, :1] * x[:, 1:]).astype(dtype)
    x = rng.normal(size=(n, 5)).astype(dtype)
    if kind == "dense_mse":
        return x, rng.normal(size=(n, 3)).astype(dtype)
    if kind == "dense_sigmoid":
        return x, rng.integers(0, 2, (n, 1)).astype(dtype)
    return x, np.eye(3, dtype=dtype)[rng.integers(0, 3, n)]


CASES = {
    # name: (architecture, loss, optimizer factory name, args)
    "dense_mse_l2_sgd": ("dense_mse", "mse", "SGD", {"learning_rate": 0.1}),
    "dense_cce_logits_sgd": ("dense_logits", "cce_logits", "SGD", {"learning_rate": 0.1}),
    "dense_softmax_cce_sgd_momentum": ("dense_softmax", "categorical_crossentropy", "SGD",
                                       {"learning_rate": 0.05, "momentum": 0.875, "nesterov": True}),
    "dense_sigmoid_bce_adam": ("dense_sigmoid", "binary_crossentropy", "Adam",
                               {"learning_rate": 0.01, "beta_1": 0.875, "beta_2": 1 - 2.0 ** -10}),
    "dense_mse_rmsprop": ("dense_mse", "mse", "RMSprop", {"learning_rate": 0.01, "rho": 0.875}),
    "xor_211_sgd": ("xor_211", "mse", "SGD", {"learning_rate": 0.1}),
}


def compile_pair(ours, theirs, loss, opt, args):
    import keras
    import minidl
    if loss == "cce_logits":
        ours.compile(minidl.optimizers.SGD(**args), minidl.losses.CategoricalCrossentropy(from_logits=True))
        theirs.compile(keras.optimizers.SGD(**args), keras.losses.CategoricalCrossentropy(from_logits=True))
        return
    ours.compile(getattr(minidl.optimizers, opt)(**args), loss)
    theirs.compile(getattr(keras.optimizers, opt)(**args), loss)


def first_steps(case: str, dtype, steps: int = 3) -> dict:
    """``steps`` train_on_batch calls on the same batch: losses and weights after each."""
    arch, loss, opt, args = CASES[case]
    ours, theirs = build_pair(arch)
    compile_pair(ours, theirs, loss, opt, args)
    x, y = data(arch, 8, dtype)
    loss_diff, weight_diff = 0.0, 0.0
    for _ in range(steps):
        a = ours.train_on_batch(x, y)
        b = float(theirs.train_on_batch(x, y))
        loss_diff = max(loss_diff, rel(a, b))
        weight_diff = max(weight_diff, max_rel(ours.get_weights(), theirs.get_weights()))
    return {"loss": loss_diff, "weights": weight_diff}


def ten_steps_fit(dtype) -> dict:
    """fit: 2 epochs of 5 batches, with validation data and metrics, shuffle=False."""
    ours, theirs = build_pair("dense_softmax")
    import keras
    import minidl
    ours.compile(minidl.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy", "mse"])
    theirs.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy", "mse"])
    x, y = data("dense_softmax", 50, dtype)
    h1 = ours.fit(x[:40], y[:40], batch_size=8, epochs=2, shuffle=False, verbose=0,
                  validation_data=(x[40:], y[40:])).history
    h2 = theirs.fit(x[:40], y[:40], batch_size=8, epochs=2, shuffle=False, verbose=0,
                    validation_data=(x[40:], y[40:])).history
    out = {"keys_equal": sorted(h1) == sorted(h2), "weights": max_rel(ours.get_weights(), theirs.get_weights())}
    out.update({k: rel(h1[k], h2[k]) for k in h1 if k in h2})
    return out


def keras_float32_constants() -> dict:
    """The L2 penalty Keras reports for l2=0.01 in float64, relative to l2·Σw² computed exactly."""
    import keras
    w = np.linspace(-1, 1, 12).reshape(3, 4)
    keras_value = float(keras.regularizers.L2(0.01)(keras.ops.convert_to_tensor(w)))
    return {"l2_0.01": rel(keras_value, 0.01 * np.sum(w ** 2))}


def main(precision: str) -> dict:
    import keras
    import minidl
    keras.config.set_floatx(precision)
    minidl.config.set_floatx(precision)
    keras.utils.set_random_seed(0)
    minidl.config.set_random_seed(0)
    dtype = np.dtype(precision)
    results = {case: first_steps(case, dtype) for case in CASES}
    results["fit_10_steps"] = ten_steps_fit(dtype)
    if precision == "float64":
        results["keras_float32_constants"] = keras_float32_constants()
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
