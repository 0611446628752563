"""Numba backend of ``ops.conv_bias_act_max_pool`` (and its backward), chunk by chunk.

Forward, per chunk of whole images (sized from the L2 cache read at run time,
``tuning.CHUNK_BYTES``): the conv's multiply-adds in one BLAS GEMM into a
per-thread scratch ``z`` (im2col, or per-tap products + shift-add when
cout < cin), then the epilogue (``jit.fused_conv``) writes the max pooling of
``act(z + bias)`` and the winners' positions while ``z`` is still in cache. Only
the pooled output and ``argmax`` (one byte per value) leave the chunk. With a tanh
or sigmoid the chunk's ``z`` is activated in place first (NumPy's own SIMD tanh and exp,
``activation.bias_smooth_rows``: the reference's bits, faster than libm's scalar calls),
then pooled by the plain pooling kernel (``jit.pool``).

Backward, per chunk: one pass routes the pooled gradient to the winners times
``act'(y)`` (from the pooled value: the winner's activation is the pooled
output), giving the chunk's ``dz`` and bias partial in cache; then the GEMMs
(dW = colsᵀ·dz and dx = col2im(dz·Wᵀ), or for stride 1 and cout <= cin one
gather of dz for both).

A chunk is two nogil Numba calls: the multiply-adds with their data movement
(``jit.conv_chunk``, BLAS included: NumPy's OpenBLAS through ctypes, ``blas``) and the
epilogue or its gradient (``jit.fused_conv``); this module picks the way, sizes the
chunks and hands out per-thread scratch. Without that BLAS the ops run the NumPy
reference. The plain conv (``numba.conv``) is this with no bias, activation or
pooling: its GEMMs write the output's rows directly.

Determinism: chunks depend on the shapes and the cache size only; each chunk
owns its rows of y, argmax and dx, and its own dW / dbias partial, added in
chunk order, so the bits do not depend on ``config.num_threads()``.
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
from . import blas, memory, tuning
from .activation import NUMPY_MATH, bias_smooth_rows
from .jit import activation as act_k
from .jit import conv_chunk as chunk_k
from .jit import fused_conv as k
from .jit import pool as pool_k
from .threads import run

#: activations the fused kernels compute (codes of ``jit.fused_conv``)
CODES = {"linear": 0, "sigmoid": 1, "tanh": 2, "relu": 3}
FLOATS = registry.NUMBA_DTYPES


def runs_here(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None) -> bool:
    """Whether these kernels take the arguments: one float dtype that NumPy's OpenBLAS
    multiplies (``blas.gemm_function``); otherwise the ops run the NumPy reference."""
    return kernel.dtype == x.dtype and (bias is None or bias.dtype == x.dtype) \
        and blas.gemm_function(x.dtype) is not None


def image_chunks(n: int, bytes_per_image: int) -> list[tuple[int, int]]:
    """[0, n) in runs of whole images whose scratch holds about one core's L2; depends on
    the shapes and the cache, never on the thread count."""
    step = max(1, tuning.CHUNK_BYTES // max(bytes_per_image, 1))
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


def conv_geometry(x_shape, kshape, strides, padding) -> tuple[int, int, int, int]:
    """(oh, ow, top, left) of a convolution; raises when the window does not fit."""
    oh, ow = out_hw(x_shape, kshape, strides, padding)
    top = pad_amounts(x_shape[1], kshape[0], strides[0], padding)[0]
    left = pad_amounts(x_shape[2], kshape[1], strides[1], padding)[0]
    return oh, ow, top, left


def _geometry(x_shape, kernel_shape, strides, padding, code, pool_size, pool_strides,
              pool_padding) -> ConvGeometry:
    oh, ow, top, left = conv_geometry(x_shape, kernel_shape[:2], strides, padding)
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
    direct = geo.pool is None and bias is None and code == CODES["linear"]  # the plain conv: z is y
    given_bias = None if bias is None else np.ascontiguousarray(bias)  # None: nothing added, as unfused
    bias = np.zeros(cout, dtype) if bias is None else np.ascontiguousarray(bias)
    argmax = None
    if geo.pool is None:
        y = memory.empty((n, oh, ow, cout), dtype)
    else:
        poh, pow_ = out_hw((0, oh, ow), geo.pool, geo.pool_strides, pool_padding)
        y = memory.empty((n, poh, pow_, cout), dtype)
        argmax = memory.empty(y.shape, np.uint8 if geo.pool[0] * geo.pool[1] <= 256 else np.intp)
    products = _forward_way(kernel.shape)
    if products is chunk_k.tap_products:
        wmat = np.ascontiguousarray(kernel.transpose(2, 0, 1, 3)).reshape(cin, kh * kw * cout)
    else:
        wmat = np.ascontiguousarray(kernel).reshape(kh * kw * cin, cout)
    one, fn, ninf = dtype.type(1), blas.gemm_function(dtype), dtype.type(-np.inf)
    activation_name = next(name for name, c in CODES.items() if c == code)
    smooth = activation_name in NUMPY_MATH

    def chunk(b0: int, b1: int) -> None:
        cols = _scratch("cols", _cols_shape(products, kernel.shape, (h, w), (oh, ow), b1 - b0), dtype)
        z = y[b0:b1].reshape(-1, cout) if direct else _scratch("z", ((b1 - b0) * oh * ow, cout), dtype)
        products(fn, one, x, wmat, b0, b1, kh, kw, *geo.strides, geo.top, geo.left, oh, ow, cols, z)
        if direct:
            return
        if geo.pool is not None and not smooth:
            # linear / relu: pool first, then the activation on the pooled values (the same outputs)
            k.bias_pool_act_rows(z.reshape(b1 - b0, oh, ow, cout), bias, code, *geo.pool, *geo.pool_strides,
                                 geo.pool_top, geo.pool_left, ninf, one, y[b0:b1], argmax[b0:b1], 0,
                                 (b1 - b0) * y.shape[1])
            return
        # act(z + bias), into y, or in place before the pool (tanh and sigmoid can round two
        # sums to one value, and the first of them must win, so they cannot pool first)
        out = y[b0:b1].reshape(-1, cout) if geo.pool is None else z
        if smooth:
            e = _scratch("e", z.shape, dtype) if out is z and activation_name == "sigmoid" else None
            bias_smooth_rows(activation_name, z, given_bias, out, 0, z.shape[0], e)
        else:
            act_k.bias_act_rows(z, bias, True, code, out, one, 0, z.shape[0])
        if geo.pool is not None:
            pool_k.maxpool_rows(z.reshape(b1 - b0, oh, ow, cout), *geo.pool, *geo.pool_strides, geo.pool_top,
                                geo.pool_left, y.shape[1], y.shape[2], ninf, y[b0:b1], argmax[b0:b1], 0,
                                (b1 - b0) * y.shape[1])

    # scratch per image: the column (or tap) matrix and z
    per_image = (math.prod(_cols_shape(products, kernel.shape, (h, w), (oh, ow), 1)) + oh * ow * cout) * dtype.itemsize
    run([functools.partial(chunk, b0, b1) for b0, b1 in image_chunks(n, per_image)])
    return y, ConvSaved(geo, y, argmax)


def _forward_way(kernel_shape):
    """Per-tap products + shift-add when cout < cin (fewer values moved), else im2col,
    transposed when cin = 1 (``jit.conv.im2col_t``)."""
    kh, kw, cin, cout = kernel_shape
    if cout < cin and kh * kw > 1:
        return chunk_k.tap_products
    return chunk_k.im2col_t_products if cin == 1 else chunk_k.im2col_products


def _cols_shape(way, kernel_shape, hw, ohw, images: int) -> tuple[int, int]:
    """The column scratch of ``way`` (a ``jit.conv_chunk`` kernel) for a chunk of ``images``."""
    kh, kw, cin, cout = kernel_shape
    (h, w), (oh, ow) = hw, ohw
    if way in (chunk_k.tap_products, chunk_k.dz_column_grads):
        return images * h * w, kh * kw * cout
    if way in (chunk_k.im2col_t_products, chunk_k.im2col_t_grads):
        return kh * kw, images * oh * ow
    return images * oh * ow, kh * kw * cin


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
    return _backward(geo, saved.y, saved.argmax, dy, x, kernel, need_dx)


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, strides: tuple[int, int], padding: str,
                    need_dx: bool = True) -> tuple[np.ndarray | None, np.ndarray]:
    """The plain conv's gradients: dz (n, oh, ow, cout) -> dx (n, h, w, cin) or None, dkernel."""
    geo = _geometry(x.shape, kernel.shape, strides, padding, CODES["linear"], None, None, "valid")
    expected = (x.shape[0], geo.oh, geo.ow, kernel.shape[3])
    if dz.shape != expected:
        raise ValueError(f"minidl.ops.conv_backward: dy has shape {dz.shape}, expected {expected}")
    dx, dkernel, _ = _backward(geo, None, None, dz, x, kernel, need_dx)
    return dx, dkernel


def _backward(geo: ConvGeometry, y: np.ndarray | None, argmax: np.ndarray | None, dy: np.ndarray,
              x: np.ndarray, kernel: np.ndarray, need_dx: bool):
    """Both backward passes; without ``y`` the plain conv's (dy is dz, no bias)."""
    direct = y is None
    x = np.ascontiguousarray(x)
    dy = np.ascontiguousarray(dy, dtype=x.dtype)
    kh, kw, cin, cout = kernel.shape
    n, h, w = x.shape[:3]
    dtype = x.dtype
    oh, ow = geo.oh, geo.ow
    if geo.strides == (1, 1) and cout <= cin:
        grads = chunk_k.dz_column_grads
        wmat = np.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(kh * kw * cout, cin)
        dw_shape = (cin, kh * kw * cout)
    else:
        grads = chunk_k.im2col_t_grads if cin == 1 else chunk_k.im2col_grads
        wmat = np.ascontiguousarray(kernel).reshape(kh * kw * cin, cout)
        dw_shape = (kh * kw * cin, cout)
    # scratch per image: dz, plus the tap-flipped dz columns or the im2col columns (which
    # the input gradient's dz·Wᵀ reuses: the same kh·kw·cin width)
    per_image = (oh * ow * cout + math.prod(_cols_shape(grads, kernel.shape, (h, w), (oh, ow), 1))) * dtype.itemsize
    chunks = image_chunks(n, per_image)
    dbias_parts = np.zeros((len(chunks), cout), dtype)
    dw_parts = np.empty((len(chunks),) + dw_shape, dtype)
    dx = memory.empty(x.shape, dtype) if need_dx else np.empty((0, 0, 0, 0), dtype)
    one, fn = dtype.type(1), blas.gemm_function(dtype)
    none = np.empty((0, 0), dtype)

    def chunk(i: int, b0: int, b1: int) -> None:
        images = b1 - b0
        if direct:
            dz = dy[b0:b1]
        else:
            dz = _scratch("dz", (images, oh, ow, cout), dtype)
            if geo.pool is not None:
                g = _scratch("g", (dy.shape[2], cout), dtype)
                k.pool_act_grad(dy[b0:b1], argmax[b0:b1], y[b0:b1], geo.code, *geo.pool, *geo.pool_strides,
                                geo.pool_top, geo.pool_left, one, g, dz, dbias_parts[i])
            else:
                k.act_grad_rows(dy[b0:b1].reshape(-1, cout), y[b0:b1].reshape(-1, cout), geo.code, one,
                                dz.reshape(-1, cout), dbias_parts[i])
        cols_t = none
        if grads is chunk_k.im2col_t_grads:  # cols_t for dw; cols only for dx
            cols_t = _scratch("cols_t", (kh * kw, images * oh * ow), dtype)
            cols = _scratch("cols", (images * oh * ow, kh * kw * cin), dtype) if need_dx else none
        else:
            cols = _scratch("cols", _cols_shape(grads, kernel.shape, (h, w), (oh, ow), images), dtype)
        grads(fn, one, x, dz, b0, b1, kh, kw, *geo.strides, geo.top, geo.left, oh, ow, wmat, need_dx, dx, cols,
              cols_t, dw_parts[i])

    run([functools.partial(chunk, i, b0, b1) for i, (b0, b1) in enumerate(chunks)])
    dw = dw_parts.sum(axis=0)
    if grads is chunk_k.dz_column_grads:
        dkernel = np.ascontiguousarray(dw.reshape(cin, kh, kw, cout)[:, ::-1, ::-1].transpose(1, 2, 0, 3))
    else:
        dkernel = dw.reshape(kernel.shape)
    return (dx if need_dx else None), dkernel, dbias_parts.sum(axis=0)


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
    if activation not in CODES or x.ndim not in (3, 4) or not runs_here(x, kernel, bias):
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
