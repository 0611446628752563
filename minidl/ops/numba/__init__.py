"""The Numba backend: compiled kernels (``jit/``) and the Python drivers that cut work
into blocks for the kernel pool (``threads``), sized by ``tuning``.

:data:`OPS` tells the registry which driver module implements which op; a driver
module registers its functions (``registry.register(name, "numba")``) when it is
imported, which happens on the first call that selects the Numba backend for one of
its ops (importing Numba costs ~0.4 s), never on ``import minidl``.
"""
from __future__ import annotations

OPS: dict[str, str] = {
    "matmul": f"{__name__}.dense",
    "bias_grad": f"{__name__}.activation",
    "bias_activation": f"{__name__}.activation",
    "bias_activation_backward": f"{__name__}.activation",
    "conv": f"{__name__}.conv",
    "conv_backward": f"{__name__}.conv",
    "max_pool_with_argmax": f"{__name__}.pool",
    "max_pool_backward": f"{__name__}.pool",
    "embedding_lookup": f"{__name__}.embedding",
    "embedding_scatter_add": f"{__name__}.embedding",
    "softmax_cross_entropy_with_logits": f"{__name__}.xent",
    "sparse_softmax_cross_entropy_with_logits": f"{__name__}.xent",
    "conv_bias_act_max_pool": f"{__name__}.fused_conv",
    "conv_bias_act_max_pool_backward": f"{__name__}.fused_conv",
    "sgd_update": f"{__name__}.update",
    "adam_update": f"{__name__}.update",
    "upsampling2d": f"{__name__}.upsampling",
    "upsampling2d_backward": f"{__name__}.upsampling",
    "dropout_apply": f"{__name__}.dropout",
}
