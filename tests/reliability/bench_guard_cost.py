"""Not a test: the finite-weights guard's cost per step, guarded vs plain apply.
Run: MINIDL_NUM_THREADS=1 python tests/reliability/bench_guard_cost.py"""
import time, numpy as np
from minidl import layers as L, optimizers as O, config
from minidl.models import Sequential
from minidl.models.trainer import Trainer
guarded = Trainer._apply_or_undo
def plain(self):
    self.optimizer.apply([((l.name, k), p, l.grads[k]) for l in self._trainable_layers() for k, p in l.params.items()])
def bench(name, build, x, y, bs, reps=5):
    out = {}
    for label, fn in [("plain", plain), ("guard", guarded)] * 2:
        Trainer._apply_or_undo = fn
        config.set_random_seed(0); m = build(); m.fit(x[:bs*2], y[:bs*2], batch_size=bs, verbose=0)
        best = 1e9
        for _ in range(reps):
            t = time.perf_counter(); m.fit(x, y, batch_size=bs, epochs=1, verbose=0, shuffle=False); best = min(best, time.perf_counter() - t)
        out[label] = min(out.get(label, 1e9), best)
    steps = -(-len(x) // bs)
    print(f"{name}: plain {out['plain']/steps*1e6:.1f} us/step, guarded {out['guard']/steps*1e6:.1f} us/step, cost {100*(out['guard']/out['plain']-1):+.1f}%")
rng = np.random.default_rng(0)
x = rng.integers(0, 2, (4, 2)).astype("float32"); x = np.tile(x, (250, 1)); y = (x[:, :1] != x[:, 1:]).astype("float32")
bench("XOR 2-4-1 SGD bs4", lambda: (lambda m: (m.compile(O.SGD(0.1), "mse"), m)[1])(Sequential([L.Input((2,)), L.Dense(4, activation="tanh"), L.Dense(1, activation="sigmoid")])), x, y, 4)
x = rng.random((6000, 784)).astype("float32"); y = rng.integers(0, 10, 6000)
bench("MNIST-dense 784-100-10 Adam bs32", lambda: (lambda m: (m.compile(O.Adam(), "sparse_categorical_crossentropy"), m)[1])(Sequential([L.Input((784,)), L.Dense(100, activation="relu"), L.Dense(10, activation="softmax")])), x, y, 32, reps=3)
bench("MNIST-dense 784-100-10 Adam bs128", lambda: (lambda m: (m.compile(O.Adam(), "sparse_categorical_crossentropy"), m)[1])(Sequential([L.Input((784,)), L.Dense(100, activation="relu"), L.Dense(10, activation="softmax")])), x, y, 128, reps=3)
