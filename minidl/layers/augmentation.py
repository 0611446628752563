"""Image augmentation layers, Keras 3's ``RandomFlip``, ``RandomRotation``,
``RandomTranslation``, ``RandomZoom``, ``RandomContrast``.

Active only in training; at inference each is the identity. Inputs are channels
last, (batch, H, W, C) or one image (H, W, C); outputs have the input's shape.
Random parameters are drawn per image from the layer's own generator (``seed``:
same seed, same draws; without one it is drawn from ``config.rng()``, as Dropout).
The draws cannot match Keras's RNG; for given parameters the geometry is Keras's
(the same affine matrices, ``minidl.ops.image.affine_transform``).

Backward: the identity at inference. In training these layers sit right after
the input, so the graph asks for no input gradient (``need_dx=False``). RandomFlip
gives the exact gradient (the flip of dy); the others raise NotImplementedError
if one is asked for in training.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import config
from ..ops.image import FILL_MODES, INTERPOLATIONS, affine_transform
from .base import Layer
from .window_args import check_channels_last


def _factor_pair(layer: str, arg: str, factor, lo: float, hi: float, low_exclusive: bool = False):
    """Keras's ``factor``: a number f gives (−f, f) (clipped at lo), a pair gives its sorted values."""
    def check(v):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not (lo < v if low_exclusive else lo <= v) \
                or v > hi:
            raise ValueError(f"{layer}: {arg} must be a number or a pair of numbers in "
                             f"{'(' if low_exclusive else '['}{lo}, {hi}], got {factor!r}")
        return float(v)
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(f"{layer}: {arg} must be a number or a pair of numbers, got {factor!r}")
        a, b = sorted(check(v) for v in factor)
        return a, b
    f = abs(check(factor))
    return max(-f, lo), f


class _RandomImageLayer(Layer):
    """Draw per-image parameters in training and transform; identity at inference."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = config.check_seed(type(self).__name__, "seed", seed)
        self._rng = config.make_rng(seed)

    def _check_image(self, x: np.ndarray) -> None:
        if x.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__} {self.name!r}: expected images (batch, H, W, C) or "
                             f"(H, W, C), got shape {x.shape}")

    def get_random_transformation(self, images: np.ndarray) -> np.ndarray:
        """Per-image parameters for a batch ``images`` (batch, H, W, C)."""
        raise NotImplementedError

    def transform_images(self, images: np.ndarray, transformation) -> np.ndarray:
        """Apply given parameters to ``images`` (batch, H, W, C): deterministic."""
        raise NotImplementedError

    def forward(self, x, training=False):
        x = np.asarray(x)
        self._check_image(x)
        if not training:
            return x, None
        batch = x if x.ndim == 4 else x[None]
        transformation = self.get_random_transformation(batch)
        y = self.transform_images(batch, transformation)
        return (y if x.ndim == 4 else y[0]), (transformation, x.ndim)

    def backward(self, cache, dy, need_dx=True):
        if cache is None:
            return dy, {}
        if not need_dx:
            return None, {}
        dx = self._transpose(cache[0], dy if cache[1] == 4 else dy[None])
        return (dx if cache[1] == 4 else dx[0]), {}

    def _transpose(self, transformation, dy):
        """The transposed transform applied to dy (batch, H, W, C); layers without one refuse."""
        raise NotImplementedError(f"{type(self).__name__} {self.name!r}: no gradient through a random "
                                      "augmentation in training; place it right after the model's input")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


class _AffineLayer(_RandomImageLayer):
    """A layer whose transformation is one affine matrix (batch, 8) per image."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", fill_value: float = 0.0,
                 seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        name = type(self).__name__
        if fill_mode not in FILL_MODES:
            raise ValueError(f"{name}: fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{name}: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
        if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
            raise TypeError(f"{name}: fill_value must be a number, got {fill_value!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def transform_images(self, images, transformation):
        return affine_transform(images, transformation, self.interpolation, self.fill_mode, self.fill_value)

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


def affine_matrix(angle, height: int, width: int, translate_x=0.0, translate_y=0.0, scale=1.0,
                  shear_x=0.0, shear_y=0.0) -> np.ndarray:
    """Keras's ``_compute_affine_matrix`` about the image center: (batch, 8) output→input maps.
    angle, shear in degrees, arrays of shape (batch,)."""
    angle = np.radians(np.asarray(angle, dtype=np.float64))
    shx, shy = np.tan(np.radians(shear_x)), np.tan(np.radians(shear_y))
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = np.cos(angle), np.sin(angle)
    a0, a1 = scale * (cos + shx * sin), scale * (-sin + shx * cos)
    b0, b1 = scale * (shy * cos + sin), scale * (shy * -sin + cos)
    a2, b2 = translate_x + cx - cx * a0 - cy * a1, translate_y + cy - cx * b0 - cy * b1
    zero = np.zeros_like(a0)
    return np.stack(np.broadcast_arrays(a0, a1, a2, b0, b1, b2, zero, zero), axis=-1)


class RandomFlip(_RandomImageLayer):
    """Flips each image with probability 1/2. ``mode``: "horizontal" (width axis),
    "vertical" (height axis) or "horizontal_and_vertical" (both, by the same draw, as Keras)."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip: mode must be one of {self.MODES}, got {mode!r}")
        self.mode = mode

    def get_random_transformation(self, images):
        return self._rng.random(images.shape[0]) <= 0.5  # Keras: uniform <= 0.5

    def transform_images(self, images, flips):
        flips = np.asarray(flips, dtype=bool).reshape(-1, 1, 1, 1)
        out = images
        if self.mode != "vertical":
            out = np.where(flips, out[:, :, ::-1], out)
        if self.mode != "horizontal":
            out = np.where(flips, out[:, ::-1], out)
        return out

    def _transpose(self, flips, dy):
        return self.transform_images(dy, flips)  # a flip is its own transpose

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomRotation(_AffineLayer):
    """Rotates by an angle drawn uniformly in [lower·360°, upper·360°] about the center.
    ``factor``: f gives (−f, f); a pair (lower, upper); values in [−1, 1]."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, fill_value, seed, **kwargs)
        self.factor = _factor_pair("RandomRotation", "factor", factor, -1.0, 1.0)

    def get_random_transformation(self, images):
        angle = self._rng.uniform(self.factor[0] * 360.0, self.factor[1] * 360.0, images.shape[0])
        return affine_matrix(angle, images.shape[1], images.shape[2])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomTranslation(_AffineLayer):
    """Shifts by (dx, dy) = (u·W, v·H), u in width_factor's range, v in height_factor's
    (fractions in [−1, 1]; f gives (−f, f)). Output pixel (x, y) reads input (x − dx, y − dy)."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, fill_value, seed, **kwargs)
        self.height_factor = _factor_pair("RandomTranslation", "height_factor", height_factor, -1.0, 1.0)
        self.width_factor = _factor_pair("RandomTranslation", "width_factor", width_factor, -1.0, 1.0)

    @staticmethod
    def translation_matrix(dx, dy) -> np.ndarray:
        """(batch, 8) maps for shifts in pixels (Keras's ``_get_translation_matrix``)."""
        dx, dy = np.broadcast_arrays(np.asarray(dx, np.float64), np.asarray(dy, np.float64))
        one, zero = np.ones_like(dx), np.zeros_like(dx)
        return np.stack([one, zero, -dx, zero, one, -dy, zero, zero], axis=-1)

    def get_random_transformation(self, images):
        n, h, w = images.shape[:3]
        dy = self._rng.uniform(*self.height_factor, n) * h
        dx = self._rng.uniform(*self.width_factor, n) * w
        return self.translation_matrix(dx, dy)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomZoom(_AffineLayer):
    """Zooms about the center by z = 1 + u, u in the factor's range (in (−1, 1]; a positive
    u zooms OUT, as Keras). ``width_factor=None`` uses the height's draw for both axes."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, fill_value, seed, **kwargs)
        self.height_factor = _factor_pair("RandomZoom", "height_factor", height_factor, -1.0, 1.0, True)
        self.width_factor = None if width_factor is None else \
            _factor_pair("RandomZoom", "width_factor", width_factor, -1.0, 1.0, True)

    @staticmethod
    def zoom_matrix(zx, zy, height: int, width: int) -> np.ndarray:
        """(batch, 8) maps for zooms (Keras's ``_get_zoom_matrix``)."""
        zx, zy = np.broadcast_arrays(np.asarray(zx, np.float64), np.asarray(zy, np.float64))
        zero = np.zeros_like(zx)
        return np.stack([zx, zero, (width - 1) / 2.0 * (1.0 - zx), zero, zy, (height - 1) / 2.0 * (1.0 - zy),
                         zero, zero], axis=-1)

    def get_random_transformation(self, images):
        n, h, w = images.shape[:3]
        zy = 1.0 + self._rng.uniform(*self.height_factor, n)
        zx = zy if self.width_factor is None else 1.0 + self._rng.uniform(*self.width_factor, n)
        return self.zoom_matrix(zx, zy, h, w)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomShear(_AffineLayer):
    """Shears by (s_x, s_y), each drawn from its factor's range (a number f in [0, 1]
    gives (−f, f), a pair of numbers in [0, 1] its range), both signs flipped together
    for half of the images (Keras's ``invert``). Output pixel (x, y) reads input
    (x + s_x·y, s_y·x + y): Keras's matrix [1, s_x, 0, s_y, 1, 0, 0, 0]."""

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, data_format=None, seed=None, **kwargs):
        check_channels_last("RandomShear", data_format)
        super().__init__(fill_mode, interpolation, fill_value, seed, **kwargs)
        self.x_factor = _shear_factor("x_factor", x_factor)
        self.y_factor = _shear_factor("y_factor", y_factor)

    @staticmethod
    def shear_matrix(shear_x, shear_y) -> np.ndarray:
        """(batch, 8) maps for the shear factors (Keras's ``_get_shear_matrix``)."""
        sx, sy = np.broadcast_arrays(np.asarray(shear_x, np.float64), np.asarray(shear_y, np.float64))
        one, zero = np.ones_like(sx), np.zeros_like(sx)
        return np.stack([one, sx, zero, sy, one, zero, zero, zero], axis=-1)

    def get_random_transformation(self, images):
        n = images.shape[0]
        invert = np.where(self._rng.uniform(0, 1, n) > 0.5, -1.0, 1.0)
        shear_y = self._rng.uniform(*self.y_factor, n)
        shear_x = self._rng.uniform(*self.x_factor, n)
        return self.shear_matrix(shear_x * invert, shear_y * invert)

    def get_config(self):
        return {**super().get_config(), "x_factor": self.x_factor, "y_factor": self.y_factor}


def _shear_factor(arg: str, factor) -> tuple[float, float]:
    """Keras's shear factor: a pair of numbers in [0, 1] (sorted), or a number f in [0, 1] -> (−f, f)."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(f"RandomShear: {arg} must be a number or a pair of numbers in [0, 1], got {factor!r}")
        low, high = sorted(_factor_pair("RandomShear", arg, v, 0.0, 1.0)[1] for v in factor)
        return low, high
    f = _factor_pair("RandomShear", arg, factor, 0.0, 1.0)[1]
    return -f, f


class RandomContrast(_RandomImageLayer):
    """(x − mean) · c + mean per image and channel (mean over H and W), clipped to
    ``value_range``. c is drawn in [1 − lower, 1 + upper] with Keras's factor pair: a number
    f gives (0, f) in Keras 3.15 (bounds [0, 1]), so c in [1, 1 + f]; a pair (a, b) gives [1 − a, 1 + b]."""

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _factor_pair("RandomContrast", "factor", factor, 0.0, 1.0)
        if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2):
            raise ValueError(f"RandomContrast: value_range must be a pair (low, high), got {value_range!r}")
        self.value_range = (float(value_range[0]), float(value_range[1]))

    def get_random_transformation(self, images):
        return self._rng.uniform(1.0 - self.factor[0], 1.0 + self.factor[1], images.shape[0])

    def transform_images(self, images, contrast):
        c = np.asarray(contrast, dtype=images.dtype).reshape(-1, 1, 1, 1)
        mean = images.mean(axis=(1, 2), keepdims=True)
        return np.clip((images - mean) * c + mean, *self.value_range).astype(images.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
