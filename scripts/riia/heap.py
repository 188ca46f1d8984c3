"""What a process keeps for the rest of its life, put out of the way of Python's garbage
collector.

Python's cyclic collector walks every object that can hold references to others (a list, a
dict, a class's instance) each time it collects its oldest generation, and a build keeps
some hundreds of thousands of them to its end: the modules it imported (pandas, DuckDB,
dbt, Great Expectations) and dbt's parse of the project. `settle` moves everything alive at
that moment into the collector's permanent generation (gc.freeze), so that each later
collection walks only what was made since. Before the exports' and reports' workers are
forked it does more (Python's documentation of gc.freeze): a worker's collections would
otherwise write to each object it inherited (the collector keeps its counts in the
object's header), copying every page it shares with the build into memory of its own.

Called where a process has made what it keeps: `riia build` after its imports, before it
forks the workers (riia.workers); every dbt command of riia, with dbt imported and the
parse it is given (riia.build.dbt.run_dbt); the suites' process once it has imported Great
Expectations (riia.validation). It collects first, so that no garbage is frozen, where it
would never be freed. Measured with `farm-bench`, `riia build` from empty with and without
it, in turn (README, "Python's garbage collector").
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect, then freeze what is left alive; how many objects are frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
