"""Faults: an update that overflows, files that fail mid-write, corrupt Numba
cache entries, bad environment values."""
from __future__ import annotations

import copy
import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from minidl import io, layers as L, optimizers as O
from minidl.models import Sequential
from minidl.ops.numba.jit._jit import tolerate_corrupt_cache

REPO = Path(__file__).resolve().parents[2]
X = np.random.default_rng(0).random((8, 3)).astype("float32")
Y = np.random.default_rng(1).random((8, 1)).astype("float32")


def _overflowing(optimizer):
    m = Sequential([L.Input((3,)), L.Dense(2), L.Dense(1)])
    m.compile(optimizer, "mse")
    m.fit(X, Y, epochs=1, batch_size=8, verbose=0)  # one good step: slots exist
    # a finite loss whose update overflows float32: huge targets for SGD, a step beyond
    # float32's range for Adam (its step is about the learning rate whatever the gradient)
    m.optimizer.learning_rate = 1e30 if isinstance(optimizer, O.SGD) else 1e39
    return m


YBIG = Y * 1e10


@pytest.mark.parametrize("opt", [lambda: O.SGD(0.01, momentum=0.9), lambda: O.Adam(0.01)], ids=["sgd", "adam"])
def test_an_update_to_non_finite_weights_is_undone_and_fit_stops(opt):
    m = _overflowing(opt())
    weights, state = m.get_weights(), copy.deepcopy(m.optimizer.get_state())
    with pytest.warns(RuntimeWarning, match=r"made layer 'dense(_\d+)?' weight '(kernel|bias)' \(optimizer step 2\)"):
        history = m.fit(X, YBIG, epochs=3, batch_size=8, verbose=0)
    assert "epoch 1, batch 1" in history.stop_reason and "undone" in history.stop_reason
    for a, b in zip(m.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    after = m.optimizer.get_state()
    assert after["iterations"] == state["iterations"] == 1
    for k in state["slots"]:
        for name in state["slots"][k]:
            np.testing.assert_array_equal(after["slots"][k][name], state["slots"][k][name])
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])


def test_train_on_batch_undoes_and_warns():
    m = _overflowing(O.SGD(0.01))
    weights = m.get_weights()
    with pytest.warns(RuntimeWarning, match=r"train_on_batch's update made layer .* undone"):
        m.train_on_batch(X, YBIG)
    assert m.optimizer.iterations == 1
    for a, b in zip(m.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


def test_save_weights_syncs_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    m = Sequential([L.Input((3,)), L.Dense(1)])
    m.save_weights(tmp_path / "w.npz")
    assert events[:2] == ["fsync", "replace"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    m = Sequential([L.Input((3,)), L.Dense(1)])
    m.save_weights(tmp_path / "w.npz")
    old = (tmp_path / "w.npz").read_bytes()
    m.set_weights([w + 1 for w in m.get_weights()])

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(np, "savez", full_disk)
    with pytest.raises(OSError, match="No space left"):
        m.save_weights(tmp_path / "w.npz")
    assert (tmp_path / "w.npz").read_bytes() == old
    assert os.listdir(tmp_path) == ["w.npz"]


def test_unwritable_folder_is_named(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    (tmp_path / "ro").mkdir(mode=0o500)
    with pytest.raises(PermissionError, match=r"cannot write '.*ro/w.npz': the folder .* is not writable"):
        io.write_text(tmp_path / "ro" / "w.npz", "x")


KERNEL = '''
from minidl.ops.numba.jit._jit import kernel

@kernel()
def add_one(x):
    return x + 1
'''


@pytest.mark.parametrize("damage", ["nbc-garbage", "nbc-empty", "nbi-garbage", "nbi-truncated"])
def test_a_corrupt_numba_cache_entry_is_rebuilt_with_a_warning(damage, tmp_path, monkeypatch):
    (tmp_path / "reliab_kmod.py").write_text(KERNEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    import reliab_kmod
    assert reliab_kmod.add_one(1) == 2  # compiles and writes the cache
    cache = tmp_path / "__pycache__"
    suffix = ".nbc" if damage.startswith("nbc") else ".nbi"
    target = next(p for p in cache.iterdir() if p.name.endswith(suffix))
    good = target.read_bytes()
    target.write_bytes({"garbage": b"garbage\n", "empty": b"", "truncated": good[:30]}[damage.split("-")[1]])
    mod = importlib.reload(reliab_kmod)  # a new dispatcher: reads the cache as a new process would
    with pytest.warns(RuntimeWarning, match=r"Numba cache of kernel 'add_one' in .* cannot be read.*recompiling"):
        assert mod.add_one(1) == 2
    mod = importlib.reload(reliab_kmod)  # rebuilt: the next run loads it without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mod.add_one(2) == 3
    sys.modules.pop("reliab_kmod", None)


def test_kernel_caches_built_from_other_sources_are_dropped(tmp_path, monkeypatch):
    """A caller's cache entry holds its callees' code: after any kernel source changes
    (an edit, an upgrade), the folder's entries go and are rebuilt."""
    from minidl.ops.numba.jit import _jit
    (tmp_path / "reliab_stale.py").write_text(KERNEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_jit, "_checked", set())  # as in a new process
    import reliab_stale
    assert reliab_stale.add_one(1) == 2
    cache = tmp_path / "__pycache__"

    def entries():
        return sorted(p.name for p in cache.iterdir() if p.suffix in (".nbi", ".nbc"))
    assert entries() and (cache / _jit.STAMP).read_text() == _jit.SOURCES_DIGEST
    monkeypatch.setattr(_jit, "_checked", set())
    importlib.reload(reliab_stale)  # the same sources: the entries stay
    assert entries()
    (cache / _jit.STAMP).write_text("the digest of other kernel sources")
    monkeypatch.setattr(_jit, "_checked", set())
    mod = importlib.reload(reliab_stale)
    assert entries() == []
    assert mod.add_one(2) == 3 and entries() and (cache / _jit.STAMP).read_text() == _jit.SOURCES_DIGEST
    sys.modules.pop("reliab_stale", None)


def test_tolerate_corrupt_cache_leaves_uncached_dispatchers_alone():
    import numba
    f = numba.njit(lambda x: x)
    assert tolerate_corrupt_cache(f) is f and f(3) == 3


@pytest.mark.parametrize("var, value, pattern", [
    ("MINIDL_BACKEND", "cuda", r"MINIDL_BACKEND='cuda' names no minidl backend: use one of numba, numpy"),
    ("MINIDL_NUM_THREADS", "two", r"MINIDL_NUM_THREADS='two' must be a positive integer"),
    ("MINIDL_NUM_THREADS", "0", r"MINIDL_NUM_THREADS='0' must be a positive integer"),
])
def test_bad_environment_values_are_named(var, value, pattern):
    env = {**os.environ, var: value, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", "import minidl"], cwd=REPO, env=env, capture_output=True, text=True)
    assert run.returncode != 0
    import re
    assert re.search(pattern, run.stderr.strip().splitlines()[-1]), run.stderr


@pytest.mark.parametrize("how", ["fit", "train_on_batch"])
def test_an_undone_step_restores_batchnorm_moving_statistics(how):
    m = Sequential([L.Input((3,)), L.Dense(2), L.BatchNormalization(), L.Dense(1)])
    m.compile(O.SGD(0.01), "mse")
    m.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    m.optimizer.learning_rate = 1e30
    before = m.get_weights()
    with pytest.warns(RuntimeWarning, match="undone"):
        if how == "fit":
            m.fit(X + 5, YBIG, epochs=2, batch_size=8, verbose=0)  # shifted x: other batch statistics
        else:
            m.train_on_batch(X + 5, YBIG)
    for a, b in zip(m.get_weights(), before):  # moving mean and variance included
        np.testing.assert_array_equal(a, b)
    m.optimizer.learning_rate = 0.01  # a good step still moves them
    m.train_on_batch(X + 5, Y)
    assert not np.array_equal(m.layers[1].state["moving_mean"], before[4])
