"""One chunk of images of a fused convolution, start to end in one nogil call.

Forward: the conv's multiply-adds for images b0:b1 (column matrix or per-tap
products, then one BLAS GEMM through ``blas.gemm``) into the scratch ``z``, then the
epilogue (bias, activation, max pooling: ``fused_conv``) writes the chunk's rows of y
and argmax. Backward: the epilogue's gradient into the scratch ``dz`` (and the
chunk's bias partial), then the GEMMs of the kernel's gradient (the chunk's own
partial) and of the input's gradient (the chunk's own images).

``minidl.ops.numba.fused_conv`` sizes the chunks, picks the mode and runs the chunks
on the kernel pool; because a chunk never returns to Python in between, the two
threads never wait for each other's GIL (see ``minidl.ops.numba.blas``).

Modes (how the products are formed), chosen by the driver:
IM2COL: cols (m, kh·kw·cin) of the chunk's m = images·oh·ow output cells, z = cols @ W;
IM2COL_T: one input channel, cols (kh·kw, m) transposed (``conv.im2col_t``), z = colsᵀ @ W;
TAPS: cout < cin, products of every input cell with every tap's weights,
taps (images·h·w, kh·kw·cout) = x @ W_all, then z = their shifted sum (``conv.shift_add_rows``);
backward only: DZ_COLUMNS (stride 1, cout ≤ cin): the tap-flipped im2col of dz, D,
gives dW_flip = xᵀ·D and dx = D·W_flip.
"""
from __future__ import annotations

from ._jit import kernel
from .activation import bias_act_rows
from .blas import gemm
from .conv import col2im_images, im2col_rows, im2col_t, shift_add_rows
from .fused_conv import RELU, LINEAR, act_grad_rows, bias_act_pool_rows, bias_pool_act_rows, pool_act_grad

IM2COL, IM2COL_T, TAPS, DZ_COLUMNS = 0, 1, 2, 3


@kernel()
def conv_products(fn, mode, one, x, wmat, b0, b1, kh, kw, sh, sw, top, left, oh, ow, cols, z):
    """z ((b1-b0)·oh·ow, cout) = the conv of images b0:b1 of x (n, h, w, cin), no bias.
    wmat: W as (kh·kw·cin, cout), or for TAPS W_all (cin, kh·kw·cout). ``cols`` is the
    mode's scratch (see the module doc)."""
    n, h, w, cin = x.shape
    zero = one - one
    if mode == TAPS:
        x2 = x.reshape(n * h * w, cin)
        gemm(fn, one, x2[b0 * h * w:b1 * h * w], False, wmat, False, zero, cols)
        shift_add_rows(cols, kh, kw, h, w, sh, sw, top, left, oh, ow, z, 0, (b1 - b0) * oh)
    elif mode == IM2COL_T:
        im2col_t(x.reshape(n, h, w), kh, kw, sh, sw, top, left, oh, ow, cols, b0, b1)
        gemm(fn, one, cols, True, wmat, False, zero, z)
    else:
        im2col_rows(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
        gemm(fn, one, cols, False, wmat, False, zero, z)


@kernel()
def forward_chunk(fn, mode, one, x, wmat, b0, b1, kh, kw, sh, sw, top, left, oh, ow, cols, z, direct,
                  bias, code, pooled, ph, pw, psh, psw, ptop, pleft, ninf, y, argmax):
    """Images b0:b1 of y = maxpool(act(conv(x) + bias)) with the winners in argmax
    (n, poh, pow, cout), or without pooling (``pooled`` False) y = act(conv + bias)
    (n, oh, ow, cout). z is the chunk's ((b1-b0)·oh·ow, cout) scratch, or with ``direct``
    (the plain conv: no bias, linear, no pooling) y's own rows, and then all is done."""
    conv_products(fn, mode, one, x, wmat, b0, b1, kh, kw, sh, sw, top, left, oh, ow, cols, z)
    if direct:
        return
    cout = z.shape[1]
    if not pooled:
        bias_act_rows(z, bias, True, code, y[b0:b1].reshape(-1, cout), one, 0, z.shape[0])
        return
    z4 = z.reshape(b1 - b0, oh, ow, cout)
    rows = (b1 - b0) * y.shape[1]
    # linear / relu: pool first, then the activation on the pooled values (the same outputs)
    if code == LINEAR or code == RELU:
        bias_pool_act_rows(z4, bias, code, ph, pw, psh, psw, ptop, pleft, ninf, one, y[b0:b1], argmax[b0:b1], 0, rows)
    else:
        bias_act_pool_rows(z4, bias, code, ph, pw, psh, psw, ptop, pleft, ninf, one, y[b0:b1], argmax[b0:b1], 0, rows)


@kernel()
def backward_chunk(fn, mode, one, x, dy, y, argmax, b0, b1, kh, kw, sh, sw, top, left, oh, ow, code,
                   pooled, ph, pw, psh, psw, ptop, pleft, g, dz, direct, dbias, wmat, need_dx, dx, cols, cols_t, dw):
    """The gradients of images b0:b1: dx's images b0:b1 (when need_dx), the chunk's
    partials dw of the kernel's gradient and dbias of the bias's.

    x, dx (n, h, w, cin); dy, y, argmax forward's output shape; dz the chunk's
    (b1-b0, oh, ow, cout) scratch, or with ``direct`` (the plain conv) dy's own images
    (dbias is then left alone); g a (pow, cout) scratch. wmat, dw and the scratch by mode:
    IM2COL / IM2COL_T: wmat = W (kh·kw·cin, cout), dw the same shape, cols (m, kh·kw·cin)
    (IM2COL_T: cols_t (kh·kw, m) for dw, cols only for dx);
    DZ_COLUMNS: wmat = W_flip (kh·kw·cout, cin), dw = dW_flip (cin, kh·kw·cout),
    cols = D (images·h·w, kh·kw·cout).
    """
    n, h, w, cin = x.shape
    cout = dz.shape[3]
    zero = one - one
    if direct:
        pass
    elif pooled:
        pool_act_grad(dy[b0:b1], argmax[b0:b1], y[b0:b1], code, ph, pw, psh, psw, ptop, pleft, one, g, dz, dbias)
    else:
        act_grad_rows(dy[b0:b1].reshape(-1, cout), y[b0:b1].reshape(-1, cout), code, one,
                      dz.reshape(-1, cout), dbias)
    if mode == DZ_COLUMNS:
        rows = slice(b0 * h * w, b1 * h * w)
        im2col_rows(dz, kh, kw, 1, 1, kh - 1 - top, kw - 1 - left, h, w, cols, 0, (b1 - b0) * h)
        gemm(fn, one, x.reshape(n * h * w, cin)[rows], True, cols, False, zero, dw)
        if need_dx:
            gemm(fn, one, cols, False, wmat, False, zero, dx.reshape(n * h * w, cin)[rows])
        return
    dz2 = dz.reshape(-1, cout)
    if mode == IM2COL_T:
        im2col_t(x.reshape(n, h, w), kh, kw, sh, sw, top, left, oh, ow, cols_t, b0, b1)
        gemm(fn, one, cols_t, False, dz2, False, zero, dw)
    else:
        im2col_rows(x[b0:b1], kh, kw, sh, sw, top, left, oh, ow, cols, 0, (b1 - b0) * oh)
        gemm(fn, one, cols, True, dz2, False, zero, dw)
    if need_dx:
        gemm(fn, one, dz2, False, wmat, True, zero, cols)
        col2im_images(cols, kh, kw, sh, sw, top, left, oh, ow, dx[b0:b1], 0, b1 - b0)
