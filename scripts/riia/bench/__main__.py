"""`python -m riia.bench`: the benchmark without the `riia` command line."""

import sys

from riia.bench import cli

sys.exit(cli())
