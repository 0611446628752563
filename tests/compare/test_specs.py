"""Specs are valid plain data and build into minidl and Keras models with identical weight layouts."""
from __future__ import annotations

import json

import numpy as np
import pytest

from compare import specs
from compare.specs import SETUPS, Spec, get_spec

# Parameter counts by hand: CIFAR 3072·100 + 100 + 100·10 + 10; XOR 2·2+2 + 2+1; 2+1 + 3+1.
EXPECTED_PARAMS = {"cifar10-mse": 308_310, "cifar10-cce": 308_310, "cifar10-cce-l2": 308_310,
                   "xor-221": 9, "xor-211": 7, "xor-221-01": 9, "xor-211-01": 7}


def test_every_setup_has_a_count_and_serializes():
    assert set(EXPECTED_PARAMS) == set(SETUPS)
    for spec in SETUPS.values():
        json.dumps(spec.as_dict())


def test_report_parameters():
    mse = get_spec("cifar10-mse")
    assert (mse.learning_rate, mse.batch_size, mse.full_epochs, mse.loss) == (0.003, 50, 400, "mse")
    assert [kw["kernel_regularizer"] for _, kw in mse.layers] == [("l2", 1e-4)] * 2
    cce = get_spec("cifar10-cce")
    assert (cce.loss, cce.from_logits, cce.full_epochs) == ("categorical_crossentropy", True, 500)
    assert [kw["kernel_regularizer"] for _, kw in get_spec("cifar10-cce-l2").layers] == [("l2", 0.05)] * 2
    for name in ("xor-221", "xor-211"):
        xor = get_spec(name)
        assert (xor.learning_rate, xor.batch_size, xor.full_epochs, xor.metrics) == (0.1, 1, 300, ("pm1_accuracy",))
    assert get_spec("xor-221-01").metrics == ("binary_accuracy",)


def test_unknown_setup_names_the_known_ones():
    with pytest.raises(KeyError, match="cifar10-mse"):
        get_spec("cifar11")


@pytest.mark.parametrize("change, message", [
    ({"loss": "hinge"}, "loss='hinge'"),
    ({"batch_size": 0}, "batch_size=0"),
    ({"metrics": ("top5",)}, "metric 'top5'"),
    ({"preprocessing": "01"}, "preprocessing='01'"),
    ({"layers": (("conv", {"name": "c"}),)}, "kind 'conv'"),
    ({"layers": (("dense", {"units": 3}),)}, "needs a 'name'"),
    ({"layers": (("dense", {"name": "a", "units": 3, "inputs": ["b"]}),)}, "takes input 'b'"),
    ({"layers": (("dense", {"name": "a", "units": 3, "activation": "softmax"}),), "from_logits": True,
      "loss": "categorical_crossentropy"}, "not logits"),
])
def test_validation_names_the_field(change, message):
    with pytest.raises(ValueError, match=message):
        get_spec("cifar10-mse").replace(**change)


def test_spec_is_frozen():
    with pytest.raises(Exception):
        get_spec("xor-221").epochs = 3  # type: ignore[misc]


@pytest.mark.keras
@pytest.mark.parametrize("name", list(SETUPS))
def test_both_models_have_the_same_layout(name, restore_floatx):
    pytest.importorskip("keras")
    from compare import build
    build.set_precision("float32")
    spec = get_spec(name)
    md, km = build.build_pair(spec)
    assert md.count_params() == km.count_params() == EXPECTED_PARAMS[name]
    assert [w.shape for w in md.get_weights()] == [tuple(w.shape) for w in km.get_weights()]
    for a, b in zip(md.get_weights(), km.get_weights()):
        np.testing.assert_array_equal(a, b)  # set_weights copied minidl's initialization
    assert [l.name for l in md.layers if l.name != "input"] == [l.name for l in km.layers if l.name != "input"]


def test_same_seed_same_initialization():
    from compare import build
    a = build.minidl_model(get_spec("xor-211")).get_weights()
    b = build.minidl_model(get_spec("xor-211")).get_weights()
    c = build.minidl_model(get_spec("xor-211"), seed=5).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_spec_type():
    assert all(isinstance(s, Spec) for s in SETUPS.values())
    assert set(specs.DEFAULT_SUITE) <= set(SETUPS)
