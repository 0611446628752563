"""Numba backend of ``ops.conv_bias_act_max_pool`` (and its backward): one pass per chunk.

Forward, per chunk of whole images (sized from the L2 cache read at run time,
``tuning.L2_BYTES``): the conv's multiply-adds in one BLAS GEMM into a
per-thread scratch ``z`` (im2col, or per-tap products + shift-add when
cout < cin, ``numba.conv``'s choice), then one Numba pass
(``jit.fused_conv``) writes the max pooling of ``act(z + bias)`` and the
winners' positions while ``z`` is still in cache. Only the pooled output and
``argmax`` (one byte per value) leave the chunk.

Backward, per chunk: one pass routes the pooled gradient to the winners times
``act'(y)`` (from the pooled value: the winner's activation is the pooled
output), giving the chunk's ``dz`` and bias partial in cache; then the GEMMs
(dW = colsᵀ·dz and dx = col2im(dz·Wᵀ), or for stride 1 and cout <= cin one
gather of dz for both).

Determinism: chunks depend on the shapes and the cache size only; each chunk
owns its rows of y, argmax and dx, and its own dW / dbias partial, added in
chunk order, so the bits do not depend on ``config.num_threads()``.
Moved from the ``kernels`` branch's staging ``minidl/kernels/fused.py``.
"""
from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import numpy as np

from .. import fused_conv as reference_ops, registry
from ..convolution import out_hw
from ..padding import pad_amounts
from . import tuning
from .conv import _geometry as _conv_geometry
from .jit import activation as act_k
from .jit import conv as conv_k
from .jit import fused_conv as k
from .threads import run

#: activations the fused kernels compute (codes of ``jit.fused_conv``)
CODES = {"linear": 0, "sigmoid": 1, "tanh": 2, "relu": 3}
FLOATS = registry.NUMBA_DTYPES


def image_chunks(n: int, bytes_per_image: int) -> list[tuple[int, int]]:
    """[0, n) in runs of whole images whose scratch holds about one core's L2; depends on
    the shapes and the cache, never on the thread count."""
    step = max(1, tuning.L2_BYTES // max(bytes_per_image, 1))
    return [(b0, min(n, b0 + step)) for b0 in range(0, n, step)]


_local = threading.local()


def _scratch(slot: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A per-thread scratch array for ``slot``, reused across calls (grown when needed)."""
    need = math.prod(shape) * dtype.itemsize
    bufs = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < need:
        buf = bufs[slot] = np.empty(max(need, 64), dtype=np.uint8)
    return buf[:need].view(dtype).reshape(shape)


# ---- what forward keeps for backward -------------------------------------------------

@dataclass(frozen=True)
class ConvGeometry:
    """A conv (+ pool) on (n, h, w, cin) inputs: everything both passes derive from the arguments."""
    x_shape: tuple[int, int, int, int]
    kernel_shape: tuple[int, int, int, int]
    strides: tuple[int, int]
    top: int
    left: int
    oh: int
    ow: int
    code: int
    pool: tuple[int, int] | None = None
    pool_strides: tuple[int, int] | None = None
    pool_top: int = 0
    pool_left: int = 0


@dataclass(frozen=True)
class ConvSaved:
    """What backward needs: the geometry, the layer's output ``y`` (pooled when pooling)
    and, with pooling, ``argmax`` (n, poh, pow, cout), the winner's index i·pw + j in its window."""
    geometry: ConvGeometry
    y: np.ndarray
    argmax: np.ndarray | None


def _geometry(x_shape, kernel_shape, strides, padding, code, pool_size, pool_strides,
              pool_padding) -> ConvGeometry:
    oh, ow, top, left = _conv_geometry(x_shape, kernel_shape[:2], strides, padding)
    if pool_size is None:
        return ConvGeometry(tuple(x_shape), tuple(kernel_shape), tuple(strides), top, left, oh, ow, code)
    pool_strides = tuple(pool_strides or pool_size)
    out_hw((0, oh, ow), pool_size, pool_strides, pool_padding)  # raises if it does not fit
    ptop = pad_amounts(oh, pool_size[0], pool_strides[0], pool_padding)[0]
    pleft = pad_amounts(ow, pool_size[1], pool_strides[1], pool_padding)[0]
    return ConvGeometry(tuple(x_shape), tuple(kernel_shape), tuple(strides), top, left, oh, ow, code,
                        tuple(pool_size), pool_strides, ptop, pleft)


def _activation_code(activation) -> int:
    name = activation if isinstance(activation, str) else getattr(activation, "name", None)
    if name not in CODES:
        raise ValueError(f"fused conv: activation must be one of {sorted(CODES)}, got {activation!r}")
    return CODES[name]


def _check(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> None:
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError(f"fused conv2d: input {x.shape} does not match kernel {kernel.shape} "
                         "(expected (n, h, w, cin) and (kh, kw, cin, cout))")
    if x.dtype not in FLOATS or kernel.dtype != x.dtype or (bias is not None and bias.dtype != x.dtype):
        raise TypeError(f"fused conv2d: input, kernel and bias must share float32 or float64, got "
                        f"{x.dtype}, {kernel.dtype}, {None if bias is None else bias.dtype}")
    if bias is not None and bias.shape != (kernel.shape[3],):
        raise ValueError(f"fused conv2d: bias has shape {bias.shape}, expected {(kernel.shape[3],)}")


# ---- forward -----------------------------------------------------------------------------

def conv2d_bias_act_pool_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                                 strides: tuple[int, int] = (1, 1), padding: str = "valid",
                                 activation="relu", pool_size: tuple[int, int] | None = None,
                                 pool_strides: tuple[int, int] | None = None,
                                 pool_padding: str = "valid") -> tuple[np.ndarray, ConvSaved]:
    """y = maxpool(act(conv(x, kernel) + bias)) (or act(conv + bias) when ``pool_size`` is None).

    x (n, h, w, cin), kernel (kh, kw, cin, cout), bias (cout,) or None; activation one of
    'linear', 'relu', 'sigmoid', 'tanh' (a name or an object with ``.name``).
    Returns y (n, poh, pow, cout) (or (n, oh, ow, cout)) and what backward needs.
    """
    code = _activation_code(activation)
    _check(x, kernel, bias)
    geo = _geometry(x.shape, kernel.shape, strides, padding, code, pool_size, pool_strides, pool_padding)
    x = np.ascontiguousarray(x)
    kh, kw, cin, cout = kernel.shape
    n, h, w = x.shape[:3]
    oh, ow, dtype = geo.oh, geo.ow, x.dtype
    one = dtype.type(1)
    bias = np.zeros(cout, dtype) if bias is None else np.ascontiguousarray(bias)
    if geo.pool is None:
        y = np.empty((n, oh, ow, cout), dtype)
        argmax = None
    else:
        poh, pow_ = out_hw((0, oh, ow), geo.pool, geo.pool_strides, pool_padding)
        y = np.empty((n, poh, pow_, cout), dtype)
        argmax = np.empty(y.shape, np.uint8 if geo.pool[0] * geo.pool[1] <= 256 else np.intp)
    products = _conv_products(x, kernel, geo)
    code_act = act_k.CODES[next(name for name, c in CODES.items() if c == code)]
    # linear / relu: pool first, then the activation on the pooled values (the same outputs)
    pool_rows = k.bias_pool_act_rows if code in (CODES["linear"], CODES["relu"]) else k.bias_act_pool_rows

    def chunk(b0: int, b1: int) -> None:
        z = products(b0, b1)
        if geo.pool is None:
            # nb.activation's kernel: z += bias in place (z is scratch), y = act(z)
            act_k.bias_act_rows(z.reshape(-1, cout), bias, True, code_act, y[b0:b1].reshape(-1, cout),
                                one, 0, (b1 - b0) * oh * ow)
        else:
            pool_rows(z, bias, code, geo.pool[0], geo.pool[1], geo.pool_strides[0],
                      geo.pool_strides[1], geo.pool_top, geo.pool_left, dtype.type(-np.inf),
                      one, y[b0:b1], argmax[b0:b1], 0, (b1 - b0) * y.shape[1])

    per_image = _forward_bytes_per_image(x.shape, kernel.shape, oh, ow) * dtype.itemsize
    run([functools.partial(chunk, b0, b1) for b0, b1 in image_chunks(n, per_image)])
    return y, ConvSaved(geo, y, argmax)


def _forward_bytes_per_image(x_shape, kernel_shape, oh: int, ow: int) -> int:
    """Scratch values per image of ``_conv_products`` (its column or tap matrix, and z)."""
    (n, h, w, cin), (kh, kw, _, cout) = x_shape, kernel_shape
    cols = h * w * kh * kw * cout if (cout < cin and kh * kw > 1) else oh * ow * kh * kw * cin
    return cols + oh * ow * cout


def _conv_products(x: np.ndarray, kernel: np.ndarray, geo: ConvGeometry):
    """A function (b0, b1) -> the conv of images b0:b1 without bias, (b1-b0, oh, ow, cout),
    in this thread's scratch: per-tap products + shift-add when cout < cin (fewer values
    moved), else im2col + GEMM (``kernels.conv``'s choice), with the columns transposed
    when cin = 1 (``_im2col_t``)."""
    kh, kw, cin, cout = kernel.shape
    n, h, w = x.shape[:3]
    (sh, sw), top, left, oh, ow, dtype = geo.strides, geo.top, geo.left, geo.oh, geo.ow, x.dtype
    conv = conv_k
    if cout < cin and kh * kw > 1:
        w_all = np.ascontiguousarray(kernel.transpose(2, 0, 1, 3)).reshape(cin, kh * kw * cout)
        x2 = x.reshape(n * h * w, cin)

        def products(b0: int, b1: int) -> np.ndarray:
            taps = _scratch("cols", ((b1 - b0) * h * w, kh * kw * cout), dtype)
            np.matmul(x2[b0 * h * w:b1 * h * w], w_all, out=taps)
            z = _scratch("z", ((b1 - b0) * oh * ow, cout), dtype)
            conv.shift_add_rows(taps, kh, kw, h, w, sh, sw, top, left, oh, ow, z, 0, (b1 - b0) * oh)
            return z.reshape(b1 - b0, oh, ow, cout)
        return products
    wmat = np.ascontiguousarray(kernel).reshape(kh * kw * cin, cout)
    if cin == 1:  # MNIST conv1: the transposed columns, built in runs of ow values
        def products(b0: int, b1: int) -> np.ndarray:
            cols_t = _scratch("cols", (kh * kw, (b1 - b0) * oh * ow), dtype)
            _im2col_t(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols_t)
            z = _scratch("z", ((b1 - b0) * oh * ow, cout), dtype)
            np.matmul(cols_t.T, wmat, out=z)
            return z.reshape(b1 - b0, oh, ow, cout)
        return products

    def products(b0: int, b1: int) -> np.ndarray:
        cols = _scratch("cols", ((b1 - b0) * oh * ow, kh * kw * cin), dtype)
        conv.im2col_rows(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
        z = _scratch("z", ((b1 - b0) * oh * ow, cout), dtype)
        np.matmul(cols, wmat, out=z)
        return z.reshape(b1 - b0, oh, ow, cout)
    return products


def _im2col_t(x: np.ndarray, kh: int, kw: int, sh: int, sw: int, top: int, left: int, oh: int, ow: int,
              cols_t: np.ndarray) -> None:
    """cols_t (kh·kw, n·oh·ow) = the transposed im2col of a one-channel x (n, h, w, 1):
    cols_t[i·kw + j, (b·oh + p)·ow + q] = x[b, p·sh+i-top, q·sw+j-left, 0], zero outside.

    With one channel an im2col row is only kw values, too short to copy fast (MNIST
    conv1: 1.0 ms per 100 images); transposed, each (tap, output row) is a run of ow
    values, and NumPy's strided copy of the sliding windows does it in 0.45 ms.
    ``cols_tᵀ @ W`` and ``cols_t @ dz`` are the same GEMMs as with the columns.
    """
    n, h, w = x.shape[:3]
    plane = x.reshape(n, h, w)
    bottom = max(0, (oh - 1) * sh + kh - top - h)
    right = max(0, (ow - 1) * sw + kw - left - w)
    if top or left or bottom or right:  # a padded copy: one channel, a few KB per image
        plane = np.pad(plane, ((0, 0), (top, bottom), (left, right)))
    windows = np.lib.stride_tricks.sliding_window_view(plane, (kh, kw), axis=(1, 2))
    windows = windows[:, :(oh - 1) * sh + 1:sh, :(ow - 1) * sw + 1:sw]  # (n, oh, ow, kh, kw)
    np.copyto(cols_t.reshape(kh, kw, n, oh, ow), windows.transpose(3, 4, 0, 1, 2))


# ---- backward ----------------------------------------------------------------------------

def conv2d_bias_act_pool_backward(saved: ConvSaved, dy: np.ndarray, x: np.ndarray, kernel: np.ndarray,
                                  need_dx: bool = True):
    """dy (the shape of forward's y) -> dx (n, h, w, cin) or None, dkernel (kh, kw, cin, cout),
    dbias (cout,). ``x`` and ``kernel`` are forward's."""
    geo = saved.geometry
    if dy.shape != saved.y.shape:
        raise ValueError(f"fused conv2d backward: dy has shape {dy.shape}, expected {saved.y.shape}")
    if x.shape != geo.x_shape or kernel.shape != geo.kernel_shape:
        raise ValueError(f"fused conv2d backward: x {x.shape} / kernel {kernel.shape} are not "
                         f"forward's {geo.x_shape} / {geo.kernel_shape}")
    x = np.ascontiguousarray(x)
    dy = np.ascontiguousarray(dy, dtype=x.dtype)
    kh, kw, cin, cout = kernel.shape
    n, h, w = x.shape[:3]
    dtype, one = x.dtype, x.dtype.type(1)
    oh, ow = geo.oh, geo.ow
    columns = geo.strides == (1, 1) and cout <= cin
    # scratch per image: dz, plus the tap-flipped dz columns or the im2col columns (which
    # the input gradient's dz·Wᵀ reuses: the same kh·kw·cin width)
    per_image = (oh * ow * cout + (h * w * kh * kw * cout if columns else oh * ow * kh * kw * cin)) * dtype.itemsize
    chunks = image_chunks(n, per_image)
    dbias_parts = np.empty((len(chunks), cout), dtype)
    dx = np.empty(x.shape, dtype) if need_dx else None
    grads = (_dz_columns_grads if columns else _im2col_grads)(x, kernel, geo, dx, len(chunks))

    def chunk(i: int, b0: int, b1: int) -> None:
        dz = _scratch("dz", (b1 - b0, oh, ow, cout), dtype)
        if geo.pool is not None:
            g = _scratch("g", (dy.shape[2], cout), dtype)
            k.pool_act_grad(dy[b0:b1], saved.argmax[b0:b1], saved.y[b0:b1], geo.code, geo.pool[0],
                            geo.pool[1], geo.pool_strides[0], geo.pool_strides[1], geo.pool_top,
                            geo.pool_left, one, g, dz, dbias_parts[i])
        else:
            k.act_grad_rows(dy[b0:b1].reshape(-1, cout), saved.y[b0:b1].reshape(-1, cout), geo.code,
                            one, dz.reshape(-1, cout), dbias_parts[i])
        grads.chunk(i, b0, b1, dz)

    run([functools.partial(chunk, i, b0, b1) for i, (b0, b1) in enumerate(chunks)])
    return dx, grads.dkernel(), dbias_parts.sum(axis=0)


class _im2col_grads:
    """dW = colsᵀ·dz (one partial per chunk; cols transposed when cin = 1) and
    dx = col2im(dz·Wᵀ) (owned image by image)."""

    def __init__(self, x, kernel, geo: ConvGeometry, dx, count: int):
        kh, kw, cin, cout = kernel.shape
        self.x, self.geo, self.dx, self.shape = x, geo, dx, kernel.shape
        self.wmat_t = np.ascontiguousarray(kernel).reshape(kh * kw * cin, cout).T
        self.parts = np.empty((count, kh * kw * cin, cout), x.dtype)

    def chunk(self, i: int, b0: int, b1: int, dz: np.ndarray) -> None:
        kh, kw, cin, cout = self.shape
        g, conv = self.geo, conv_k
        rows = (b1 - b0) * g.oh * g.ow
        dz2 = dz.reshape(rows, cout)
        if cin == 1:  # see _conv_products
            cols_t = _scratch("cols_t", (kh * kw, rows), self.x.dtype)
            _im2col_t(self.x[b0:b1], kh, kw, g.strides[0], g.strides[1], g.top, g.left, g.oh, g.ow, cols_t)
            np.matmul(cols_t, dz2, out=self.parts[i])
            cols = _scratch("cols", (rows, kh * kw * cin), self.x.dtype) if self.dx is not None else None
        else:
            cols = _scratch("cols", (rows, kh * kw * cin), self.x.dtype)
            conv.im2col_rows(self.x[b0:b1], kh, kw, g.strides[0], g.strides[1], g.top, g.left, g.oh, g.ow,
                             cols, 0, (b1 - b0) * g.oh)
            np.matmul(cols.T, dz2, out=self.parts[i])
        if self.dx is not None:
            np.matmul(dz2, self.wmat_t, out=cols)
            conv.col2im_images(cols, kh, kw, g.strides[0], g.strides[1], g.top, g.left, g.oh, g.ow,
                               self.dx[b0:b1], 0, b1 - b0)

    def dkernel(self) -> np.ndarray:
        return self.parts.sum(axis=0).reshape(self.shape)


class _dz_columns_grads:
    """Stride 1, cout <= cin: D = the tap-flipped im2col of dz (rows = input cells) gives
    dx = D·W_flip and dW_flip = xᵀ·D (``kernels.conv._grads_from_dz_columns``)."""

    def __init__(self, x, kernel, geo: ConvGeometry, dx, count: int):
        kh, kw, cin, cout = kernel.shape
        n, h, w = x.shape[:3]
        self.x2, self.geo, self.shape, self.hw = x.reshape(n * h * w, cin), geo, kernel.shape, (h, w)
        self.dx2 = None if dx is None else dx.reshape(n * h * w, cin)
        self.wflip = np.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(kh * kw * cout, cin)
        self.parts = np.empty((count, cin, kh * kw * cout), x.dtype)

    def chunk(self, i: int, b0: int, b1: int, dz: np.ndarray) -> None:
        kh, kw, cin, cout = self.shape
        (h, w), g = self.hw, self.geo
        d = _scratch("cols", ((b1 - b0) * h * w, kh * kw * cout), self.x2.dtype)
        conv_k.im2col_rows(dz, kh, kw, 1, 1, kh - 1 - g.top, kw - 1 - g.left, h, w, d, 0, (b1 - b0) * h)
        np.matmul(self.x2[b0 * h * w:b1 * h * w].T, d, out=self.parts[i])
        if self.dx2 is not None:
            np.matmul(d, self.wflip, out=self.dx2[b0 * h * w:b1 * h * w])

    def dkernel(self) -> np.ndarray:
        kh, kw, cin, cout = self.shape
        dw_flip = self.parts.sum(axis=0).reshape(cin, kh, kw, cout)
        return np.ascontiguousarray(dw_flip[:, ::-1, ::-1].transpose(1, 2, 0, 3))


# ---- the registered ops (the reference's signatures; 1-D as a height-1 image) -----------

def _two_d(x, kernel, strides, pool_size, pool_strides):
    if x.ndim == 3:
        one = lambda v: (1, v if isinstance(v, int) else v[0])  # noqa: E731
        return x[:, None], kernel[None], one(strides), one(pool_size), one(pool_strides or pool_size)
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    return x, kernel, pair(strides), pair(pool_size), pair(pool_strides or pool_size)


@registry.register("conv_bias_act_max_pool", "numba")
def conv_bias_act_max_pool(x, kernel, bias, strides, padding, activation, pool_size, pool_strides, pool_padding):
    """See :func:`minidl.ops.fused_conv.conv_bias_act_max_pool`."""
    if activation not in CODES or x.ndim not in (3, 4) or kernel.dtype != x.dtype \
            or (bias is not None and bias.dtype != x.dtype):
        return reference_ops.conv_bias_act_max_pool.reference(x, kernel, bias, strides, padding, activation,
                                                              pool_size, pool_strides, pool_padding)
    x4, k4, st, pool, pst = _two_d(x, kernel, strides, pool_size, pool_strides)
    y, saved = conv2d_bias_act_pool_forward(x4, k4, bias, st, padding, activation, pool, pst, pool_padding)
    return (y[:, 0] if x.ndim == 3 else y), saved


@registry.register("conv_bias_act_max_pool_backward", "numba")
def conv_bias_act_max_pool_backward(saved, dy, x, kernel, has_bias, strides, padding, activation, pool_size,
                                    pool_strides, pool_padding, need_dx=True):
    """See :func:`minidl.ops.fused_conv.conv_bias_act_max_pool_backward`."""
    if not isinstance(saved, ConvSaved):  # forward took the reference
        return reference_ops.conv_bias_act_max_pool_backward.reference(
            saved, dy, x, kernel, has_bias, strides, padding, activation, pool_size, pool_strides, pool_padding,
            need_dx)
    x4, k4 = (x[:, None], kernel[None]) if x.ndim == 3 else (x, kernel)
    dy4 = dy[:, None] if x.ndim == 3 else dy
    dx, dkernel, dbias = conv2d_bias_act_pool_backward(saved, dy4, x4, k4, need_dx)
    if x.ndim == 3:
        dx, dkernel = (None if dx is None else dx[:, 0]), dkernel[0]
    return dx, dkernel, (dbias if has_bias else None)
