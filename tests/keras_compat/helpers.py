"""Comparison helpers for tests/keras_compat (see conftest.py for how these tests work)."""
from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np

from minidl import config


@contextlib.contextmanager
def both_floatx(dtype: str) -> Iterator[None]:
    """``dtype`` as floatx in minidl and in Keras for a block, restored afterwards. Keras reads
    its own when it builds layers and metrics and converts inputs; its global dtype policy is
    fixed from floatx at first use and cached, so it is set too."""
    import keras
    previous = config.floatx(), keras.config.floatx(), keras.config.dtype_policy()
    config.set_floatx(dtype)
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        config.set_floatx(previous[0])
        keras.config.set_floatx(previous[1])
        keras.config.set_dtype_policy(previous[2])


def float64_both():
    """float64 in minidl and in Keras for a block."""
    return both_floatx("float64")


def max_rel(a, b) -> float:
    """Largest |a - b| / max(|b|, 1e-12) over all elements (a report number, not a test)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))) if a.size else 0.0


def assert_keras_agrees(mini: dict, ref: dict, predict_atol: float) -> None:
    """Runs ``mini`` (minidl) and ``ref`` (Keras, from the same initial weights) agree:
    same initial score and history keys, and Keras given minidl's trained weights
    evaluates and predicts the same numbers. Prints the relative score differences."""
    np.testing.assert_allclose(mini["initial_score"], ref["initial_score"], rtol=1e-10)
    assert set(mini["history"]) == set(ref["history"])
    ref["model"].set_weights(mini["model"].get_weights())
    score = ref["model"].evaluate(mini["x_test"], mini["y_test"], verbose=0)
    np.testing.assert_allclose(mini["score"], score, rtol=1e-10)
    np.testing.assert_allclose(mini["model"].predict(mini["x_test"], verbose=0),
                               ref["model"].predict(mini["x_test"], verbose=0), rtol=1e-9, atol=predict_atol)
    print("initial score rel diff", max_rel(mini["initial_score"], ref["initial_score"]),
          "trained score rel diff", max_rel(mini["score"], score))


def assert_weights_close(mini_model, keras_model, rtol: float, atol: float = 0.0) -> None:
    mw, kw = mini_model.get_weights(), keras_model.get_weights()
    assert len(mw) == len(kw)
    for i, (a, b) in enumerate(zip(mw, kw)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"weight {i} {a.shape}")


def assert_history_close(mini_hist: dict, keras_hist: dict, rtol: float) -> None:
    """Same keys, same values per epoch (learning_rate included when Keras logs it)."""
    assert set(mini_hist) == set(keras_hist), (sorted(mini_hist), sorted(keras_hist))
    for key in keras_hist:
        np.testing.assert_allclose(mini_hist[key], keras_hist[key], rtol=rtol, err_msg=key)


def keras_adam_exact_betas(monkeypatch) -> None:
    """Make Keras's Adam use its float64 betas exactly.

    Keras's ``Adam.update_step`` computes its bias correction from
    ``ops.cast(self.beta_1, variable.dtype)``; on the TensorFlow backend a Python float goes
    through a float32 tensor first, so under a float64 policy Keras uses float32(0.9) and
    float32(0.999) there (but the exact values in ``1 - beta``): its first step differs from the
    float64 formula by 6.7e-6 relative, and Adam amplifies that on later steps. Giving the
    optimizer NumPy float64 betas removes the artifact; nothing else in Keras changes (measured:
    with it, minidl's and Keras's Adam steps agree to ~1e-13).
    """
    import keras
    original = keras.optimizers.Adam.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.beta_1, self.beta_2 = np.float64(self.beta_1), np.float64(self.beta_2)

    monkeypatch.setattr(keras.optimizers.Adam, "__init__", init)
