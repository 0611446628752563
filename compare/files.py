"""Atomic writes for result files: the shared helpers of ``minidl.io``."""
from minidl.io import save_figure, write_json, write_text

__all__ = ["save_figure", "write_json", "write_text"]
