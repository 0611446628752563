"""The optimizer base: learning rate (float or schedule), clipping, weight decay, state.

``apply(slots)`` takes ``[(key, param, grad), ...]`` and updates every param in
place, in the order of Keras 3's ``BaseOptimizer.apply``: gradients cast to the
weight dtype, clipped (``clipnorm`` per weight, or ``global_clipnorm`` over all,
or ``clipvalue``), then decoupled weight decay ``w -= w·wd·lr``, then the
update rule of the subclass with the learning rate at the current step, then
``iterations += 1``. Per-weight state (momenta...) lives under ``key``.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Iterable

import numpy as np

from ..ops.update import with_l2
from .guard import GuardedApply, copy_into  # noqa: F401  (copy_into: the trainer imports it from here)
from .state import OptimizerState
from .schedules import LearningRateSchedule, deserialize as _deserialize_schedule, serialize as _serialize_schedule


def check_range(owner: str, arg: str, value, low=None, high=None, low_open=False, high_open=False) -> None:
    """Raise ``ValueError("Adam: beta_1 must be in [0, 1), got 1.0")`` when out of range."""
    bad = not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool) \
        or not math.isfinite(value)
    if not bad and low is not None:
        bad = value <= low if low_open else value < low
    if not bad and high is not None:
        bad = value >= high if high_open else value > high
    if bad:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{owner}: {arg} must be a number in {interval}, got {value!r}")


class Optimizer(OptimizerState, GuardedApply):
    """Keras 3's optimizer interface for minidl's trainer (see the module docstring);
    ``apply_guarded`` (``optimizers.guard``) is ``apply`` undone when a weight turns non-finite."""

    def __init__(self, learning_rate, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None, **kwargs):
        owner = type(self).__name__
        for unsupported in ("use_ema", "loss_scale_factor", "gradient_accumulation_steps"):
            if kwargs.pop(unsupported, None):
                raise ValueError(f"{owner}: {unsupported} is not supported by minidl")
        kwargs.pop("ema_momentum", None)
        kwargs.pop("ema_overwrite_frequency", None)
        if kwargs:
            raise ValueError(f"{owner}: argument(s) not recognized: {kwargs}")
        self._learning_rate = self._checked_learning_rate(learning_rate)
        if weight_decay is not None:
            check_range(owner, "weight_decay", weight_decay, low=0)
        given = {k: v for k, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                   ("global_clipnorm", global_clipnorm)) if v is not None}
        if len(given) > 1:
            raise ValueError(f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be set, got {given}")
        for arg, value in given.items():
            check_range(owner, arg, value, low=0, low_open=True)
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self.name = name or re.sub(r"(?<!^)(?=[A-Z])", "_", owner).lower()
        self.iterations = 0
        self._slots: dict[object, dict[str, np.ndarray]] = {}
        self._exclude_names: re.Pattern | None = None
        self._exclude_keys: set = set()

    # ---- learning rate ---------------------------------------------------------
    def _checked_learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or (callable(value) and not isinstance(value, (int, float))):
            return value
        ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be a positive number or a "
                             f"LearningRateSchedule, got {value!r}")
        return float(value)

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update: a schedule is evaluated at ``iterations``."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return float(lr(self.iterations))
        if callable(lr):
            return float(lr())
        return lr

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, LearningRateSchedule) or callable(value):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(f"{type(self).__name__} was created with a LearningRateSchedule as its learning "
                            "rate, so its learning rate cannot be set to a number")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{type(self).__name__}: learning_rate must be a number, a LearningRateSchedule "
                            f"or a callable, got {value!r}")
        value = float(value)
        if not math.isfinite(value) or value < 0:  # 0 allowed: ReduceLROnPlateau(min_lr=0)
            raise ValueError(f"{type(self).__name__}: learning_rate must be a non-negative number, got {value!r}")
        self._learning_rate = value

    # ---- the update ----------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list: Iterable | None = None, var_names: Iterable[str] | None = None):
        """Skip weight decay for these slot keys, or for keys whose text matches any of ``var_names``."""
        self._exclude_keys = set(var_list or [])
        names = list(var_names or [])
        self._exclude_names = re.compile("|".join(map(re.escape, names))) if names else None

    def _use_weight_decay(self, key) -> bool:
        if key in self._exclude_keys:
            return False
        text = "/".join(map(str, key)) if isinstance(key, tuple) else str(key)
        return self._exclude_names is None or self._exclude_names.search(text) is None

    #: the subclass's ``update`` takes ``l2=`` and folds the penalty's gradient in (see ``folds_l2``)
    _update_folds_l2 = False

    def folds_l2(self) -> bool:
        """Can ``apply``'s ``l2`` penalties go into the update rule itself (one pass per weight)?
        Not with clipping or weight decay: those act on the gradient with the penalty, or on
        the weight before the rule reads it."""
        return (self._update_folds_l2 and not self.weight_decay and not self.clipnorm and not self.clipvalue
                and not self.global_clipnorm)

    def apply(self, slots: Iterable[tuple[object, np.ndarray, np.ndarray]],
              l2: dict | None = None) -> None:
        """One update of every ``(key, param, grad)``; ``iterations`` grows by one.

        ``l2`` ({key: factor}): an L2 penalty ``factor·Σw²`` on those weights whose gradient
        ``2·factor·w`` is not in ``grad``: folded into the update when :meth:`folds_l2`,
        else added first, as the trainer used to (the same bits either way)."""
        self._apply(slots, l2)

    def _saves_backups(self) -> bool:
        """Can a guarded step leave the copies to ``update`` (``update(..., guard=True)``
        saves what it overwrites and returns whether the new weight is finite)? Not with
        weight decay (it changes the weight first) nor when a subclass replaces the rule
        or keeps state besides the slots (the mark ``update.saves_backup`` is then gone,
        or the hooks are not the base's)."""
        cls = type(self)
        return (getattr(cls.update, "saves_backup", False) and not self.weight_decay
                and cls._before_updates is Optimizer._before_updates and cls._extra_state is Optimizer._extra_state)

    def _apply(self, slots, l2: dict | None):
        """``apply``; in a guarded step (``self._saved`` is a list) the key of the first weight
        whose update is not finite, or None (then ``iterations`` does not grow)."""
        keys, params, grads = [], [], []
        for key, param, grad in slots:  # check first: a call that raises changes nothing
            if type(grad) is not np.ndarray:
                grad = np.asarray(grad)
            if grad.shape != param.shape:
                raise ValueError(f"{type(self).__name__}: gradient for {key!r} has shape {grad.shape}, "
                                 f"the weight has shape {param.shape}")
            keys.append(key)
            params.append(param)
            grads.append(grad if grad.dtype == param.dtype else grad.astype(param.dtype))
        l2 = l2 or {}
        fold = self.folds_l2() if l2 else False  # only l2's weights care: skip the checks per step
        if l2 and not fold:
            grads = [with_l2(p, g, l2.get(k, 0.0)) for k, p, g in zip(keys, params, grads)]
        grads = self._clip(grads)
        lr = self.learning_rate
        if self.weight_decay is not None:
            for key, param in zip(keys, params):
                if self._use_weight_decay(key):
                    f = param.dtype.type
                    param -= param * f(self.weight_decay) * f(lr)
        self._before_updates(params)
        guard = self._saved is not None
        folded = l2 if fold else None
        bad = None
        if not guard and not folded:  # the plain step (and the small guarded one): no per-weight tests
            update = self.update
            for key, param, grad in zip(keys, params, grads):
                update(key, param, grad, lr)
            self.iterations += 1
            return None
        for key, param, grad in zip(keys, params, grads):
            factor = folded.get(key) if folded else None
            if not guard:  # no l2 argument unless folded: a rule without a kernel has none
                self.update(key, param, grad, lr, l2=factor) if factor else self.update(key, param, grad, lr)
            elif not (self.update(key, param, grad, lr, l2=factor, guard=True) if factor
                      else self.update(key, param, grad, lr, guard=True)) and bad is None:
                bad = key
        if bad is None:
            self.iterations += 1
        return bad

    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        if self.clipnorm:
            out = []
            for g in grads:
                norm = math.sqrt(float(np.sum(np.square(g, dtype=np.float64))))
                out.append(g * g.dtype.type(self.clipnorm) / g.dtype.type(max(norm, self.clipnorm)))
            return out
        if self.global_clipnorm:
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
            scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf, 1.0 / self.global_clipnorm)
            if not math.isfinite(norm):
                scale = math.nan  # Keras: a non-finite norm makes every gradient NaN
            return [g * g.dtype.type(scale) for g in grads]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _before_updates(self, params: list[np.ndarray]) -> None:
        """Hook run once per step before the per-weight updates (Nadam)."""

    def update(self, key, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    # ---- config --------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = _serialize_schedule(lr)
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Optimizer":
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _deserialize_schedule(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


LearningRate = float | LearningRateSchedule | Callable[[], float]

