"""``keras.preprocessing.sequence``."""
from ..utils.numerical import pad_sequences

__all__ = ["pad_sequences"]
