"""compare: every exercise of the report trained in minidl and in Keras side by side.

``compare.exercises`` holds each exercise once (``build(lib, variant)``, NumPy
data); ``lockstep`` trains both libraries from the same weights on the same
batches and writes one result JSON per exercise; ``figures`` draws the
report's figures with both libraries overlaid; ``report`` regenerates
REPORT.md and report.html from the results on disk. ``python -m compare --help``.
"""
from .exercises import NAMES, get

__all__ = ["NAMES", "get"]
