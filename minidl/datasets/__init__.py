"""Dataset loaders with the return shapes and dtypes of ``keras.datasets`` (NumPy only).

``mnist``, ``cifar10``, ``cifar100``, ``imdb``, ``boston_housing`` (as in Keras)
and ``pima`` (Pima Indians diabetes, no Keras loader) each have ``load_data``.
Every loader looks for its data, in order, in

1. a data directory: the ``data_dir`` argument or ``$MINIDL_DATA_DIR``
   (the ``.npz`` layout of ``shared/data/prepare.py``; IMDB there is raw text,
   tokenized by minidl);
2. the Keras cache (``$KERAS_HOME/datasets``, default ``~/.keras/datasets``);
3. a download from the URL Keras uses, hash-checked, into that cache;

and raises :class:`DatasetNotFoundError` (a ``FileNotFoundError``) naming the
three ways when all fail. :func:`describe` says which source was used.
:func:`synthetic` makes clearly labelled synthetic data, only when called.
"""
from . import boston_housing, cifar10, cifar100, imdb, mnist, pima
from ._describe import describe
from ._files import DATA_DIR_ENV, DatasetNotFoundError
from ._synthetic import synthetic

__all__ = ["mnist", "cifar10", "cifar100", "imdb", "boston_housing", "pima",
           "describe", "synthetic", "DatasetNotFoundError", "DATA_DIR_ENV"]
