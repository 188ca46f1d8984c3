"""`python -m riia.reference`: derive the reference seeds (see the package docstring)."""

import sys

from riia.reference.cli import main

sys.exit(main())
