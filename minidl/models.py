"""Models: a graph of layers with Keras's compile / fit / evaluate / predict.

``Model(inputs, outputs)`` runs a functional graph built by calling layers on
symbolic tensors; ``Sequential([...])`` is the chain special case. A training
step is: forward in topological order (``training=True``) → loss and its
gradient → backward in reverse order, summing gradients where a tensor feeds
several layers → weight penalties → optimizer update.
"""
from __future__ import annotations

import math
import os
import warnings
from typing import Any, Sequence

import numpy as np

from . import config
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import Callback, History, ProgressBar
from .io import atomic_write
from .kernels import xent as xent_kernels
from .layers.base import ActivatedLayer, Layer, SymbolicTensor, format_shape, unique_name
from .layers.core import Input, InputLayer


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _all_finite(arr: np.ndarray) -> bool:
    """``np.isfinite(arr).all()`` a block of rows at a time: no boolean temporary
    the size of the data set (a quarter of a float32 set's memory)."""
    rows = max(1, (1 << 20) // max(1, arr[0].size))
    return all(np.isfinite(arr[s:s + rows]).all() for s in range(0, arr.shape[0], rows))


def _check_array(what: str, a, allow_int: bool = False) -> np.ndarray:
    """Refuse object/string arrays, empty arrays and non-finite values."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(f"{what} is empty (shape {arr.shape}): need at least one sample")
    if arr.dtype.kind == "f" and not _all_finite(arr):
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{what} contains {bad} NaN or infinite value(s)")
    return arr


def _fused_logits_loss(loss: losses_module.Loss, y: np.ndarray,
                       z: np.ndarray) -> tuple[float, np.ndarray] | None:
    """(mean data loss, its gradient w.r.t. the logits z) from the fused softmax
    cross-entropy kernel, or None where it does not apply (another loss, the
    NumPy backend). Targets are validated by the loss's own helpers first, so
    errors are the same as on the unfused path."""
    if not xent_kernels.available(z):
        return None
    if type(loss) is losses_module.CategoricalCrossentropy:
        t = losses_module._align(loss.name, y, z)
        per_sample, grad = xent_kernels.softmax_cross_entropy(t, z)
    elif type(loss) is losses_module.SparseCategoricalCrossentropy:
        labels = losses_module._sparse_labels(loss.name, y, z)
        per_sample, grad = xent_kernels.sparse_softmax_cross_entropy(labels, z)
    else:
        return None
    return (float(per_sample.mean()) if per_sample.size else 0.0), grad


class Model:
    """A functional model: ``Model(inputs=Input(...), outputs=tensor)``.

    One output; one or several inputs (pass a list of arrays to ``fit``).
    Each layer may appear once in the graph.
    """

    def __init__(self, inputs: SymbolicTensor | Sequence[SymbolicTensor] | None = None,
                 outputs: SymbolicTensor | None = None, name: str | None = None):
        self.name = name or unique_name(type(self).__name__.lower() if type(self) is not Model else "functional")
        self.optimizer: optimizers_module.Optimizer | None = None
        self.loss: losses_module.Loss | None = None
        self.metrics: list[metrics_module.Metric] = []
        self._metric_ids: list = []
        self.stop_training = False
        self.history: History | None = None
        self._graph_ready = False
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model needs both inputs and outputs")
            self._build_graph(inputs, outputs)

    # ---- the graph ---------------------------------------------------------
    def _build_graph(self, inputs, outputs) -> None:
        if isinstance(outputs, (list, tuple)):
            if len(outputs) != 1:
                raise ValueError(f"Model {self.name!r}: minidl models have one output, got {len(outputs)}")
            outputs = outputs[0]
        self.inputs = _as_list(inputs)
        self.output = outputs
        for t in (*self.inputs, outputs):
            if not isinstance(t, SymbolicTensor):
                raise TypeError(f"Model {self.name!r}: inputs and outputs must be symbolic tensors "
                                f"(from minidl.Input and layer calls), got {type(t).__name__}")
        for t in self.inputs:
            if not isinstance(t.layer, InputLayer):
                raise ValueError(f"Model {self.name!r}: every input must come from minidl.Input, "
                                 f"got the output of {t.layer.name!r}")
        order: list[SymbolicTensor] = []
        visited: set[int] = set()

        def visit(t: SymbolicTensor) -> None:
            if id(t) in visited:
                return
            visited.add(id(t))
            if isinstance(t.layer, InputLayer):
                if not any(t is i for i in self.inputs):
                    raise ValueError(f"Model {self.name!r}: the output depends on input "
                                     f"{t.layer.name!r}, which is not in the model's inputs")
                return
            for parent in t.inputs:
                visit(parent)
            order.append(t)

        visit(outputs)
        self._nodes = order
        # a layer fed only by model inputs need not compute its input gradient
        self._needs_dx = [not all(isinstance(p.layer, InputLayer) for p in t.inputs) for t in order]
        layers = [t.layer for t in order]
        names = [layer.name for layer in layers]
        for layer in layers:
            if layers.count(layer) > 1:
                raise ValueError(f"Model {self.name!r}: layer {layer.name!r} is used more than once; "
                                 "minidl layers cannot be shared")
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"Model {self.name!r}: layer names must be unique, repeated: {sorted(dupes)}")
        self.layers: list[Layer] = layers
        self._graph_ready = True

    def _require_graph(self, what: str) -> None:
        if not self._graph_ready:
            raise RuntimeError(f"Model {self.name!r} has no input shape yet: call it on data, pass an "
                               f"Input as the first layer or give input_shape, before {what}")

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        return self.output.shape

    def get_layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model {self.name!r} has no layer {name!r}; layers: {[l.name for l in self.layers]}")

    # ---- forward and backward ---------------------------------------------
    def forward(self, x: list[np.ndarray], training: bool = False) -> np.ndarray:
        """Run the graph on a list of input arrays (one per model input)."""
        values = {id(t): a for t, a in zip(self.inputs, x)}
        for t in self._nodes:
            ins = [values[id(p)] for p in t.inputs]
            values[id(t)] = t.layer.run_forward(ins if t.takes_list else ins[0], training=training)
        return values[id(self.output)]

    def backward(self, dy: np.ndarray, from_logits: bool = False) -> None:
        """Propagate ``dy`` (d loss / d output) back through the graph, filling every ``grads``.

        With ``from_logits`` the output layer receives the gradient with
        respect to its pre-activation.
        """
        grads = {id(self.output): dy}
        for t, needs_dx in zip(reversed(self._nodes), reversed(self._needs_dx)):
            g = grads.pop(id(t))
            t.layer.input_grad_needed = needs_dx
            try:
                if from_logits and t is self.output:
                    dxs = t.layer.run_backward_from_logits(g)
                else:
                    dxs = t.layer.run_backward(g)
            finally:
                t.layer.input_grad_needed = True
            for parent, dx in zip(t.inputs, _as_list(dxs) if t.takes_list else [dxs]):
                if isinstance(parent.layer, InputLayer):
                    continue
                grads[id(parent)] = grads[id(parent)] + dx if id(parent) in grads else dx

    def __call__(self, x) -> np.ndarray:
        """Inference on arrays, like calling a Keras model eagerly."""
        xs = self._prepare_x(x)
        return self.forward(xs, training=False)

    # ---- compile -------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence | None = None) -> None:
        """Choose the optimizer, the loss and the metrics, by Keras name or as objects."""
        if loss is None:
            raise ValueError(f"Model {self.name!r}: compile needs a loss, e.g. loss='mse'")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"metrics must be a list, got {type(metrics).__name__}")
        self._metric_ids = list(metrics or [])
        for m in self._metric_ids:  # resolve names now so typos fail at compile time
            if isinstance(m, str) and m.lower() not in ("accuracy", "acc"):
                metrics_module.get(m, (None, 1), (None, 1))
        self.metrics = []

    def _require_compiled(self, what: str) -> None:
        if self.loss is None:
            raise RuntimeError(f"Model {self.name!r} must be compiled before {what}: "
                               "call model.compile(optimizer, loss, metrics)")

    def _resolve_metrics(self, y: np.ndarray) -> None:
        y_pred_shape = self.output.shape
        self.metrics = [metrics_module.get(m, y.shape, y_pred_shape) for m in self._metric_ids]

    @property
    def _logits_shortcut(self) -> bool:
        """Keras computes a cross-entropy from the logits when the output comes
        straight from the matching activation (softmax for categorical, sigmoid
        for binary): its ``_keras_logits`` path. minidl does the same, so both
        compute the same numbers; it also avoids the clipping at 1e-7."""
        layer = self.output.layer
        return (self.loss is not None and self.loss.logits_activation is not None
                and isinstance(layer, ActivatedLayer)
                and layer.activation.name == self.loss.logits_activation)

    # ---- data checks -----------------------------------------------------------
    def _prepare_x(self, x) -> list[np.ndarray]:
        self._maybe_build_from_data(x)
        self._require_graph("running it")
        xs = _as_list(x)
        if len(xs) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} has {len(self.inputs)} input(s), got {len(xs)} array(s)")
        out = []
        for i, (a, t) in enumerate(zip(xs, self.inputs)):
            what = "x" if len(xs) == 1 else f"x[{i}]"
            arr = _check_array(what, a).astype(config.floatx(), copy=False)
            expected = t.shape[1:]
            if arr.ndim != len(t.shape) or any(e is not None and e != d for e, d in zip(expected, arr.shape[1:])):
                raise ValueError(f"Model {self.name!r} input {t.layer.name!r} expects shape "
                                 f"{format_shape(t.shape)}, got {what} of shape {arr.shape}")
            out.append(arr)
        n = {a.shape[0] for a in out}
        if len(n) > 1:
            raise ValueError(f"Model {self.name!r}: the input arrays have different numbers of samples {sorted(n)}")
        return out

    def _prepare_y(self, y, n: int) -> np.ndarray:
        arr = _check_array("y", y)
        if arr.shape[0] != n:
            raise ValueError(f"x has {n} samples but y has {arr.shape[0]}")
        if not isinstance(self.loss, losses_module.SparseCategoricalCrossentropy):
            arr = arr.astype(config.floatx(), copy=False)
        return arr

    def _prepare_xy(self, x, y) -> tuple[list[np.ndarray], np.ndarray]:
        xs = self._prepare_x(x)
        return xs, self._prepare_y(y, xs[0].shape[0])

    def _maybe_build_from_data(self, x) -> None:
        """Only Sequential builds lazily; a functional model is built at construction."""

    # ---- one step --------------------------------------------------------------
    def _loss_and_grads(self, xs: list[np.ndarray], y: np.ndarray, compute_grads: bool = True,
                        training: bool = True) -> tuple[float, np.ndarray]:
        """Total loss (data loss + every penalty) of one batch and the prediction;
        with ``compute_grads``, every layer's ``grads`` is filled."""
        y_pred = self.forward(xs, training=training)
        shortcut = self._logits_shortcut
        target = self.output.layer.pre_activation if shortcut else y_pred
        fused = _fused_logits_loss(self.loss, y, target) if shortcut else None
        if fused is not None:  # loss and gradient in one pass (Numba backend)
            data_loss, grad = fused
        else:
            loss_fn = self.loss.as_logits() if shortcut else self.loss
            data_loss, grad = loss_fn(y, target), None
        total = data_loss + sum(layer.regularization_loss() for layer in self.layers
                                if layer.regularizers or layer.activity_regularizer is not None)
        if compute_grads:
            if grad is None:
                grad = loss_fn.gradient(y, target).astype(target.dtype, copy=False)
            self.backward(grad, from_logits=shortcut)
        return float(total), y_pred

    def _trainable_slots(self):
        return [((layer.name, key), p, layer.grads[key])
                for layer in self.layers if layer.trainable for key, p in layer.params.items()]

    def _train_step(self, xs, y) -> tuple[float, np.ndarray]:
        loss, y_pred = self._loss_and_grads(xs, y, compute_grads=True, training=True)
        if math.isfinite(loss):  # a non-finite step would ruin the weights: keep the last good ones
            self.optimizer.apply(self._trainable_slots())
        return loss, y_pred

    def train_on_batch(self, x, y) -> float | list[float]:
        """One optimizer step on one batch. Returns the loss, or [loss, *metrics]
        when metrics were compiled (all measured before the update, as Keras)."""
        self._require_compiled("train_on_batch")
        xs, y = self._prepare_xy(x, y)
        self._resolve_metrics(y)
        loss, y_pred = self._train_step(xs, y)
        values = [float(np.mean(m(y, y_pred))) for m in self.metrics]
        return [loss, *values] if values else loss

    # ---- fit / evaluate / predict -------------------------------------------
    def fit(self, x, y, batch_size: int = 32, epochs: int = 1, verbose: int = 1,
            callbacks: Sequence[Callback] | None = None, validation_split: float = 0.0,
            validation_data: tuple | None = None, shuffle: bool = True, seed: int | None = None,
            initial_epoch: int = 0) -> History:
        """Train for ``epochs`` epochs of mini-batches; returns the History.

        Each epoch visits the samples in a fresh permutation drawn from a
        generator seeded by ``seed`` (the global one when None), unless
        ``shuffle=False``. Logged values are sample-weighted means over the
        epoch; ``val_*`` come from ``evaluate`` on the validation data at the
        end of the epoch. A non-finite loss stops training before its update
        is applied, with a warning; ``history.stop_reason`` says why. On an
        interrupt, ``model.history`` keeps the finished epochs.
        """
        self._require_compiled("fit")
        batch_size = self._check_batch_size(batch_size)
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        xs, y = self._prepare_xy(x, y)
        if validation_data is not None and validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        if validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
            cut = int(xs[0].shape[0] * (1 - validation_split))  # the last samples, as Keras
            validation_data = ([a[cut:] for a in xs], y[cut:])
            xs, y = [a[:cut] for a in xs], y[:cut]
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val)")
            val_x, val_y = validation_data
            val_xs, val_y = self._prepare_xy(val_x, val_y)
        self._resolve_metrics(y)
        n = xs[0].shape[0]
        steps = -(-n // batch_size)
        rng = config.make_rng(seed)
        history = History()
        self.history = history
        progress = [ProgressBar(verbose, epochs, steps)] if verbose else []
        cbs: list[Callback] = [history, *(callbacks or []), *progress]
        # per-batch logs are computed only for callbacks that read them: at batch
        # size 1 the running means cost as much as the step itself
        batch_cbs = [cb for cb in cbs if type(cb).on_train_batch_end is not Callback.on_train_batch_end]
        for cb in cbs:
            cb.set_model(self)
        self.stop_training = False
        for cb in cbs:
            cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            for cb in cbs:
                cb.on_epoch_begin(epoch)
            order = rng.permutation(n) if shuffle else np.arange(n)
            totals = np.zeros(1 + len(self.metrics))
            counts = np.zeros(1 + len(self.metrics))
            logs: dict[str, float] = {}
            for step in range(steps):
                idx = order[step * batch_size:(step + 1) * batch_size]
                if not shuffle:
                    idx = slice(step * batch_size, (step + 1) * batch_size)
                y_batch = y[idx]
                loss, y_pred = self._train_step([a[idx] for a in xs], y_batch)
                self._accumulate(totals, counts, loss, y_batch, y_pred)
                if not math.isfinite(loss):
                    history.stop_reason = (f"non-finite loss ({loss}) at epoch {epoch + 1}, batch {step + 1}; "
                                           "stopped before applying that update")
                    warnings.warn(f"Model {self.name!r}: {history.stop_reason}", RuntimeWarning, stacklevel=2)
                    self.stop_training = True
                    break
                if batch_cbs:
                    logs = self._means(totals, counts)
                    for cb in batch_cbs:
                        cb.on_train_batch_end(step, logs)
            logs = self._means(totals, counts)
            if validation_data is not None and not history.stop_reason:
                val = self.evaluate(val_xs if len(val_xs) > 1 else val_xs[0], val_y,
                                    batch_size=batch_size, return_dict=True)
                logs.update({f"val_{k}": v for k, v in val.items()})
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for cb in cbs:
            cb.on_train_end()
        return history

    def _check_batch_size(self, batch_size) -> int:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        return int(batch_size)

    def _accumulate(self, totals, counts, loss, y, y_pred) -> None:
        n = y.shape[0]
        totals[0] += loss * n
        counts[0] += n
        for i, m in enumerate(self.metrics, start=1):
            values = m(y, y_pred)
            totals[i] += values.sum()
            counts[i] += values.size

    def _means(self, totals, counts) -> dict[str, float]:
        names = ["loss", *(m.name for m in self.metrics)]
        return {k: float(t / c) for k, t, c in zip(names, totals, counts)}

    def evaluate(self, x, y, batch_size: int = 32, verbose: int = 0,
                 return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """Loss (data loss + penalties) and metrics in inference mode, sample-weighted
        over batches. Returns the loss alone, or [loss, *metrics], or a dict."""
        self._require_compiled("evaluate")
        batch_size = self._check_batch_size(batch_size)
        xs, y = self._prepare_xy(x, y)
        if not self.metrics or len(self.metrics) != len(self._metric_ids):
            self._resolve_metrics(y)
        totals = np.zeros(1 + len(self.metrics))
        counts = np.zeros(1 + len(self.metrics))
        for start in range(0, xs[0].shape[0], batch_size):
            sl = slice(start, start + batch_size)
            loss, y_pred = self._loss_and_grads([a[sl] for a in xs], y[sl], compute_grads=False, training=False)
            self._accumulate(totals, counts, loss, y[sl], y_pred)
        result = self._means(totals, counts)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in result.items()))
        if return_dict:
            return result
        values = list(result.values())
        return values if len(values) > 1 else values[0]

    def predict(self, x, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """Outputs in inference mode, batch by batch; shape (n, *output_shape[1:])."""
        batch_size = self._check_batch_size(batch_size)
        xs = self._prepare_x(x)
        outs = [self.forward([a[s:s + batch_size] for a in xs], training=False)
                for s in range(0, xs[0].shape[0], batch_size)]
        return np.concatenate(outs)

    # ---- weights -------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Every layer's weights in layer order: kernel (in, out) then bias (out,), as Keras."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        expected = sum(len(layer.params) + len(layer.state) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(f"Model {self.name!r} has {expected} weight arrays, got {len(weights)}")
        i = 0
        for layer in self.layers:
            k = len(layer.params) + len(layer.state)
            layer.set_weights(weights[i:i + k])
            i += k

    def _weight_items(self) -> list[tuple[str, np.ndarray]]:
        # Named by position and layer type, not by the layer's (globally
        # numbered) name, so an identical architecture built later loads them,
        # as Keras's structural weight files do.
        return [(f"{i}.{type(layer).__name__}/{key}", w) for i, layer in enumerate(self.layers)
                for key, w in (*layer.params.items(), *layer.state.items())]

    def save_weights(self, path: str | os.PathLike) -> None:
        """Write every weight to an ``.npz`` file, atomically (temp file + rename)."""
        path = os.fspath(path)
        if not path.endswith(".npz"):
            raise ValueError(f"save_weights writes .npz files, got {path!r}")
        arrays = {f"{i:04d}:{name}": w for i, (name, w) in enumerate(self._weight_items())}
        atomic_write(path, lambda tmp: np.savez(tmp, **arrays))

    def load_weights(self, path: str | os.PathLike) -> None:
        """Read weights written by ``save_weights``; names and shapes must match."""
        with np.load(os.fspath(path)) as data:
            stored = sorted(data.files)
            items = self._weight_items()
            names = [k.split(":", 1)[1] for k in stored]
            if names != [name for name, _ in items]:
                raise ValueError(f"{os.fspath(path)} holds weights {names}, model {self.name!r} "
                                 f"expects {[name for name, _ in items]}")
            self.set_weights([data[k] for k in stored])

    def count_params(self) -> int:
        self._require_graph("count_params")
        return sum(layer.count_params() for layer in self.layers)

    # ---- summary ---------------------------------------------------------------
    def summary(self, print_fn=print) -> None:
        """Print each layer's name, type, output shape and parameter count, then the totals."""
        self._require_graph("summary")
        functional = type(self) is not Sequential
        rows = []
        if functional:
            for t in self.inputs:
                rows.append((f"{t.layer.name} (InputLayer)", format_shape(t.shape), "0", "-"))
        for t in self._nodes:
            layer = t.layer
            connected = ", ".join(p.layer.name for p in t.inputs)
            rows.append((f"{layer.name} ({type(layer).__name__})", format_shape(t.shape),
                         f"{layer.count_params():,}", connected))
        headers = ("Layer (type)", "Output Shape", "Param #", "Connected to")
        cols = 4 if functional else 3
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:cols])]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

        def fmt(cells):
            parts = [f" {c:<{w}} " if i != 2 else f" {c:>{w}} " for i, (c, w) in enumerate(zip(cells, widths))]
            return "|" + "|".join(parts) + "|"

        total = self.count_params()
        trainable = sum(layer.trainable_count for layer in self.layers)
        size = np.dtype(config.floatx()).itemsize
        print_fn(f'Model: "{self.name}"')
        print_fn(line)
        print_fn(fmt(headers[:cols]))
        print_fn(line.replace("-", "="))
        for r in rows:
            print_fn(fmt(r[:cols]))
        print_fn(line)
        for label, count in (("Total", total), ("Trainable", trainable), ("Non-trainable", total - trainable)):
            print_fn(f" {label} params: {count:,} ({_bytes(count * size)})")


def _bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n} B"


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Input((784,)), Dense(100), ...])``.

    The input shape comes from a leading ``Input``, from ``input_shape=`` on
    the first layer, or from the first data the model sees.
    """

    def __init__(self, layers: Sequence[Layer | SymbolicTensor] | None = None, name: str | None = None):
        super().__init__(name=name)
        self._stack: list[Layer] = []
        self._input: SymbolicTensor | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer | SymbolicTensor) -> None:
        if isinstance(layer, SymbolicTensor) and isinstance(layer.layer, InputLayer):
            if self._input is not None or self._stack:
                raise ValueError(f"Sequential {self.name!r}: an Input can only come first")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential {self.name!r} takes layers, got {type(layer).__name__}")
        if self._input is None and not self._stack and layer.declared_input_shape is not None:
            self._input = Input(layer.declared_input_shape[1:])
        self._stack.append(layer)
        if self._input is not None:
            self._chain()

    def _chain(self) -> None:
        t = self._input
        for layer in self._stack:
            t = layer(t)
        self._build_graph(self._input, t)

    def _maybe_build_from_data(self, x) -> None:
        if self._graph_ready:
            return
        if isinstance(x, (list, tuple)):
            raise ValueError(f"Sequential {self.name!r} takes one input array, got {len(x)}")
        arr = np.asarray(x)
        if arr.ndim < 1:
            raise ValueError(f"Sequential {self.name!r}: input must have a batch axis, got shape {arr.shape}")
        if not self._stack:
            raise ValueError(f"Sequential {self.name!r} has no layers")
        self._input = Input(arr.shape[1:])
        self._chain()

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build from a Keras-style shape with the batch axis, e.g. ``(None, 784)``."""
        if not self._graph_ready:
            self._input = Input(tuple(input_shape)[1:])
            self._chain()
