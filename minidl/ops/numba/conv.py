"""Convolution kernels (NHWC, channels last); backend switch point.

Numba path: BLAS GEMMs on column matrices built chunk by chunk (a few images
at a time) in a reused per-thread workspace of about ``tuning.CHUNK_BYTES`` (half
of one core's L2) that stays in cache. Chunking matters twice over: a whole-batch column matrix
(75 MB for a 32×32×64 'same' conv at batch 32) costs more in page faults and
memory traffic than the GEMM itself, and memory stays bounded. Chunks are
the tasks the kernel pool runs in parallel (``threads``), each with
single-threaded BLAS. Which matrix is built depends on which is smaller:

* forward, cout >= cin (MNIST conv1, VGG): im2col, rows = output cells,
  kh·kw·cin columns in (i, j, ci) order, times W (kh·kw·cin, cout);
* forward, cout < cin (MNIST conv2, IMDB Conv1D): per-tap products
  x (rows = input cells, cin) @ W_all (cin, kh·kw·cout), then each output
  cell adds its taps' columns from the right input cells ("kn2row");
* backward, stride 1 and cout <= cin: one gather of dz per chunk, D (rows =
  input cells, kh·kw·cout columns, taps flipped), gives both
  dx = D @ W_flip and dW = xᵀ @ D;
* backward otherwise: dW = im2colᵀ @ dz and dx = col2im(dz @ Wᵀ) (a
  scatter owned image by image).

Weight gradients are one partial product per chunk, added in chunk order;
every other output is owned by one chunk. So results are the same bits run
to run and for any thread count. Conv1D is the same code on a height-1 image.
"""
from __future__ import annotations

import threading

import numpy as np

from .. import convolution as ref
from .. import registry
from ..padding import pad_amounts
from . import tuning
from .jit import conv as jk
from .threads import run

_local = threading.local()


def _workspace(rows: int, cols: int, dtype: np.dtype) -> np.ndarray:
    """A (rows, cols) scratch matrix reused across calls (one buffer per thread)."""
    need = rows * cols * dtype.itemsize
    buf = getattr(_local, "buf", None)
    if buf is None or buf.nbytes < need:
        buf = _local.buf = np.empty(need, dtype=np.uint8)
    return buf[:need].view(dtype).reshape(rows, cols)


def _geometry(x_shape, kshape, strides, padding):
    """(oh, ow, top, left) of a convolution; raises when the window does not fit."""
    oh, ow = ref.out_hw(x_shape, kshape, strides, padding)
    top = pad_amounts(x_shape[1], kshape[0], strides[0], padding)[0]
    left = pad_amounts(x_shape[2], kshape[1], strides[1], padding)[0]
    return oh, ow, top, left


def _chunks(n: int, cells: int, k: int, itemsize: int):
    """Image ranges (b0, b1) whose column matrices hold about tuning.CHUNK_BYTES."""
    step = max(1, tuning.CHUNK_BYTES // max(cells * k * itemsize, 1))
    return [(b0, min(n, b0 + step)) for b0 in range(0, n, step)]


def _im2col_gemm(x: np.ndarray, wmat: np.ndarray, kshape, strides, top, left, oh, ow) -> np.ndarray:
    """Σ over the window of x times wmat: x (n, h, w, c) -> (n·oh·ow, wmat.shape[1]).

    ``top``/``left`` are the cells of implicit zero padding before the input.
    """
    x = np.ascontiguousarray(x)
    (kh, kw), (sh, sw) = kshape, strides
    n, k = x.shape[0], wmat.shape[0]
    out = np.empty((n * oh * ow, wmat.shape[1]), dtype=x.dtype)
    gather = jk.im2col_rows

    def chunk(b0: int, b1: int) -> None:
        cols = _workspace((b1 - b0) * oh * ow, k, x.dtype)
        gather(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
        np.matmul(cols, wmat, out=out[b0 * oh * ow:b1 * oh * ow])

    run([lambda b0=b0, b1=b1: chunk(b0, b1) for b0, b1 in _chunks(n, oh * ow, k, x.dtype.itemsize)])
    return out


def _tap_products_shift_add(x: np.ndarray, kernel: np.ndarray, strides, top, left, oh, ow) -> np.ndarray:
    """Forward as Σ over taps of shifted per-tap products ("kn2row"): x (n, h, w, cin) -> (n·oh·ow, cout).

    One GEMM per chunk, y = x_cells (rows, cin) @ W_all (cin, kh·kw·cout), then each output
    cell adds its taps' columns from the right input cells. It moves kh·kw·cout values per
    input cell where im2col moves kh·kw·cin per output cell: cheaper when cout < cin.
    """
    x = np.ascontiguousarray(x)
    kh, kw, cin, cout = kernel.shape
    n, h, w = x.shape[:3]
    sh, sw = strides
    w_all = np.ascontiguousarray(kernel.transpose(2, 0, 1, 3)).reshape(cin, kh * kw * cout)
    x2 = x.reshape(n * h * w, cin)
    out = np.empty((n * oh * ow, cout), dtype=x.dtype)
    shift_add = jk.shift_add_rows

    def chunk(b0: int, b1: int) -> None:
        y = _workspace((b1 - b0) * h * w, kh * kw * cout, x.dtype)
        np.matmul(x2[b0 * h * w:b1 * h * w], w_all, out=y)
        shift_add(y, kh, kw, h, w, sh, sw, top, left, oh, ow, out[b0 * oh * ow:b1 * oh * ow], 0, (b1 - b0) * oh)

    run([lambda b0=b0, b1=b1: chunk(b0, b1) for b0, b1 in _chunks(n, h * w, kh * kw * cout, x.dtype.itemsize)])
    return out


def conv2d(x: np.ndarray, kernel: np.ndarray, strides: tuple[int, int], padding: str) -> np.ndarray:
    """x (n, h, w, cin), kernel (kh, kw, cin, cout) -> (n, oh, ow, cout)."""
    kh, kw, cin, cout = kernel.shape
    if x.ndim != 4 or x.shape[3] != cin:
        raise ValueError(f"minidl.ops.conv: input {x.shape} does not match kernel {kernel.shape} "
                         "(expected (n, [h,] w, cin))")
    oh, ow, top, left = _geometry(x.shape, (kh, kw), strides, padding)
    if cout < cin and kh * kw > 1:
        z2 = _tap_products_shift_add(x, kernel, strides, top, left, oh, ow)
    else:
        wmat = np.ascontiguousarray(kernel).reshape(kh * kw * cin, cout)
        z2 = _im2col_gemm(x, wmat, (kh, kw), strides, top, left, oh, ow)
    return z2.reshape(x.shape[0], oh, ow, cout)


def _weight_grad(x, dz2, kshape, strides, top, left, oh, ow) -> np.ndarray:
    """dW (kh·kw·cin, cout) = colsᵀ @ dz2: one partial product per chunk, added in chunk order."""
    x = np.ascontiguousarray(x)
    (kh, kw), (sh, sw) = kshape, strides
    n, k = x.shape[0], kh * kw * x.shape[3]
    chunks = _chunks(n, oh * ow, k, x.dtype.itemsize)
    parts = np.empty((len(chunks), k, dz2.shape[1]), dtype=x.dtype)
    gather = jk.im2col_rows

    def chunk(i: int, b0: int, b1: int) -> None:
        cols = _workspace((b1 - b0) * oh * ow, k, x.dtype)
        gather(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
        np.matmul(cols.T, dz2[b0 * oh * ow:b1 * oh * ow], out=parts[i])

    run([lambda i=i, b0=b0, b1=b1: chunk(i, b0, b1) for i, (b0, b1) in enumerate(chunks)])
    return parts.sum(axis=0)


def _data_grad(dz: np.ndarray, kernel: np.ndarray, x_shape, strides, top, left) -> np.ndarray:
    """dx (n, h, w, cin) from dz (n, oh, ow, cout): col2im(dz @ Wᵀ), owned image by image."""
    kh, kw, cin, cout = kernel.shape
    n = x_shape[0]
    sh, sw = strides
    oh, ow = dz.shape[1], dz.shape[2]
    wmat_t = np.ascontiguousarray(kernel).reshape(kh * kw * cin, cout).T
    dz2 = dz.reshape(-1, cout)
    dx = np.empty(x_shape, dtype=dz.dtype)
    scatter = jk.col2im_images

    def chunk(b0: int, b1: int) -> None:
        dcols = _workspace((b1 - b0) * oh * ow, kh * kw * cin, dz.dtype)
        np.matmul(dz2[b0 * oh * ow:b1 * oh * ow], wmat_t, out=dcols)
        scatter(dcols, kh, kw, sh, sw, top, left, oh, ow, dx[b0:b1], 0, b1 - b0)

    run([lambda b0=b0, b1=b1: chunk(b0, b1)
         for b0, b1 in _chunks(n, oh * ow, kh * kw * cin, dz.dtype.itemsize)])
    return dx


def _grads_from_dz_columns(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, top: int, left: int,
                           need_dx: bool) -> tuple[np.ndarray | None, np.ndarray]:
    """Stride 1, cout <= cin: (dx or None, dkernel) from one gather of dz per chunk.

    D (rows = input cells, kh·kw·cout columns) is the im2col of dz, zero-padded by
    kh-1-top above, with the taps flipped: D[cell, tap'] = the dz that the cell fed
    through tap (kh-1-i', kw-1-j'). Then dx = D @ W_flip and dW_flip = xᵀ @ D, one
    partial per chunk added in chunk order: no im2col of x at all.
    """
    kh, kw, cin, cout = kernel.shape
    n, h, w = x.shape[:3]
    x2 = np.ascontiguousarray(x).reshape(n * h * w, cin)
    wflip = np.ascontiguousarray(kernel[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(kh * kw * cout, cin)
    chunks = _chunks(n, h * w, kh * kw * cout, x.dtype.itemsize)
    parts = np.empty((len(chunks), cin, kh * kw * cout), dtype=x.dtype)
    dx = np.empty(x.shape, dtype=x.dtype) if need_dx else None
    dx2 = None if dx is None else dx.reshape(n * h * w, cin)
    gather = jk.im2col_rows

    def chunk(i: int, b0: int, b1: int) -> None:
        d = _workspace((b1 - b0) * h * w, kh * kw * cout, x.dtype)
        gather(dz[b0:b1], kh, kw, 1, 1, kh - 1 - top, kw - 1 - left, h, w, d, 0, (b1 - b0) * h)
        np.matmul(x2[b0 * h * w:b1 * h * w].T, d, out=parts[i])
        if dx2 is not None:
            np.matmul(d, wflip, out=dx2[b0 * h * w:b1 * h * w])

    run([lambda i=i, b0=b0, b1=b1: chunk(i, b0, b1) for i, (b0, b1) in enumerate(chunks)])
    dw_flip = parts.sum(axis=0).reshape(cin, kh, kw, cout)
    return dx, np.ascontiguousarray(dw_flip[:, ::-1, ::-1].transpose(1, 2, 0, 3))


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, strides: tuple[int, int],
                    padding: str, need_dx: bool = True):
    """dz (n, oh, ow, cout) -> dx (n, h, w, cin) (None when not ``need_dx``), dkernel (kh, kw, cin, cout)."""
    kh, kw, cin, cout = kernel.shape
    oh, ow, top, left = _geometry(x.shape, (kh, kw), strides, padding)
    if dz.shape != (x.shape[0], oh, ow, cout):
        raise ValueError(f"minidl.ops.conv_backward: dy has shape {dz.shape}, expected {(x.shape[0], oh, ow, cout)}")
    dz = np.ascontiguousarray(dz)
    if tuple(strides) == (1, 1) and cout <= cin:
        return _grads_from_dz_columns(x, kernel, dz, top, left, need_dx)
    dkernel = _weight_grad(x, dz.reshape(-1, cout), (kh, kw), strides, top, left, oh, ow).reshape(kernel.shape)
    dx = _data_grad(dz, kernel, x.shape, tuple(strides), top, left) if need_dx else None
    return dx, dkernel


@registry.register("conv", "numba")
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """See :func:`minidl.ops.conv.conv` (1-D convs run as 2-D ones on a height-1 image)."""
    ref.check_layout(data_format, dilation_rate)
    x4, k4, s2, was_1d = ref.as_2d(inputs, kernel, strides)
    y = conv2d(x4, k4, s2, padding)
    return y[:, 0] if was_1d else y


@registry.register("conv_backward", "numba")
def conv_backward(inputs, kernel, dy, strides=1, padding="valid", need_dx=True):
    """See :func:`minidl.ops.conv.conv_backward`."""
    x4, k4, s2, was_1d = ref.as_2d(inputs, kernel, strides)
    dx, dk = conv2d_backward(x4, k4, dy[:, None] if was_1d else dy, s2, padding, need_dx)
    if was_1d:
        return (None if dx is None else dx[:, 0]), dk[0]
    return dx, dk
