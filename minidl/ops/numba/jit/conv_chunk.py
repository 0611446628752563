"""A convolution's multiply-adds for one chunk of images, each way one nogil call:
the data movement (im2col, or per-tap products and their shifted sum) and the BLAS
GEMM (``blas.gemm``) together, so a chunk does not return to Python in between.

``minidl.ops.numba.fused_conv`` sizes the chunks, picks the way by the shapes and
calls, per chunk, one of these and then the epilogue (``fused_conv``: bias,
activation, pooling). Fewer hand-overs of the GIL is what makes two threads pay
(``minidl.ops.numba.blas``); separate small kernels, rather than one kernel with
every way as a branch, keep the first compile short (a kernel's machine code
includes its callees': one kernel with every branch took 12 s to compile before
MNIST conv's first step).

Every function has the same arguments: ``fn`` the CBLAS GEMM, ``one`` 1 in the
dtype, x (n, h, w, cin), images b0:b1, the geometry (kh, kw, sh, sw, top, left, oh,
ow), ``wmat`` the weights as the way needs them, ``cols`` (and ``cols_t``) the chunk's
scratch. Forward, into z ((b1-b0)·oh·ow, cout) (scratch, or the plain conv's output rows):

* ``im2col_products``: cols (m, kh·kw·cin), m = (b1-b0)·oh·ow, z = cols @ W;
* ``im2col_t_products``: one input channel, cols (kh·kw, m) transposed, z = colsᵀ @ W;
* ``tap_products``: cout < cin, every input cell times every tap's weights,
  cols = taps ((b1-b0)·h·w, kh·kw·cout) = x @ W_all (cin, kh·kw·cout), then z = their
  shifted sum.

Backward, from dz (b1-b0, oh, ow, cout), each into dw (the chunk's partial of the
kernel's gradient) and, when ``need_dx``, dx's images b0:b1:

* ``im2col_grads``: dw = colsᵀ @ dz, dx = col2im(dz @ Wᵀ);
* ``im2col_t_grads``: one input channel, dw = cols_t @ dz (cols only for dx);
* ``dz_column_grads``: stride 1, cout ≤ cin: D = cols, the tap-flipped im2col of dz
  ((b1-b0)·h·w, kh·kw·cout), gives dW_flip = xᵀ @ D (cin, kh·kw·cout) and dx = D @ W_flip.
"""
from __future__ import annotations

from ._jit import kernel
from .blas import gemm
from .conv import col2im_images, im2col_rows, im2col_t, shift_add_rows


@kernel()
def im2col_products(fn, one, x, wmat, b0, b1, kh, kw, sh, sw, top, left, oh, ow, cols, z):
    """z = im2col(x[b0:b1]) @ W."""
    im2col_rows(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
    gemm(fn, one, cols, False, wmat, False, one - one, z)


@kernel()
def im2col_t_products(fn, one, x, wmat, b0, b1, kh, kw, sh, sw, top, left, oh, ow, cols, z):
    """z = im2col_t(x[b0:b1])ᵀ @ W (one input channel)."""
    n, h, w = x.shape[0], x.shape[1], x.shape[2]
    im2col_t(x.reshape(n, h, w), kh, kw, sh, sw, top, left, oh, ow, cols, b0, b1)
    gemm(fn, one, cols, True, wmat, False, one - one, z)


@kernel()
def tap_products(fn, one, x, wmat, b0, b1, kh, kw, sh, sw, top, left, oh, ow, cols, z):
    """z = Σ over taps of the shifted per-tap products x[b0:b1] @ W_all."""
    n, h, w, cin = x.shape
    gemm(fn, one, x.reshape(n * h * w, cin)[b0 * h * w:b1 * h * w], False, wmat, False, one - one, cols)
    shift_add_rows(cols, kh, kw, h, w, sh, sw, top, left, oh, ow, z, 0, (b1 - b0) * oh)


@kernel()
def im2col_grads(fn, one, x, dz, b0, b1, kh, kw, sh, sw, top, left, oh, ow, wmat, need_dx, dx, cols, cols_t, dw):
    """dw = im2col(x[b0:b1])ᵀ @ dz; dx[b0:b1] = col2im(dz @ Wᵀ)."""
    dz2 = dz.reshape(-1, dz.shape[3])
    im2col_rows(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
    gemm(fn, one, cols, True, dz2, False, one - one, dw)
    if need_dx:
        gemm(fn, one, dz2, False, wmat, True, one - one, cols)
        col2im_images(cols, kh, kw, sh, sw, top, left, oh, ow, dx[b0:b1], 0, b1 - b0)


@kernel()
def im2col_t_grads(fn, one, x, dz, b0, b1, kh, kw, sh, sw, top, left, oh, ow, wmat, need_dx, dx, cols, cols_t, dw):
    """dw = im2col_t(x[b0:b1]) @ dz (one input channel); dx[b0:b1] = col2im(dz @ Wᵀ)."""
    n, h, w = x.shape[0], x.shape[1], x.shape[2]
    dz2 = dz.reshape(-1, dz.shape[3])
    im2col_t(x.reshape(n, h, w), kh, kw, sh, sw, top, left, oh, ow, cols_t, b0, b1)
    gemm(fn, one, cols_t, False, dz2, False, one - one, dw)
    if need_dx:
        gemm(fn, one, dz2, False, wmat, True, one - one, cols)
        col2im_images(cols, kh, kw, sh, sw, top, left, oh, ow, dx[b0:b1], 0, b1 - b0)


@kernel()
def dz_column_grads(fn, one, x, dz, b0, b1, kh, kw, sh, sw, top, left, oh, ow, wmat, need_dx, dx, cols, cols_t,
                    dw):
    """Stride 1: D = the tap-flipped im2col of dz; dW_flip = x[b0:b1]ᵀ @ D, dx[b0:b1] = D @ W_flip."""
    n, h, w, cin = x.shape
    rows = slice(b0 * h * w, b1 * h * w)
    im2col_rows(dz, kh, kw, 1, 1, kh - 1 - top, kw - 1 - left, h, w, cols, 0, (b1 - b0) * h)
    gemm(fn, one, x.reshape(n * h * w, cin)[rows], True, cols, False, one - one, dw)
    if need_dx:
        gemm(fn, one, cols, False, wmat, False, one - one, dx.reshape(n * h * w, cin)[rows])
