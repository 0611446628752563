"""Reading the pickled files that Keras's datasets come in, without running arbitrary code.

The CIFAR batches are pickled dicts and Keras's ``imdb.npz`` stores ragged
sequences as object arrays (a pickle inside the ``.npy``). ``pickle.load`` on a
tampered file can execute code, so, as Keras does, only the globals needed to
rebuild NumPy arrays are allowed; dicts, lists, bytes and ints need no globals.
"""
from __future__ import annotations

import io
import pickle
import zipfile
from typing import IO, Any

import numpy as np

_ALLOWED = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),   # files written by NumPy < 2
    ("numpy._core.multiarray", "_reconstruct"),  # and by NumPy >= 2
})


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global except NumPy array reconstruction."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to load global {module}.{name} from a dataset file: it may be corrupted or malicious")


def load_pickle(path: str) -> Any:
    """Load a pickle file (bytes keys kept as bytes, like Python 2 pickles need) safely."""
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding="bytes").load()


def _read_npy(fp: IO[bytes]) -> np.ndarray:
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except ValueError:  # an object array: skip the header, unpickle restrictedly
        fp.seek(0)
        version = np.lib.format.read_magic(fp)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(fp)
        elif version[0] in (2, 3):  # 3.0 only changes the header's text encoding
            np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy format version {version}") from None
        return RestrictedUnpickler(fp).load()


def load_npz_objects(path: str) -> dict[str, np.ndarray]:
    """Load every array of an ``.npz``, object arrays included, without arbitrary unpickling."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for member in zf.namelist():
            if member.endswith(".npy"):
                with zf.open(member) as fp:
                    # read_array needs seek(); zip members seek slowly, so buffer them.
                    out[member[:-4]] = _read_npy(io.BytesIO(fp.read()))
    return out
