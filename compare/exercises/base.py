"""The uniform shape of an exercise: one definition, built with either library.

An :class:`Exercise` holds everything a run needs: the report's name and
figures, its variants (networks, ablations, folds), ``build(lib, variant)``
returning a compiled model where ``lib`` is the ``keras`` or the ``minidl``
module, ``data(variant, quick, data_dir)`` returning NumPy arrays, epochs and
batch size (full and quick), the published numbers, and the curve figures.
Nothing here imports Keras: the library is always an argument.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..metrics import keras_pm1_accuracy, pm1_accuracy


def lib_name(lib: Any) -> str:
    """``"keras"`` or ``"minidl"`` for the library module ``lib``."""
    name = getattr(lib, "__name__", str(lib)).split(".")[0]
    if name not in ("keras", "minidl"):
        raise ValueError(f"lib must be the keras or the minidl module, got {name!r}")
    return name


def compile_model(lib: Any, model: Any, optimizer: Any, loss: Any, metrics: Sequence[Any] = ()) -> Any:
    """``model.compile`` in either library; Keras without XLA (same op order every run)."""
    extra = {"jit_compile": False} if lib_name(lib) == "keras" else {}
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), **extra)
    return model


def accuracy(lib: Any, kind: str, threshold: float = 0.5) -> Any:
    """A metric object named ``accuracy`` in both libraries.

    ``kind``: ``"binary"`` (output > threshold), ``"categorical"`` (argmax) or
    ``"pm1"`` (the XOR rule y·t > 0.7, one expression for NumPy and keras.ops).
    """
    if kind == "binary":
        return lib.metrics.BinaryAccuracy(name="accuracy", threshold=threshold)
    if kind == "categorical":
        return lib.metrics.CategoricalAccuracy(name="accuracy")
    if kind == "pm1":
        if lib_name(lib) == "keras":
            return lib.metrics.MeanMetricWrapper(keras_pm1_accuracy, name="accuracy")
        return lib.metrics.MeanMetricWrapper(pm1_accuracy, name="accuracy")
    raise ValueError(f"accuracy kind {kind!r} must be 'binary', 'categorical' or 'pm1'")


@dataclass
class Data:
    """Arrays of one variant: x (n, ...) float or int ids, y (n, units); validation may be None.

    ``label`` is the phrase figure titles use ("lossy CIFAR-10", "MNIST",
    "synthetic ...", "generated ..."); ``info`` is JSON-ready provenance;
    ``extra`` holds what a special figure needs (e.g. raw LSTAT column).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    label: str
    info: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def astype(self, dtype: str) -> "Data":
        """Float arrays cast to ``dtype``; integer inputs (word ids) kept."""
        def cast(a):
            if a is None or not np.issubdtype(a.dtype, np.floating):
                return a
            return a.astype(dtype, copy=False)
        return Data(cast(self.x_train), cast(self.y_train), cast(self.x_val), cast(self.y_val),
                    self.label, self.info, self.extra)


@dataclass(frozen=True)
class Curve:
    """One line of a figure: a label, the variants averaged into it (folds, ...), a history key."""

    label: str
    variants: tuple[str, ...]
    key: str
    style: str = "-"


@dataclass(frozen=True)
class FigureSpec:
    """A report figure drawn from histories: each curve once per library."""

    number: int
    stem: str
    title: str
    ylabel: str
    curves: tuple[Curve, ...]
    normalize: bool = False
    logy: bool = False


@dataclass(frozen=True)
class Published:
    """A number the report published: the variants averaged (folds), history key, value (fraction), text."""

    variants: tuple[str, ...]
    key: str
    value: float
    text: str


@dataclass
class Exercise:
    """One exercise of the report, written once for both libraries."""

    name: str
    title: str
    report: str
    figures: tuple[int, ...]
    variants: Mapping[str, str]
    build: Callable[[Any, str], Any]
    data: Callable[[str, bool, str | None], Data]
    epochs: int | Mapping[str, int]
    quick_epochs: int | Mapping[str, int]
    batch_size: int | Callable[[str, Data], int]
    dropout: frozenset[str] = frozenset()
    published: tuple[Published, ...] = ()
    curve_figures: tuple[FigureSpec, ...] = ()
    extra_figures: Callable[..., list[str]] | None = None
    epoch_transform: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None
    notes: tuple[str, ...] = ()
    quick_variants: tuple[str, ...] | None = None
    full_on_cpu: bool = True

    def batch_for(self, variant: str, data: Data) -> int:
        """Batch size of ``variant`` (full batch when the exercise says so)."""
        return self.batch_size(variant, data) if callable(self.batch_size) else int(self.batch_size)

    def epochs_for(self, variant: str, quick: bool) -> int:
        """The report's (or this package's) epochs for ``variant``, or the quick run's."""
        value = self.quick_epochs if quick else self.epochs
        return int(value[variant]) if isinstance(value, Mapping) else int(value)

    def default_variants(self, quick: bool) -> list[str]:
        """Variants a run trains when none are named (quick runs may skip some)."""
        if quick and self.quick_variants is not None:
            return list(self.quick_variants)
        return list(self.variants)

    def check_variant(self, variant: str) -> None:
        if variant not in self.variants:
            raise ValueError(f"{self.name}: unknown variant {variant!r}; choose from {list(self.variants)}")


def curves_train_val(variants: Sequence[str], key: str, labels: Mapping[str, str] | None = None
                     ) -> tuple[Curve, ...]:
    """Training (solid) and validation (dashed) curves of ``key`` for each variant."""
    out = []
    for v in variants:
        name = (labels or {}).get(v, v)
        prefix = f"{name}, " if len(variants) > 1 or labels else ""
        out.append(Curve(f"{prefix}train", (v,), key))
        out.append(Curve(f"{prefix}validation", (v,), f"val_{key}", "--"))
    return tuple(out)
