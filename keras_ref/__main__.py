"""``python -m keras_ref``: see :mod:`keras_ref.cli`."""
import sys

from .cli import main

sys.exit(main())
