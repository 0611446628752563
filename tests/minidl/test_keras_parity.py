"""minidl against Keras from identical weights and data: first steps and a short fit.

The cases live in ``keras_parity_cases.py`` and run in a subprocess per
precision, because Keras fixes its float precision once per process.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
pytestmark = pytest.mark.keras

SCRIPT = Path(__file__).with_name("keras_parity_cases.py")
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}


@pytest.fixture(scope="module", params=["float64", "float32"])
def parity(request):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, str(SCRIPT), request.param], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return request.param, json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", ["dense_mse_l2_sgd", "dense_cce_logits_sgd", "dense_softmax_cce_sgd_momentum",
                                  "dense_sigmoid_bce_adam", "dense_mse_rmsprop", "xor_211_sgd"])
def test_first_steps(parity, case):
    precision, results = parity
    assert results[case]["loss"] < TOLERANCE[precision], results[case]
    assert results[case]["weights"] < TOLERANCE[precision], results[case]


def test_ten_step_fit_with_metrics_and_validation(parity):
    precision, results = parity
    fit = dict(results["fit_10_steps"])
    assert fit.pop("keys_equal") is True
    assert max(fit.values()) < TOLERANCE[precision], fit


def test_keras_rounds_python_constants_to_float32_in_float64(parity):
    """Documents why the cases use float32-representable factors: if Keras stops
    rounding, this fails and the cases can use arbitrary factors again."""
    precision, results = parity
    if precision != "float64":
        pytest.skip("only visible in float64")
    assert 1e-9 < results["keras_float32_constants"]["l2_0.01"] < 1e-7
