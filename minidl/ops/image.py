"""``minidl.ops.image``: image ops with Keras's names (NumPy reference).

``affine_transform`` follows TensorFlow's ImageProjectiveTransformV3, the kernel
behind ``keras.ops.image.affine_transform`` on the TensorFlow backend: the same
coordinate mapping per fill mode and the same interpolation, so the
augmentation layers agree with Keras's for a given transform (coordinates here
are float64, TF's float32: results agree to ~1e-6 relative).
"""
from __future__ import annotations

import numpy as np

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")


def _map_reflect(c: np.ndarray, n: int) -> np.ndarray:
    """Reflect [abcd] to [dcba|abcd|dcba] (about the pixel edges), then clamp."""
    if n <= 1:
        return np.zeros_like(c)
    sz2 = 2 * n
    c = c.copy()
    neg, high = c < 0, c > n - 1  # TF's if / else if: each point takes one branch
    cn = c[neg]
    cn = np.where(cn < sz2, sz2 * np.trunc(-cn / sz2) + cn, cn)  # TF's condition, kept as is
    c[neg] = np.where(cn < -n, cn + sz2, -cn - 1)
    ch = c[high] - sz2 * np.trunc(c[high] / sz2)
    c[high] = np.where(ch >= n, sz2 - ch - 1, ch)
    return np.clip(c, 0, n - 1)


def _map_wrap(c: np.ndarray, n: int) -> np.ndarray:
    """TF's wrap: [abcd] to [abcd|abcd|abcd] near the image, but its arithmetic counts
    periods in steps of n − 1 (so far outside it is not periodic); then clamp."""
    if n <= 1:
        return np.zeros_like(c)
    c = c.copy()
    sz = n - 1
    neg, high = c < 0, c > n - 1  # TF's if / else if: each point takes one branch
    c[neg] += n * (np.trunc(-c[neg] / sz) + 1)
    c[high] -= n * np.trunc(c[high] / sz)
    return np.clip(c, 0, n - 1)


_MAP = {"reflect": _map_reflect, "wrap": _map_wrap,
        "constant": lambda c, n: c, "nearest": lambda c, n: np.clip(c, 0, n - 1)}


def _read(image: np.ndarray, y: np.ndarray, x: np.ndarray, fill_value: float) -> np.ndarray:
    """image[y, x, :] where (y, x) is inside, fill_value elsewhere. image (H, W, C); y, x (H', W') ints."""
    h, w = image.shape[:2]
    inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
    out = image[np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)]
    return np.where(inside[..., None], out, np.asarray(fill_value, dtype=image.dtype))


def _sample(image, y, x, interpolation, fill_value):
    if interpolation == "nearest":
        # std::round: halves away from zero
        ry, rx = np.sign(y) * np.floor(np.abs(y) + 0.5), np.sign(x) * np.floor(np.abs(x) + 0.5)
        return _read(image, ry.astype(np.int64), rx.astype(np.int64), fill_value)
    y0, x0 = np.floor(y), np.floor(x)
    wy, wx = (y - y0)[..., None], (x - x0)[..., None]
    iy, ix = y0.astype(np.int64), x0.astype(np.int64)
    top = (1 - wx) * _read(image, iy, ix, fill_value) + wx * _read(image, iy, ix + 1, fill_value)
    bottom = (1 - wx) * _read(image, iy + 1, ix, fill_value) + wx * _read(image, iy + 1, ix + 1, fill_value)
    return (1 - wy) * top + wy * bottom


def affine_transform(images, transform, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value: float = 0.0, data_format: str = "channels_last") -> np.ndarray:
    """Apply projective transforms, Keras's ``keras.ops.image.affine_transform``.

    images: (batch, H, W, C) or (H, W, C), channels last. transform: (8,) or (batch, 8),
    ``[a0, a1, a2, b0, b1, b2, c0, c1]`` maps each OUTPUT pixel (x, y) to the input point
    ((a0·x + a1·y + a2) / k, (b0·x + b1·y + b2) / k), k = c0·x + c1·y + 1.
    Returns images' shape and dtype.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"affine_transform: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"affine_transform: fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
    if data_format != "channels_last":
        raise ValueError(f"affine_transform: only data_format='channels_last' is supported, got {data_format!r}")
    images = np.asarray(images)
    transform = np.asarray(transform, dtype=np.float64)
    if images.ndim not in (3, 4):
        raise ValueError(f"affine_transform: images must have rank 3 or 4, got shape {images.shape}")
    if transform.ndim not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError(f"affine_transform: transform must have shape (8,) or (batch, 8), got {transform.shape}")
    batched = images.ndim == 4
    imgs = images if batched else images[None]
    ts = np.broadcast_to(transform.reshape(-1, 8), (imgs.shape[0], 8))
    h, w = imgs.shape[1:3]
    oy, ox = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
    work = imgs.astype(np.result_type(imgs.dtype, np.float32), copy=False)
    out = np.empty(work.shape, dtype=work.dtype)
    for i, (a0, a1, a2, b0, b1, b2, c0, c1) in enumerate(ts):
        k = c0 * ox + c1 * oy + 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            x = _MAP[fill_mode]((a0 * ox + a1 * oy + a2) / k, w)
            y = _MAP[fill_mode]((b0 * ox + b1 * oy + b2) / k, h)
        sampled = _sample(work[i], np.nan_to_num(y, nan=-2.0, posinf=-2.0, neginf=-2.0),
                          np.nan_to_num(x, nan=-2.0, posinf=-2.0, neginf=-2.0), interpolation, fill_value)
        out[i] = np.where((k == 0)[..., None], np.asarray(fill_value, dtype=work.dtype), sampled)
    out = out.astype(images.dtype, copy=False)
    return out if batched else out[0]
