"""Layers with Keras's names, arguments and weight layouts (channels last)."""
from .base import ActivatedLayer, Layer, SymbolicTensor
from .core import Activation, Dense, Flatten, Input, InputLayer
from .conv import Conv1D, Conv2D
from .dropout import Dropout
from .embedding import Embedding
from .recurrent import GRU, LSTM, SimpleRNN
from .wrappers import Bidirectional, TimeDistributed
from .merge import Concatenate
from .normalization import BatchNormalization
from .pooling import MaxPooling1D, MaxPooling2D
from .upsampling import UpSampling2D

__all__ = ["Layer", "ActivatedLayer", "SymbolicTensor", "Input", "InputLayer", "Dense",
           "Activation", "Flatten", "Concatenate", "Conv1D", "Conv2D", "MaxPooling1D",
           "MaxPooling2D", "UpSampling2D", "Dropout", "BatchNormalization", "Embedding",
           "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed"]
