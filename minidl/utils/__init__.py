"""Keras's ``keras.utils`` entry points that minidl has."""
from ..config import set_random_seed
from .numerical import pad_sequences, to_categorical
from .plot import inbound_layer_names, model_to_dot, plot_model

__all__ = ["set_random_seed", "to_categorical", "pad_sequences", "plot_model", "model_to_dot",
           "inbound_layer_names"]
