"""The compiler's semantic passes, in the one order they run (bpftrace style).

Each pass is one visitor in its own file; it reads what earlier passes left
on the tree and adds its own annotations.  The first problem found stops
the pipeline with a :class:`~kdebug.dtrace.libdtrace.errors.CompileError`.
"""

from __future__ import annotations

from .aggs import AggregationRules
from .base import Pass
from .clauses import ClauseShape
from .decls import TypeDeclarations
from .names import Names
from .pragmas import Pragmas
from .probes import ProbeDescriptions
from .protos import Prototypes
from .speculation import SpeculationOrder
from .types import Types

__all__ = ["PIPELINE", "Pass", "run_passes"]

PIPELINE: list[type[Pass]] = [
    Pragmas,             # '#pragma D option', '#line', '#error'
    ClauseShape,         # a script's clauses need { } ; outer-scope declarations
    ProbeDescriptions,   # fields filled from the right, macros, matching probes, args[] types
    TypeDeclarations,    # struct, union and enum definitions, typedefs: the D container
    Names,               # identifiers: builtins, variables, inlines, macros, kernel symbols, functions
    Types,               # every expression's type from D's and the kernel's C types
    AggregationRules,    # @a[keys] = func(args): functions, keys, redefinitions
    Prototypes,          # actions and subroutines: argument counts and types, printf formats
    SpeculationOrder,    # speculate/commit/discard and data-recording order
]


def run_passes(comp) -> None:
    for p in PIPELINE:
        p(comp).run(comp.program)
