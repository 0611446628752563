"""Losses with Keras 3's formulas, names and reductions (``minidl.losses``).

Modules: ``base`` (Loss, reductions, label alignment), ``probabilistic``
(cross-entropies, KL divergence, Poisson), ``regression`` (MSE, MAE, MAPE,
MSLE, Huber, LogCosh, CosineSimilarity), ``hinge``, ``functions`` (Keras's
plain functions ``mean_squared_error(y_true, y_pred)`` ...).
"""
from __future__ import annotations

from .base import Loss, LossFunctionWrapper, _align, _reduce, _sparse_labels, _weights
from .functions import (CLASS_OF as _CLASS_OF, binary_crossentropy, categorical_crossentropy,
                        categorical_hinge, cosine_similarity, hinge, huber, kl_divergence, log_cosh,
                        mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                        mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                        squared_hinge)
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic import (BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, Poisson,
                            SparseCategoricalCrossentropy)
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError,
                         MeanSquaredError, MeanSquaredLogarithmicError)

_CLASSES = (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            CosineSimilarity, Huber, LogCosh, KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy)

# Keras 3's names: class names, function names and the legacy short aliases
_BY_NAME = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({fn.__name__: cls for fn, cls in _CLASS_OF.items()})
_BY_NAME.update({
    "mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "logcosh": LogCosh, "huber_loss": Huber,
})


def get(identifier) -> Loss:
    """Resolve a Keras loss name (``"mse"``, ``"huber"``, ``"KLDivergence"``...), pass a Loss
    through, map one of this module's plain functions to its Loss, or wrap a user's plain
    function ``fn(y_true, y_pred)`` written with ``minidl.ops``."""
    if isinstance(identifier, Loss):
        return identifier
    if callable(identifier) and not isinstance(identifier, type):
        if identifier in _CLASS_OF:
            return _CLASS_OF[identifier]()
        return LossFunctionWrapper(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown loss {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return _BY_NAME[identifier]()
    raise TypeError(f"loss must be a name, a minidl.losses.Loss or a function f(y_true, y_pred), "
                    f"got {identifier!r}")


__all__ = ["Loss", "LossFunctionWrapper", "get", *(c.__name__ for c in _CLASSES), *(f.__name__ for f in _CLASS_OF)]
