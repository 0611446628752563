"""TRANSITIONAL shim (see kernels/__init__): moved to minidl.ops.padding."""
from ..ops.padding import PADDINGS, output_length, pad_amounts  # noqa: F401
