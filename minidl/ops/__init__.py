"""``minidl.ops``: every numeric operation, with Keras's names and argument orders.

Each op takes and returns NumPy arrays, has one readable NumPy reference (shapes
in its docstring) and its vector-Jacobian product beside it; ``registry``
substitutes a compiled kernel (Numba) where one exists and the configured
backend and the arrays' dtypes allow. Inside ``autodiff.record`` the same ops
are recorded on a tape, which is how a user's ``Layer.call`` and a loss written
as a plain function are differentiated.

Modules: ``elementwise``, ``reduction``, ``shape``, ``activation`` (differentiable,
Keras-named), ``convolution``, ``conv_transpose``, ``depthwise`` (depthwise and separable),
``pool``, ``nn``, ``dropout``, ``xent``, ``fused_conv`` (the fused kernels the built-in layers and the
graph's conv + max-pool nodes call), ``update`` (optimizer steps with the L2 penalty folded
in), ``image``, ``autodiff``/``tape``/``tensor`` (differentiation),
``registry`` (backend dispatch), ``numba/`` (the compiled backend).
"""
from __future__ import annotations

from . import image, registry
from .activation import (elu, gelu, hard_sigmoid, leaky_relu, linear, log_softmax, relu, relu6,
                         selu, sigmoid, silu, softmax, softplus, softsign, tanh)
from .autodiff import backprop, record, value_and_grad
from .convolution import conv, conv_backward
from .conv_transpose import conv_transpose, conv_transpose_backward
from .dropout import dropout_apply
from .depthwise import depthwise_conv, depthwise_conv_backward, separable_conv
from .fused_conv import conv_bias_act_max_pool, conv_bias_act_max_pool_backward
from .elementwise import (abs, absolute, add, cos, divide, dot, equal, exp, expm1, floor,
                          greater, greater_equal, less, less_equal, log, log1p, logical_and,
                          logical_not, logical_or, matmul, maximum, minimum, multiply, negative,
                          not_equal, power, reciprocal, round, sign, sin, sqrt, square, subtract)
from .nn import (batch_norm_backward, batch_norm_forward, batch_norm_moments,
                 batch_normalization, bias_activation, bias_activation_backward, bias_grad,
                 embedding_lookup, embedding_scatter_add, upsampling2d, upsampling2d_backward)
from .numba import OPS as _NUMBA_OPS
from .pool import average_pool, max_pool, max_pool_backward, max_pool_with_argmax
from .reduction import argmax, argmin, logsumexp, max, mean, min, moments, sum, var
from .shape import (broadcast_to, cast, clip, concatenate, expand_dims, flatten, full, get_item, ones,
                    one_hot, ones_like, pad, reshape, squeeze, stack, take, take_along_axis,
                    transpose, where, zeros, zeros_like)
from .tensor import Tensor
from .update import adam_update, sgd_update
from .xent import (binary_crossentropy, categorical_crossentropy,
                   sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits,
                   sparse_categorical_crossentropy, sparse_softmax_cross_entropy_with_logits)

swish = silu

registry.declare_lazy("numba", _NUMBA_OPS)
