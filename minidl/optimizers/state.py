"""An optimizer's state: the per-weight slots (momenta, moments), ``iterations``, the
learning rate when it is a number, and any optimizer-wide extra (Nadam's running
product); copied out and put back whole (``get_state`` / ``set_state``), or into
reused buffers every step (``snapshot``, for the guard against non-finite updates)."""
from __future__ import annotations

import copy

import numpy as np

from .guard import copy_into


class OptimizerState:
    """Mixed into ``Optimizer``, which sets ``_slots``, ``iterations`` and ``_learning_rate``."""

    _slots: dict
    iterations: int

    def slot(self, key, name: str, like: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """The per-weight state array ``name`` for ``key``, created as ``full_like(like, fill)``."""
        per_weight = self._slots.setdefault(key, {})
        if name not in per_weight:
            per_weight[name] = np.full_like(like, fill)
            self._note_created(key, name)
        return per_weight[name]

    def _extra_state(self) -> dict:
        """Optimizer-wide state besides the slots (Nadam's running product)."""
        return {}

    def _set_extra_state(self, extra: dict) -> None:
        pass

    def get_state(self) -> dict:
        """A deep copy of everything an update changes: slots, iterations, the
        learning rate (when a number: callbacks change it) and any extra state."""
        state = {"iterations": self.iterations, "slots": copy.deepcopy(self._slots),
                 "extra": copy.deepcopy(self._extra_state())}
        if isinstance(self._learning_rate, float):
            state["learning_rate"] = self._learning_rate
        return state

    def snapshot(self, previous: dict | None = None) -> dict:
        """Like :meth:`get_state`, but the slot arrays are copied into ``previous``'s
        arrays where shapes match, so a training loop that snapshots every step
        allocates nothing (the trainer's guard against non-finite updates)."""
        old_slots = previous["slots"] if previous else {}
        slots = {key: {name: copy_into(old_slots.get(key, {}).get(name), a) for name, a in per.items()}
                 for key, per in self._slots.items()}
        extra = self._extra_state()
        state = {"iterations": self.iterations, "slots": slots, "extra": copy.deepcopy(extra) if extra else {}}
        if isinstance(self._learning_rate, float):
            state["learning_rate"] = self._learning_rate
        return state

    def set_state(self, state: dict) -> None:
        """Restore :meth:`get_state`'s dict (copied, so the dict can be reused)."""
        self.iterations = int(state["iterations"])
        self._slots = copy.deepcopy(state["slots"])
        self._set_extra_state(copy.deepcopy(state.get("extra", {})))
        if "learning_rate" in state and isinstance(self._learning_rate, float):
            self._learning_rate = float(state["learning_rate"])
