"""Declarative setups: one frozen :class:`Spec` per experiment compared in minidl and Keras.

A spec is plain data (strings, numbers, tuples, dicts) so that it can be
printed, written to JSON next to the results and built into either framework
by :mod:`compare.build`. The layers form a small graph: each entry is
``(kind, kwargs)`` with ``kind`` in :data:`LAYER_KINDS`; a layer takes the
previous entry's output unless its kwargs name ``inputs`` (a list of earlier
layer names, ``"input"`` being the model's input).

Setups (exercise numbers as in ``shared/SPEC.md``):

* ``cifar10-mse`` (P-3 / 2-3): 3072 → Dense 100 sigmoid → Dense 10 linear,
  L2 1e-4 on both kernels, MSE on one-hot targets, SGD lr 0.003, batch 50.
* ``cifar10-cce`` (P-4 / 2-4): the same net, categorical cross-entropy from
  the logits of the linear output.
* ``cifar10-cce-l2``: 2-4 with L2 0.05.
* ``xor-221``, ``xor-211`` (P-6 / 2-6): tanh nets on ±1 XOR, MSE, SGD lr 0.1,
  batch 1, accuracy ``pm1_accuracy``.
* ``xor-221-01``, ``xor-211-01``: the report's Keras variant, inputs and
  targets mapped to {0, 1}, ``binary_accuracy``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: layer kinds a spec may use, and the kwargs each accepts
LAYER_KINDS: dict[str, frozenset[str]] = {
    "dense": frozenset({"units", "activation", "kernel_regularizer", "bias_regularizer", "name", "inputs"}),
    "concatenate": frozenset({"name", "inputs"}),
}
LOSSES = ("mse", "categorical_crossentropy", "binary_crossentropy")
METRICS = ("categorical_accuracy", "binary_accuracy", "pm1_accuracy")
DATASETS = ("cifar10", "xor")
PREPROCESSING = {
    "cifar10": ("flatten-standardize",),
    "xor": ("pm1", "01"),
}
PRECISIONS = ("float32", "float64")
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "softmax")

LayerSpec = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Spec:
    """One setup, framework-neutral.

    Attributes:
        name: the CLI name, e.g. ``"cifar10-mse"``.
        exercise: where it comes from in the report, e.g. ``"2-3 / P-3"``.
        dataset: ``"cifar10"`` or ``"xor"``.
        input_shape: shape of one sample after preprocessing, e.g. ``(3072,)``.
        layers: the graph, ``(kind, kwargs)`` per layer (see the module doc).
        loss: a Keras loss name; ``from_logits`` for the cross-entropies.
        optimizer, learning_rate: only ``"sgd"`` (plain, no momentum) so far.
        batch_size: mini-batch size.
        epochs: the short default run; ``full_epochs``: the report's length.
        metrics: accuracy metric names, logged as ``"accuracy"``.
        preprocessing: ``"flatten-standardize"`` (CIFAR-10: flatten to 3072,
            subtract the per-feature training mean, divide by the per-feature
            training std), ``"pm1"`` (XOR on ±1) or ``"01"`` (XOR on {0, 1}).
        train_size, test_size: the short default run's subset (first samples
            of each split); None = all. ``--full`` uses all.
        seed: initialization and shuffling seed.
        description: one line for ``--list`` and figure titles.
    """

    name: str
    exercise: str
    dataset: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    loss: str
    from_logits: bool = False
    optimizer: str = "sgd"
    learning_rate: float = 0.01
    batch_size: int = 32
    epochs: int = 5
    full_epochs: int = 100
    metrics: tuple[str, ...] = ("categorical_accuracy",)
    preprocessing: str = "flatten-standardize"
    train_size: int | None = None
    test_size: int | None = None
    seed: int = 0
    description: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        validate(self)

    def replace(self, **changes: Any) -> "Spec":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples become lists."""
        return dataclasses.asdict(self)

    @property
    def layer_names(self) -> list[str]:
        return [kw["name"] for _, kw in self.layers]


def validate(spec: Spec) -> None:
    """Raise ``ValueError`` naming the field and value when a spec is inconsistent."""
    def bad(what: str) -> ValueError:
        return ValueError(f"spec {spec.name!r}: {what}")

    if spec.dataset not in DATASETS:
        raise bad(f"dataset={spec.dataset!r} is not one of {DATASETS}")
    if spec.preprocessing not in PREPROCESSING[spec.dataset]:
        raise bad(f"preprocessing={spec.preprocessing!r} is not one of {PREPROCESSING[spec.dataset]} "
                  f"for dataset {spec.dataset!r}")
    if spec.loss not in LOSSES:
        raise bad(f"loss={spec.loss!r} is not one of {LOSSES}")
    if spec.from_logits and spec.loss == "mse":
        raise bad("from_logits=True only applies to the cross-entropies, not mse")
    if spec.optimizer != "sgd":
        raise bad(f"optimizer={spec.optimizer!r}: only 'sgd' is supported")
    if not spec.learning_rate > 0:
        raise bad(f"learning_rate={spec.learning_rate!r} must be positive")
    for arg in ("batch_size", "epochs", "full_epochs"):
        value = getattr(spec, arg)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(f"{arg}={value!r} must be a positive integer")
    for arg in ("train_size", "test_size"):
        value = getattr(spec, arg)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise bad(f"{arg}={value!r} must be a positive integer or None")
    for m in spec.metrics:
        if m not in METRICS:
            raise bad(f"metric {m!r} is not one of {METRICS}")
    if len(spec.metrics) != 1:
        raise bad(f"metrics={spec.metrics!r}: exactly one accuracy metric, logged as 'accuracy'")
    last = spec.layers[-1][1].get("activation", "linear") if spec.layers else None
    if spec.from_logits and last in ("softmax", "sigmoid"):
        raise bad(f"from_logits=True but the output layer applies {last}: its outputs are not logits")
    names = ["input"]
    for i, layer in enumerate(spec.layers):
        if not (isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[1], dict)):
            raise bad(f"layers[{i}]={layer!r} must be a (kind, kwargs) pair")
        kind, kwargs = layer
        if kind not in LAYER_KINDS:
            raise bad(f"layers[{i}] kind {kind!r} is not one of {sorted(LAYER_KINDS)}")
        unknown = set(kwargs) - LAYER_KINDS[kind]
        if unknown:
            raise bad(f"layers[{i}] ({kind}) has unknown kwargs {sorted(unknown)}; "
                      f"accepted: {sorted(LAYER_KINDS[kind])}")
        if "name" not in kwargs:
            raise bad(f"layers[{i}] ({kind}) needs a 'name' so that both frameworks name it alike")
        for src in kwargs.get("inputs", []):
            if src not in names:
                raise bad(f"layers[{i}] ({kwargs['name']!r}) takes input {src!r}, which is not an "
                          f"earlier layer; earlier: {names}")
        if kind == "dense" and len(kwargs.get("inputs", [])) > 1:
            raise bad(f"layers[{i}] ({kwargs['name']!r}) dense takes one input, got inputs={kwargs['inputs']}")
        if kind == "dense" and kwargs.get("activation", "linear") not in ACTIVATIONS:
            raise bad(f"layers[{i}] ({kwargs['name']!r}) activation={kwargs.get('activation')!r} is not "
                      f"one of {ACTIVATIONS}")
        if kind == "concatenate" and len(kwargs.get("inputs", [])) < 2:
            raise bad(f"layers[{i}] ({kwargs['name']!r}) concatenate needs inputs=[at least 2 names]")
        for reg_arg in ("kernel_regularizer", "bias_regularizer"):
            reg = kwargs.get(reg_arg)
            if reg is not None and not (isinstance(reg, tuple) and len(reg) == 2
                                        and reg[0] in ("l1", "l2") and reg[1] >= 0):
                raise bad(f"layers[{i}] {reg_arg}={reg!r} must be ('l1' | 'l2', factor >= 0)")
        if kwargs["name"] in names:
            raise bad(f"layer name {kwargs['name']!r} is used twice")
        names.append(kwargs["name"])


# ------------------------------------------------------------------ the setups

def _cifar10(name: str, exercise: str, loss: str, from_logits: bool, l2: float, full_epochs: int,
             description: str) -> Spec:
    return Spec(
        name=name, exercise=exercise, dataset="cifar10", input_shape=(3072,),
        layers=(
            ("dense", {"name": "hidden", "units": 100, "activation": "sigmoid",
                       "kernel_regularizer": ("l2", l2)}),
            ("dense", {"name": "output", "units": 10, "activation": "linear",
                       "kernel_regularizer": ("l2", l2)}),
        ),
        loss=loss, from_logits=from_logits, optimizer="sgd", learning_rate=0.003, batch_size=50,
        epochs=5, full_epochs=full_epochs, metrics=("categorical_accuracy",),
        preprocessing="flatten-standardize", train_size=5000, test_size=2000, seed=0,
        description=description,
    )


def _xor(name: str, arch: str, targets: str) -> Spec:
    if arch == "221":
        layers: tuple[LayerSpec, ...] = (
            ("dense", {"name": "hidden", "units": 2, "activation": "tanh"}),
            ("dense", {"name": "output", "units": 1, "activation": "tanh"}),
        )
        what = "2 → 2 tanh → 1 tanh"
    else:
        layers = (
            ("dense", {"name": "hidden", "units": 1, "activation": "tanh"}),
            ("concatenate", {"name": "concat", "inputs": ["input", "hidden"]}),
            ("dense", {"name": "output", "units": 1, "activation": "tanh"}),
        )
        what = "2 → 1 tanh, output sees [input, hidden] → 1 tanh"
    pm1 = targets == "pm1"
    return Spec(
        name=name, exercise="2-6 / P-6", dataset="xor", input_shape=(2,), layers=layers,
        loss="mse", optimizer="sgd", learning_rate=0.1, batch_size=1, epochs=50, full_epochs=300,
        metrics=("pm1_accuracy",) if pm1 else ("binary_accuracy",),
        preprocessing=targets, train_size=None, test_size=None, seed=0,
        description=(f"XOR {what}; MSE, SGD lr 0.1, batch 1; "
                     + ("±1 inputs and targets, right when y·t > 0.7" if pm1 else
                        "{0,1} inputs and targets (the report's Keras variant), binary accuracy")),
    )


SETUPS: dict[str, Spec] = {s.name: s for s in (
    _cifar10("cifar10-mse", "2-3 / P-3", "mse", False, 1e-4, 400,
             "CIFAR-10 3072 → 100 sigmoid → 10 linear, L2 1e-4, MSE on one-hot, SGD lr 0.003, batch 50"),
    _cifar10("cifar10-cce", "2-4 / P-4", "categorical_crossentropy", True, 1e-4, 500,
             "CIFAR-10 3072 → 100 sigmoid → 10 linear, L2 1e-4, CCE from logits, SGD lr 0.003, batch 50"),
    _cifar10("cifar10-cce-l2", "2-4 / P-4, L2 0.05", "categorical_crossentropy", True, 0.05, 500,
             "CIFAR-10 3072 → 100 sigmoid → 10 linear, L2 0.05, CCE from logits, SGD lr 0.003, batch 50"),
    _xor("xor-221", "221", "pm1"),
    _xor("xor-211", "211", "pm1"),
    _xor("xor-221-01", "221", "01"),
    _xor("xor-211-01", "211", "01"),
)}

#: what ``python -m compare`` runs with no setup named
DEFAULT_SUITE: tuple[str, ...] = ("xor-221", "xor-211", "cifar10-mse", "cifar10-cce")


def get_spec(name: str) -> Spec:
    """The setup called ``name``; ``KeyError`` listing the known names otherwise."""
    if name not in SETUPS:
        raise KeyError(f"unknown setup {name!r}; known setups: {', '.join(SETUPS)}")
    return SETUPS[name]
