"""Weight initializers with Keras's names, defaults and fan computation.

Each is called as ``init(shape, dtype) -> ndarray``. A seeded initializer
gives the same bits on every call with the same shape; an unseeded one draws
from ``minidl.config.rng()`` (see ``config.set_random_seed``).
"""
from __future__ import annotations

import math

import numpy as np

from . import config

# The std of a unit normal truncated to [-2, 2]; Keras divides by it so that
# the truncated draw keeps the intended variance.
_TRUNC_STD = 0.87962566103423978


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """(fan_in, fan_out) as Keras computes them.

    Dense kernel (in, out): (in, out). Conv kernel (..., cin, cout):
    receptive field size times cin and cout. A vector (n,): (n, n).
    """
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class Initializer:
    def __init__(self, seed: int | None = None):
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        return config.make_rng(self.seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"seed": self.seed}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


def _dtype(dtype) -> np.dtype:
    return np.dtype(dtype or config.floatx())


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return np.zeros(shape, _dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return np.ones(shape, _dtype(dtype))


class Constant(Initializer):
    def __init__(self, value: float = 0.0):
        super().__init__(None)
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, _dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._rng().normal(self.mean, self.stddev, shape).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._rng().uniform(self.minval, self.maxval, shape).astype(_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    """Normal draws re-drawn until within two standard deviations of the mean
    (Keras's ``TruncatedNormal``: ``stddev`` is that of the untruncated normal)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return (self.mean + _truncated_normal(self._rng(), self.stddev, shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Keras's ``VarianceScaling``: variance ``scale / n`` with n from the fans."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"VarianceScaling: scale must be a positive number, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be one of 'fan_in', 'fan_out', 'fan_avg', got {mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras's alias
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("VarianceScaling: distribution must be one of 'truncated_normal', "
                             f"'untruncated_normal', 'uniform', got {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            w = rng.uniform(-limit, limit, shape)
        elif self.distribution == "untruncated_normal":
            w = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            w = _truncated_normal(rng, math.sqrt(variance) / _TRUNC_STD, shape)
        return w.astype(_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "seed": self.seed}


def _truncated_normal(rng: np.random.Generator, stddev: float, shape) -> np.ndarray:
    """Normal draws re-drawn until inside two standard deviations, as TF does."""
    w = rng.normal(0.0, 1.0, shape)
    outside = np.abs(w) > 2
    while outside.any():
        w[outside] = rng.normal(0.0, 1.0, int(outside.sum()))
        outside = np.abs(w) > 2
    return w * stddev


class GlorotUniform(VarianceScaling):
    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed: int | None = None):
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed: int | None = None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class Orthogonal(Initializer):
    """``gain`` times an orthogonal matrix (the Q of a QR of a normal draw, signs
    fixed by R's diagonal), for shape (..., n) flattened to (prod(...), n)."""

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 axes, got {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        # a contiguous copy: the optimizers update weights in place through flat views
        return np.ascontiguousarray((self.gain * q.reshape(shape)).astype(_dtype(dtype)))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity (2-D shapes only; rectangular allowed)."""

    def __init__(self, gain: float = 1.0):
        super().__init__(None)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity: only 2-D shapes can be initialized, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity)


def _snake(name: str) -> str:
    import re
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Keras's table: class names, their snake_case forms, and its aliases
_BY_NAME: dict[str, type] = {**{c.__name__: c for c in _CLASSES}, **{_snake(c.__name__): c for c in _CLASSES},
                             "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros,
                             "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal}


def serialize(initializer: Initializer) -> dict:
    """``{"class_name": ..., "config": ...}`` as Keras's ``initializers.serialize``."""
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> Initializer:
    """Rebuild an initializer from :func:`serialize`'s dict."""
    table = {**_BY_NAME, **(custom_objects or {})}
    name = config.get("class_name")
    if name not in table:
        raise ValueError(f"Unknown initializer {name!r}; valid names: {sorted(_BY_NAME)}")
    return table[name](**config.get("config", {}))


def get(identifier) -> Initializer:
    """Resolve a Keras name (``"glorot_uniform"``, ``"GlorotUniform"``), a serialized
    dict, an Initializer class, or pass an Initializer (or any callable
    ``f(shape, dtype)``) through."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier) or _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown initializer {identifier!r}; valid names: "
                             f"{sorted(k for k in _BY_NAME if k.islower())}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"initializer must be a name, a config dict or an Initializer, got {identifier!r}")
