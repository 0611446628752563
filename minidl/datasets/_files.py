"""Where dataset files are looked for, and how they are fetched.

Every loader resolves its file in the same order:

1. a *data directory*: the ``data_dir`` argument, else the ``MINIDL_DATA_DIR``
   environment variable, holding one ``.npz`` per dataset in the layout that
   ``shared/data/prepare.py`` writes;
2. the *Keras cache*: ``$KERAS_HOME/datasets`` (default ``~/.keras/datasets``),
   the very files ``keras.datasets`` downloads, so a user who ran Keras once is
   ready offline;
3. a *download* from the URL Keras uses, checked against the hash Keras uses
   and written atomically into that cache.

When all three fail, :class:`DatasetNotFoundError` says how to supply the data.
Nothing here ever substitutes synthetic data.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

from ..io import atomic_write

DATA_DIR_ENV = "MINIDL_DATA_DIR"
CACHE_DIR_ENV = "MINIDL_CACHE_DIR"
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DOWNLOAD_TIMEOUT_S = 30.0


class DatasetNotFoundError(FileNotFoundError):
    """No copy of a dataset was found locally and the download failed.

    A ``FileNotFoundError`` so that ``except FileNotFoundError`` (or
    ``OSError``) catches it; the message lists the three ways to supply the data.
    """


@dataclass
class Source:
    """Where a dataset's file was found: what :func:`minidl.datasets.describe` reports.

    ``source`` is ``"data-dir"``, ``"keras-cache"``, ``"download"`` or ``"synthetic"``;
    ``lossy`` is True when the pixels are not the original ones (CIFAR-10 decoded from JPEG).
    """

    name: str
    source: str
    path: str | None
    lossy: bool = False
    url: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- directories

def data_dir_from(data_dir: str | os.PathLike | None) -> str | None:
    """The data directory to search: the argument, else ``$MINIDL_DATA_DIR``, else None.

    Raises ``NotADirectoryError`` when the one named does not exist, since that
    is nearly always a typo the user wants to hear about, not a reason to download.
    """
    origin = "data_dir"
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
        origin = f"${DATA_DIR_ENV}"
    if data_dir is None:
        return None
    path = os.path.abspath(os.path.expanduser(os.fspath(data_dir)))
    if not os.path.isdir(path):
        raise NotADirectoryError(f"{origin}={os.fspath(data_dir)!r} is not a directory")
    return path


def data_dir_file(data_dir: str | os.PathLike | None, filename: str) -> str | None:
    """``<data dir>/<filename>`` when a data directory is set and holds that file, else None."""
    directory = data_dir_from(data_dir)
    if directory is None:
        return None
    path = os.path.join(directory, filename)
    return path if os.path.isfile(path) else None


def keras_home() -> str:
    """Keras's base directory: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` if ``~`` is read-only).

    Read at call time (Keras reads it once at import), so tests can monkeypatch it.
    """
    if "KERAS_HOME" in os.environ:
        return os.path.expanduser(os.environ["KERAS_HOME"])
    home = os.path.expanduser("~")
    if not os.access(home, os.W_OK):
        home = "/tmp"
    return os.path.join(home, ".keras")


def keras_datasets_dir() -> str:
    """The folder where ``keras.utils.get_file`` keeps ``keras.datasets`` files.

    Keras falls back to ``/tmp/.keras`` when its base directory exists but is
    not writable; doing the same finds the files it downloaded there.
    """
    base = keras_home()
    if os.path.isdir(base) and not os.access(base, os.W_OK):
        base = os.path.join("/tmp", ".keras")
    return os.path.join(base, "datasets")


def minidl_cache_dir() -> str:
    """minidl's own cache (tokenized IMDB): ``$MINIDL_CACHE_DIR``, else ``$XDG_CACHE_HOME/minidl``, else ``~/.cache/minidl``."""
    if os.environ.get(CACHE_DIR_ENV):
        return os.path.expanduser(os.environ[CACHE_DIR_ENV])
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "minidl")


# ---------------------------------------------------------------- hashing

_hash_memo: dict[tuple[str, int, int, str], str] = {}


def hash_file(path: str, algorithm: str = "sha256") -> str:
    """Hex digest of a file (``"sha256"`` or ``"md5"``), memoized on (path, size, mtime)."""
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_size, st.st_mtime_ns, algorithm)
    if key not in _hash_memo:
        hasher = hashlib.new(algorithm)
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                hasher.update(chunk)
        _hash_memo[key] = hasher.hexdigest()
    return _hash_memo[key]


def hash_matches(path: str, file_hash: str | None) -> bool:
    """Whether a file has ``file_hash``; the algorithm is picked by length as Keras does (64 hex: sha256, else md5)."""
    if file_hash is None:
        return True
    algorithm = "sha256" if len(file_hash) == 64 else "md5"
    return hash_file(path, algorithm) == file_hash


# ---------------------------------------------------------------- atomic writes

def _tmp_name(path: str) -> str:
    # Same folder as the target so os.replace is a rename, never a copy.
    return f"{path}.tmp-{os.getpid()}"



def download(url: str, dest: str, file_hash: str | None,
             validate: Callable[[str], None] | None = None) -> str:
    """Download ``url`` to ``dest`` with a progress bar, check it, write atomically.

    The check is ``file_hash`` (sha256 or md5) and, when given, ``validate(path)``,
    which raises ``ValueError`` for a bad file. Raises ``OSError``
    (``urllib.error.URLError`` included) when the network fails and ``ValueError``
    when a check fails; ``dest`` is then untouched.
    """
    from tqdm.auto import tqdm  # only needed when something is actually downloaded

    def write(tmp: str) -> None:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(tmp, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=os.path.basename(dest)) as bar:
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
        check_file(tmp, file_hash, validate)

    atomic_write(dest, write)
    return dest


def check_file(path: str, file_hash: str | None, validate: Callable[[str], None] | None = None) -> None:
    """Raise ``ValueError`` unless ``path`` has ``file_hash`` and passes ``validate``."""
    if not hash_matches(path, file_hash):
        raise ValueError(f"{path} does not have the expected hash {file_hash} (incomplete or outdated)")
    if validate is not None:
        validate(path)


def extract_tar(archive: str, dest_dir: str, member_dir: str) -> str:
    """Extract ``member_dir`` of a tar archive into ``dest_dir/member_dir``, atomically.

    Extracts into a temporary folder first so an interrupted run never leaves a
    half-filled ``member_dir`` that would later look complete. Returns that path.
    """
    target = os.path.join(dest_dir, member_dir)
    tmp_root = _tmp_name(target)
    shutil.rmtree(tmp_root, ignore_errors=True)
    try:
        with tarfile.open(archive) as tar:
            # The "data" filter refuses absolute paths, links out of the tree and devices.
            tar.extractall(tmp_root, filter="data")
        extracted = os.path.join(tmp_root, member_dir)
        if not os.path.isdir(extracted):
            raise ValueError(f"archive {archive} has no folder {member_dir!r}")
        if os.path.isdir(target):  # an incomplete earlier extraction of our own target
            shutil.rmtree(target)
        os.replace(extracted, target)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    return target


# ---------------------------------------------------------------- resolution

def not_found_error(name: str, data_file: str, keras_path: str, url: str,
                    problems: list[str]) -> DatasetNotFoundError:
    """The error for a dataset found nowhere, listing the three ways to supply it."""
    lines = [
        f"dataset {name!r} was not found and could not be downloaded.",
        *(f"  - {p}" for p in problems),
        "Supply it in one of three ways:",
        f"  1. a data directory holding {data_file!r}: pass data_dir=... or set ${DATA_DIR_ENV} "
        "(shared/data/prepare.py OUT_DIR writes such a directory);",
        f"  2. the Keras cache: put the file Keras downloads at {keras_path} "
        "(e.g. run keras.datasets once on a machine with network; $KERAS_HOME moves it);",
        f"  3. network access, so that {url} can be downloaded into that cache.",
        "minidl.datasets.synthetic(...) makes clearly synthetic stand-in data, only when asked for.",
    ]
    return DatasetNotFoundError("\n".join(lines))


def keras_cached(name: str, fname: str, url: str, file_hash: str | None, *,
                 data_file: str, validate: Callable[[str], None] | None = None,
                 problems: list[str] | None = None) -> Source:
    """Find ``fname`` in the Keras cache (hash checked) or download it there.

    Like ``keras.utils.get_file``: a cached file that fails its check is
    downloaded again. ``data_file`` only names the data-dir file for the error.
    """
    problems = list(problems or [])
    path = os.path.join(keras_datasets_dir(), fname)
    if os.path.isfile(path):
        try:
            check_file(path, file_hash, validate)
            return Source(name, "keras-cache", path, url=url)
        except ValueError as exc:
            problems.append(f"found in the Keras cache but unusable: {exc}")
    # URLError and timeouts are OSErrors, a cut connection an HTTPException, a failed check a ValueError.
    try:
        download(url, path, file_hash, validate)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        problems.append(f"download of {url} failed: {exc}")
        raise not_found_error(name, data_file, path, url, problems) from exc
    return Source(name, "download", path, url=url)


def resolve_npz(name: str, data_dir: str | os.PathLike | None, data_file: str,
                fname: str, url: str, file_hash: str | None) -> Source:
    """Data dir ``data_file``, else Keras cache ``fname``, else download: the common lookup."""
    path = data_dir_file(data_dir, data_file)
    if path is not None:
        return Source(name, "data-dir", path)
    return keras_cached(name, fname, url, file_hash, data_file=data_file)


def require_keys(names: Iterable[str], keys: Iterable[str], path: str) -> None:
    """Raise a ``KeyError`` naming the file and the missing keys when ``names`` (an npz's ``files``) lacks some."""
    names = list(names)
    missing = [k for k in keys if k not in names]
    if missing:
        raise KeyError(f"{path} lacks the key(s) {missing}; it has {sorted(names)}")
