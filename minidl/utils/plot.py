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
    """Names of the layers feeding ``layer``, in order, from the graph's nodes
    (the calls of ``layer`` inside ``model`` when given; a shared layer lists
    the feeders of every call once)."""
    nodes = layer._inbound_nodes
    if model is not None and getattr(model, "graph", None) is not None:
        in_model = {id(n) for n in model.graph.nodes}
        nodes = [n for n in nodes if id(n) in in_model]
    found: list[str] = []
    for node in nodes:
        for t in node.inputs:
            if t.layer.name not in found:
                found.append(t.layer.name)
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
