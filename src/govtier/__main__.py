"""``python -m govtier``: the command line (see :mod:`govtier.cli`)."""

import sys

from govtier.cli import main

sys.exit(main())
