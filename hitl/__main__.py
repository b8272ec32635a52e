"""``python -m hitl``: the hitl command line."""

import sys

from ._cli import main

sys.exit(main())
