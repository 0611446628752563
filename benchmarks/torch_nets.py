"""PyTorch (CPU) equivalents of the benchmark setups' networks, for ``benchmarks.epochs``.

The networks are compare.exercises' (p3 mse, p6 221_pm1, ej08 dense / conv,
ej04 sgd) with the same layer sizes, activations, loss, batch size and SGD
learning rate. Keras's conventions are kept where they change the work done:

* L2 on a kernel (Keras: ``l2·Σw²`` added to the loss) is SGD's
  ``weight_decay = 2·l2`` on that kernel only (its gradient, ``2·l2·w``), in a
  parameter group of its own; biases are not decayed, as in Keras.
* MSE is the mean over every output (Keras: mean over the last axis, then the
  batch: the same number); categorical cross-entropy on a softmax output is
  ``-Σ y·log_softmax(z)`` averaged over the batch; binary cross-entropy on a
  sigmoid output is ``binary_cross_entropy_with_logits`` (what Keras computes
  for a sigmoid output, from the logits).
* Images arrive NHWC as for the other frameworks; they are transposed to
  PyTorch's NCHW once, before timing (a data-layout choice, not training work).
* Each batch also updates the same accuracy metric the other frameworks track.

``TorchModel.fit`` mimics the part of Keras's ``fit`` the benchmark uses
(batch size, epochs, shuffling, callbacks' ``on_epoch_begin/end``).
Import this module only when ``torch`` is installed (an optional extra).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class _Flatten(nn.Module):
    """Flatten in Keras's (channels-last) element order, so Dense sees the same layout."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1) if x.ndim == 4 else \
            x.permute(0, 2, 1).reshape(x.shape[0], -1)


class _Conv1dNet(nn.Module):
    """ej04: Embedding(10000, 50) → Dropout 0.5 → Conv1D 16 k4 same relu → MaxPool1D 2 →
    Dropout 0.5 → Flatten → Dense 30 relu → Dense 1 (sigmoid folded into the loss)."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10_000, 50)
        self.conv = nn.Conv1d(50, 16, 4, padding="same")
        self.dense1, self.dense2 = nn.Linear(400 // 2 * 16, 30), nn.Linear(30, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = F.dropout(self.embedding(ids), 0.5, self.training).transpose(1, 2)  # (n, 50, 400)
        x = F.max_pool1d(F.relu(self.conv(x)), 2)
        x = F.dropout(x, 0.5, self.training)
        x = x.transpose(1, 2).reshape(x.shape[0], -1)
        return self.dense2(F.relu(self.dense1(x)))


def _network(setup_name: str) -> tuple[nn.Module, list[nn.Parameter], float, float, str]:
    """(module, kernels under L2, l2 factor, learning rate, loss kind) of a setup."""
    if setup_name.startswith("cifar10"):
        net = nn.Sequential(nn.Linear(3072, 100), nn.Sigmoid(), nn.Linear(100, 10))
        return net, [net[0].weight, net[2].weight], 1e-4, 0.003, "mse"
    if setup_name == "xor":
        net = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1), nn.Tanh())
        return net, [], 0.0, 0.1, "mse_pm1"
    if setup_name == "mnist-dense":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
        return net, [], 0.0, 0.001, "cce"
    if setup_name == "mnist-conv":
        net = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(30, 10, 3), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Dropout(0.2), _Flatten(), nn.Linear(250, 10))
        return net, [], 0.0, 0.001, "cce"
    if setup_name == "imdb-conv1d":
        net = _Conv1dNet()
        return net, [net.dense1.weight, net.dense2.weight], 0.01, 0.002, "bce"
    raise ValueError(f"unknown setup {setup_name!r}")


def _loss_and_hits(kind: str) -> Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """(loss, number of correct predictions) from the network's output and the targets."""
    def fn(out: torch.Tensor, y: torch.Tensor):
        if kind in ("mse", "mse_pm1"):
            loss = F.mse_loss(out, y)
        elif kind == "cce":
            loss = -(y * F.log_softmax(out, dim=1)).sum(dim=1).mean()
        else:
            loss = F.binary_cross_entropy_with_logits(out, y)
        with torch.no_grad():
            if kind == "mse_pm1":
                hits = (out * y > 0.7).sum()
            elif kind == "bce":
                hits = ((out > 0) == (y > 0.5)).sum()
            else:
                hits = (out.argmax(1) == y.argmax(1)).sum()
        return loss, hits
    return fn


class TorchModel:
    """A setup's network, optimizer and loss with a Keras-like ``fit`` (see the module doc)."""

    def __init__(self, setup_name: str, seed: int = 0):
        torch.manual_seed(seed)
        self.net, decayed, l2, lr, kind = _network(setup_name)
        ids = {id(p) for p in decayed}
        groups = [{"params": [p for p in self.net.parameters() if id(p) not in ids], "weight_decay": 0.0}]
        if decayed:
            groups.append({"params": decayed, "weight_decay": 2 * l2})  # d(l2·Σw²)/dw = 2·l2·w
        self.optimizer = torch.optim.SGD(groups, lr=lr)
        self.loss = _loss_and_hits(kind)
        self.images = setup_name.startswith("mnist-conv")
        self._cache: tuple[Any, torch.Tensor, torch.Tensor] | None = None

    def _tensors(self, x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """The arrays as tensors (NHWC → NCHW for images), converted once per array pair."""
        if self._cache is not None and self._cache[0] == (id(x), id(y), x.shape):
            return self._cache[1], self._cache[2]
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if self.images else x)
        xt = xt.long() if x.dtype.kind in "iu" else xt
        yt = torch.from_numpy(y)
        self._cache = ((id(x), id(y), x.shape), xt, yt)
        return xt, yt

    def fit(self, x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int = 1, verbose: int = 0,
            callbacks: list | None = None, shuffle: bool = True) -> None:
        xt, yt = self._tensors(x, y)
        n = xt.shape[0]
        self.net.train()
        for epoch in range(epochs):
            for cb in callbacks or []:
                cb.on_epoch_begin(epoch)
            order = torch.randperm(n) if shuffle else torch.arange(n)
            hits = torch.zeros((), dtype=torch.long)
            for b0 in range(0, n, batch_size):
                idx = order[b0:b0 + batch_size]
                self.optimizer.zero_grad(set_to_none=True)
                loss, h = self.loss(self.net(xt[idx]), yt[idx])
                loss.backward()
                self.optimizer.step()
                hits += h
            for cb in callbacks or []:
                cb.on_epoch_end(epoch, {"loss": float(loss.detach()), "accuracy": int(hits) / n})


def build(setup_name: str) -> TorchModel:
    """The setup's model, seeded."""
    return TorchModel(setup_name)
