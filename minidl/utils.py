"""Keras's ``keras.utils`` entry points that minidl has."""
from .config import set_random_seed

__all__ = ["set_random_seed"]
