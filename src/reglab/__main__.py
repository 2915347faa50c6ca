"""``python -m reglab`` runs the command line."""

import sys

from reglab.cli import main

sys.exit(main())
