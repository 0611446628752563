"""``describe(name)``: where a dataset would be loaded from, for experiment records."""
from __future__ import annotations

import os
from typing import Any

from . import boston_housing, cifar10, cifar100, imdb, mnist, pima

LOADERS = {m.NAME: m for m in (mnist, cifar10, cifar100, imdb, boston_housing, pima)}
SYNTHETIC_NOTE = "SYNTHETIC data from minidl.datasets.synthetic(): not the real dataset"


def describe(name: str, data_dir: str | os.PathLike | None = None, *, synthetic: bool = False) -> dict[str, Any]:
    """Where ``<name>.load_data(data_dir=data_dir)`` takes its data from.

    Returns ``{"name", "source", "path", "lossy", "url", "notes"}`` where
    ``source`` is ``"data-dir"``, ``"keras-cache"``, ``"download"`` (it was just
    downloaded into the Keras cache: resolving the source may download, exactly
    as loading would) or, with ``synthetic=True``, ``"synthetic"``; ``lossy`` is
    True for the JPEG-decoded CIFAR-10. Raises what the loader would raise
    (:class:`~minidl.datasets.DatasetNotFoundError` when nothing is found).
    """
    if name not in LOADERS:
        raise ValueError(f"describe: unknown name={name!r}; choose from {sorted(LOADERS)}")
    if synthetic:
        return {"name": name, "source": "synthetic", "path": None, "lossy": False, "url": None,
                "notes": [SYNTHETIC_NOTE]}
    return LOADERS[name].locate(data_dir).as_dict()
