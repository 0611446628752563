"""One exercise's result.json shared by several processes, each training other variants or seeds.

A long exercise (ej04: 300 epochs, three Dropout seeds) runs faster as one
process per seed (``python -m compare ej04 --seeds 3 --seed K``), all writing
the same ``result.json``. Each write is a merge under a lock
(``ckpt/result.lock``): the records of the pairs (variant, seed) this process
trains are its own; every other record is taken from the file as it is on disk
then, since only the process training a pair changes its record. So a run,
resumed or not, replaces only the records of the pairs it trains and keeps the
rest of the file. While a pair trains, its lock file
(``ckpt/<variant>_s<seed>.lock``) is held, so a second process asked for the
same pair skips it instead of writing the same checkpoint.

Locks are ``fcntl.flock`` (released by the system if a process dies); where
``fcntl`` is missing (Windows) there is no locking and one process per folder
is the rule.
"""
from __future__ import annotations

import contextlib
import copy
import os
from typing import Any, Iterator

from . import checkpoint, files

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

Pair = tuple[str, int]


def placeholder(seed: int) -> dict[str, Any]:
    """The record of a seed that no process has started (another process may train a later one)."""
    return {"seed": seed, "status": "not started", "epochs_done": 0, "params": {}, "histories": {},
            "divergence": [], "seconds": {}}


def merge(mine: dict[str, Any], disk: dict[str, Any], owned: set[Pair]) -> None:
    """Copy into ``mine`` every record of ``disk`` whose pair is not in ``owned`` (gaps in a
    variant's seeds filled with placeholders) and every variant ``mine`` lacks; finished and
    incomplete statuses are recomputed from the merged seeds."""
    for variant, run in disk.get("runs", {}).items():
        if variant not in mine["runs"]:
            mine["runs"][variant] = copy.deepcopy(run)
            continue
        ours = mine["runs"][variant].setdefault("seeds", [])
        for i, rec in enumerate(run.get("seeds", [])):
            if (variant, i) in owned:
                continue
            while len(ours) <= i:
                ours.append(placeholder(len(ours)))
            if rec.get("status") != "not started" or ours[i].get("status") == "not started":
                ours[i] = copy.deepcopy(rec)
    for run in mine["runs"].values():
        if run.get("status") in ("finished", "incomplete") and run.get("seeds"):
            run["status"] = status_of(run["seeds"])
    if mine.get("status") in ("finished", "incomplete"):
        mine["status"] = exercise_status(mine)


def status_of(seeds: list[dict[str, Any]]) -> str:
    """"finished" when every seed record is, else "incomplete"."""
    return "finished" if all(s.get("status") == "finished" for s in seeds) else "incomplete"


def exercise_status(result: dict[str, Any]) -> str:
    """:func:`status_of` over the seeds of every variant that was not skipped."""
    return status_of([s for r in result["runs"].values() if r.get("status") != "skipped" for s in r.get("seeds", [])])


class ResultFile:
    """``result.json`` of one run folder, written by merging (see the module doc)."""

    def __init__(self, path: str, lock_path: str | None = None):
        self.path = path
        self.lock_path = lock_path or path + ".lock"
        self.owned: set[Pair] = set()

    def read(self) -> dict[str, Any] | None:
        """The document on disk (None when there is none or it is damaged)."""
        with self._locked():
            return self._read_for_merge()

    def _read_for_merge(self) -> dict[str, Any] | None:
        """The document on disk, or None when absent or damaged (a run that does not resume
        replaces a damaged file; one that resumes has refused it in its preflight)."""
        try:
            return checkpoint.read_result(self.path) if os.path.isfile(self.path) else None
        except checkpoint.CorruptFile:
            return None

    def write(self, result: dict[str, Any]) -> None:
        """Merge what other processes wrote into ``result``, then write it atomically."""
        with self._locked():
            disk = self._read_for_merge()
            if disk is not None:
                merge(result, disk, self.owned)
            files.write_json(self.path, result)

    def _locked(self) -> contextlib.AbstractContextManager[bool]:
        return _flock(self.lock_path, wait=True)


@contextlib.contextmanager
def _flock(lock_path: str, wait: bool) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``lock_path``: yields True, or False at once when another
    process holds it and ``wait`` is False. Without ``fcntl`` (Windows) nothing is locked."""
    if fcntl is None:  # pragma: no cover - Windows
        yield True
        return
    with open(lock_path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def training(ckpt_path: str) -> contextlib.AbstractContextManager[bool]:
    """Hold the lock of the pair whose checkpoint is ``ckpt_path``: yields False (without
    waiting) when another process holds it."""
    return _flock(os.path.splitext(ckpt_path)[0] + ".lock", wait=False)
