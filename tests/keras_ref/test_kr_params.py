"""Every model builds with the parameter count of the report's tables."""
from __future__ import annotations

import pytest

from keras_ref import cifar_nets, ej03_imdb_dense, ej04_imdb_conv1d, ej05_logistic_map, ej07_denoising
from keras_ref import ej01_boston, ej06_pima, mnist_nets
from keras_ref.common import param_counts


@pytest.mark.parametrize("build, total, non_trainable", [
    (lambda: ej03_imdb_dense.build_model("final"), 1_003_561, 200),
    (lambda: ej04_imdb_conv1d.build_model(), 599_277, 0),
    (mnist_nets.build_dense, 79_510, 0),
    (mnist_nets.build_conv, 6_000, 0),
    (lambda: cifar_nets.build_vgg(100), 6_151_892, 0),
    (lambda: cifar_nets.build_alexnet(100), 4_334_824, 1_536),
], ids=["imdb_dense", "imdb_conv1d", "mnist_dense", "mnist_conv", "vgg_like", "alexnet_like"])
def test_report_parameter_counts(build, total, non_trainable):
    counts = param_counts(build())
    assert counts["total"] == total
    assert counts["non_trainable"] == non_trainable


def test_summary_total_matches(capsys):
    """``summary()`` prints the same total as the report (Keras's own count)."""
    model = ej04_imdb_conv1d.build_model()
    model.summary()
    assert "599,277" in capsys.readouterr().out


def test_report_layer_tables():
    """Layer-by-layer counts of the report's tables (VGG-like and AlexNet-like)."""
    vgg = [l.count_params() for l in cifar_nets.build_vgg(100).layers if l.count_params()]
    assert vgg == [1792, 36928, 73856, 295168, 590080, 1180160, 2359808, 513000, 1001000, 100100]
    alex = [l.count_params() for l in cifar_nets.build_alexnet(100).layers if l.count_params()]
    assert alex == [34944, 614656, 590080, 442560, 3072, 1574912, 1024500, 50100]
    conv = [l.count_params() for l in mnist_nets.build_conv().layers if l.count_params()]
    assert conv == [780, 2710, 2510]
    shapes = [tuple(l.output.shape[1:]) for l in mnist_nets.build_conv().layers]
    assert shapes[:4] == [(24, 24, 30), (12, 12, 30), (10, 10, 10), (5, 5, 10)]


def test_ablations_differ_only_in_regularisation_layers():
    plain = ej03_imdb_dense.build_model("plain")
    names = [type(l).__name__ for l in plain.layers]
    assert names == ["Dense", "Dense", "Dense"]
    assert all(l.kernel_regularizer is None for l in plain.layers)
    no_bn = [type(l).__name__ for l in ej03_imdb_dense.build_model("no_bn").layers]
    assert "BatchNormalization" not in no_bn and no_bn.count("Dropout") == 2
    no_do = [type(l).__name__ for l in ej03_imdb_dense.build_model("no_dropout").layers]
    assert "Dropout" not in no_do and "BatchNormalization" in no_do
    with pytest.raises(ValueError, match="unknown variant"):
        ej03_imdb_dense.build_model("nope")


def test_small_models():
    assert param_counts(ej01_boston.build_model())["total"] == 14
    assert param_counts(ej05_logistic_map.build_model())["total"] == 5 * 2 + (1 + 5) + 1
    assert param_counts(ej06_pima.build_model())["total"] == 8 * 10 + 10 + 11
    ae = ej07_denoising.build_model()
    assert tuple(ae.outputs[0].shape[1:]) == (28, 28, 1)
    assert param_counts(ae)["total"] == 320 + 3 * 9248 + 289


def test_cifar10_heads():
    assert cifar_nets.build_vgg(10).outputs[0].shape[-1] == 10
    with pytest.raises(ValueError, match="unknown architecture"):
        cifar_nets.build("resnet")
