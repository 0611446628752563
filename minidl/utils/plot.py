"""``plot_model``: the layer graph as Graphviz DOT, rendered through pydot + graphviz.

Connectivity comes from :func:`inbound_layer_names`; the DOT text itself needs
no extra package (``model_to_dot`` returns it as a string, unlike Keras's
pydot object), a ``.dot`` file is written directly, and any image format needs
pydot and graphviz's ``dot`` program.
"""
from __future__ import annotations

import os
import shutil


def inbound_layer_names(layer, model=None) -> list[str]:
    """Names of the layers feeding ``layer``, in order.

    Looked up, first that applies: ``layer._inbound_layer_names`` (a list of
    names, for a model that records its graph that way); the producing layers
    of the tensors that built ``layer.output`` (``output.inputs[i].layer``:
    minidl's SymbolicTensor), or else of the tensors met walking back from
    ``model.outputs``; else the previous layer in ``model.layers`` (a
    Sequential chain).
    """
    names = getattr(layer, "_inbound_layer_names", None)
    if names is not None:
        return list(names)
    try:
        out = layer.output
    except (AttributeError, ValueError, RuntimeError):
        out = None
    outs = out if isinstance(out, (list, tuple)) else [out]
    found = []
    for tensor in outs:
        for t in getattr(tensor, "inputs", None) or []:
            producer = getattr(t, "layer", None)
            if producer is not None and producer is not layer and producer.name not in found:
                found.append(producer.name)
    if not found and model is not None:
        found = _from_model_graph(layer, model)
    if found or model is None:
        return found
    layers = list(model.layers)
    i = next((k for k, candidate in enumerate(layers) if candidate is layer), 0)
    return [layers[i - 1].name] if i > 0 else []


def _from_model_graph(layer, model) -> list[str]:
    """Walk back from ``model.outputs`` or ``model.output`` (SymbolicTensors with ``.layer`` and ``.inputs``)."""
    found, seen = [], set()
    try:
        outputs = getattr(model, "outputs", None) or getattr(model, "output", None) or []
    except (AttributeError, ValueError, RuntimeError):  # an unbuilt model
        outputs = []
    stack = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        inputs = getattr(t, "inputs", None) or []
        if getattr(t, "layer", None) is layer:
            found.extend(i.layer.name for i in inputs if i.layer.name not in found)
        stack.extend(inputs)
    return found


def _shape_text(layer, attr: str) -> str:
    try:
        value = getattr(layer, attr)
    except (AttributeError, ValueError, RuntimeError):
        return "?"
    values = value if isinstance(value, (list, tuple)) else [value]
    return ", ".join(str(tuple(getattr(v, "shape", "?"))) for v in values)


def model_to_dot(model, show_shapes: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
                 show_layer_activations: bool = False, dpi: int = 200) -> str:
    """Graphviz DOT source for ``model``: one box per layer, edges from inbound layers."""
    lines = [f'digraph "{getattr(model, "name", "model")}" {{', f"  graph [rankdir={rankdir}, dpi={dpi}];",
             "  node [shape=record];"]
    for layer in model.layers:
        label = f"{layer.name}|{type(layer).__name__}" if show_layer_names else type(layer).__name__
        activation = getattr(getattr(layer, "activation", None), "name", None)
        if show_layer_activations and activation:
            label += f"|{activation}"
        if show_shapes:
            label += f"|{{input: {_shape_text(layer, 'input')}|output: {_shape_text(layer, 'output')}}}"
        label = label.replace('"', r"\"")
        lines.append(f'  "{layer.name}" [label="{label}"];')
    names = {layer.name for layer in model.layers}
    for layer in model.layers:
        for src in inbound_layer_names(layer, model):
            if src in names:
                lines.append(f'  "{src}" -> "{layer.name}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, **kwargs) -> str:
    """Draw ``model`` to ``to_file`` (format from the extension); returns the path.

    ``.dot`` writes the DOT text; other formats (png, svg, pdf...) need the
    ``pydot`` package and graphviz's ``dot`` program, and raise ImportError
    naming the missing one."""
    dot = model_to_dot(model, show_shapes, show_layer_names, rankdir, show_layer_activations, dpi)
    ext = os.path.splitext(os.fspath(to_file))[1].lstrip(".").lower() or "png"
    if ext == "dot":
        from ..io import write_text
        return write_text(to_file, dot)
    try:
        import pydot
    except ImportError:
        raise ImportError("plot_model needs the 'pydot' package (pip install pydot) and graphviz "
                          "(https://graphviz.gitlab.io/download/) to write images; "
                          "to_file='model.dot' writes the graph without them") from None
    if shutil.which("dot") is None:
        raise ImportError("plot_model needs graphviz's 'dot' program on PATH "
                          "(https://graphviz.gitlab.io/download/) to write images")
    (graph,) = pydot.graph_from_dot_data(dot)
    graph.write(os.fspath(to_file), format=ext)
    return os.fspath(to_file)
