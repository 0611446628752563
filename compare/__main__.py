"""``python -m compare --help``."""
import sys

from .cli import main

sys.exit(main())
