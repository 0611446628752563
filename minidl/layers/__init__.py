"""Layers with Keras's names, arguments and weight layouts (channels last)."""
from .base import ActivatedLayer, Layer, SymbolicTensor
from .core import Activation, Dense, Flatten, Input, InputLayer
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .augmentation import (RandomContrast, RandomFlip, RandomRotation, RandomShear, RandomTranslation,
                           RandomZoom)
from .conv import Conv1D, Conv2D
from .conv_depthwise import DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D
from .conv_transpose import Conv1DTranspose, Conv2DTranspose
from .dot import Dot
from .dropout import Dropout
from .embedding import Embedding
from .global_pooling import (GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
                             GlobalMaxPooling2D)
from .layer_norm import LayerNormalization
from .merge import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average,
                    concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization
from .pooling import AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D
from .preprocessing import Normalization, Rescaling
from .recurrent import GRU, LSTM, SimpleRNN
from .reshaping import Cropping1D, Cropping2D, Permute, RepeatVector, Reshape, ZeroPadding1D, ZeroPadding2D
from .upsampling import UpSampling2D
from .wrappers import Bidirectional, TimeDistributed

__all__ = ["Layer", "ActivatedLayer", "SymbolicTensor", "Input", "InputLayer", "Dense",
           "Activation", "Flatten", "Concatenate", "Conv1D", "Conv2D", "MaxPooling1D",
           "MaxPooling2D", "UpSampling2D", "Dropout", "BatchNormalization", "Embedding",
           "SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed",
           "ReLU", "LeakyReLU", "Softmax", "ELU", "PReLU",
           "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D",
           "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalMaxPooling1D", "GlobalMaxPooling2D", "LayerNormalization",
           "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot",
           "Rescaling", "Normalization",
           "Conv1DTranspose", "Conv2DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D",
           "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast",
           "RandomShear"]
