"""Kernel text: the functions of each module, how calls run, and stacks.

Kernel code is written in Python, one file per illumos C source file.  A file
declares itself with :class:`KSource`: the module it is linked into, the C
declarations of its globals and prototypes, and the size of each of its
functions (their order is the link order).  Python implementations attach to
the declared names with :meth:`KSource.impl`; a function without one is a
symbol that nothing in the simulation calls.

At boot every function becomes a text symbol at a fixed address.  One kernel
function calls another with ``k.call(callee, *args, at=OFFSET)``: ``OFFSET``
is the call site's return-address offset inside the caller, so the chain of
calls in progress reads as real frames, ``module`caller+0xoff``, exactly the
same each time (DESIGN decision 2).  An fbt entry probe's ``stack()`` is that
chain, innermost first.

A probe that is not enabled costs one attribute test per call: enabling a
function's probe sets :attr:`KFunction.probed` and its hooks, disabling clears
them (decision 3).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["KSource", "KFunction", "ExecContext", "SOURCES", "sources_for"]


class KSource:
    """One C source file of kernel code: ``KSource("unix", "pc_hvm.c", ...)``.

    ``decls`` is C: the file's globals (``static`` ones get local binding)
    and function prototypes, which type fbt's ``args[]``.  ``functions`` lists
    ``(name, size)`` in link order; ``pinned`` gives fixed start addresses
    for some of them (and for string ``literals``, placed in the module's
    data).  ``platforms``, if given, limits the file to those platform
    images.  Files are linked in ``order``, then filename order, whatever
    order Python imported them in.  ``sdt`` lists the statically defined
    probes in the file's functions as ``(function, probe name)``, or with the
    C types of the probe's arguments, ``(function, probe name, ("zone_t *", ...))``.
    """

    def __init__(self, module: str, filename: str, decls: str = "", functions=(),
                 pinned: dict[str, int] | None = None, literals: dict[str, int | None] | None = None,
                 platforms: set[str] | frozenset[str] | None = None, types: str = "", order: int = 0,
                 sdt: list[tuple] | None = None):
        self.module = module
        self.order = order
        self.sdt = list(sdt or [])
        self.filename = filename
        self.decls = decls
        self.types = types
        self.functions: list[tuple[str, int]] = list(functions)
        self.pinned = dict(pinned or {})
        self.literals: dict[str, int | None] = dict(literals or {})
        self.platforms = frozenset(platforms) if platforms else None
        self.impls: dict[str, Callable] = {}
        self.initializers: list[Callable] = []
        names = [n for n, _ in self.functions]
        if len(set(names)) != len(names):
            raise ValueError(f"{filename}: a function is listed twice")
        SOURCES.append(self)

    def impl(self, fn: Callable) -> Callable:
        """Decorator: ``fn`` implements the declared function of the same name."""
        if fn.__name__ not in dict(self.functions):
            raise ValueError(f"{self.filename}: {fn.__name__} is not declared in this file")
        self.impls[fn.__name__] = fn
        fn.ksource = self  # type: ignore[attr-defined]
        return fn

    def init(self, fn: Callable) -> Callable:
        """Decorator: ``fn(k, module)`` sets this file's initialised data at load time."""
        self.initializers.append(fn)
        return fn

    def applies_to(self, platform: str) -> bool:
        return self.platforms is None or platform in self.platforms

    def __repr__(self) -> str:
        return f"<KSource {self.module}:{self.filename}>"


SOURCES: list[KSource] = []


def sources_for(module: str, platform: str) -> list[KSource]:
    """The files linked into ``module`` on ``platform``, in link order."""
    found = [s for s in SOURCES if s.module == module and s.applies_to(platform)]
    return sorted(found, key=lambda s: (s.order, s.filename))


class KFunction:
    """A kernel function as loaded in one kernel: its symbol and probe state.

    ``proto`` is its ctf.Function when declared; ``probed`` is set while an
    fbt probe of it is enabled, and then ``entry_hook(k, kf, args)`` and
    ``return_hook(k, kf, retval)`` run around each call.
    """

    __slots__ = ("name", "module", "addr", "size", "impl", "proto", "probed", "entry_hook", "return_hook")

    def __init__(self, name: str, module: str, addr: int, size: int, impl: Callable | None,
                 proto: object = None):
        self.name = name
        self.module = module
        self.addr = addr
        self.size = size
        self.impl = impl
        self.proto = proto
        self.probed = False
        self.entry_hook: Callable | None = None
        self.return_hook: Callable | None = None

    def __repr__(self) -> str:
        return f"KFunction({self.module}`{self.name}, {self.addr:#x})"

    @property
    def return_offset(self) -> int:
        """Offset of the function's return instruction (fbt return's arg0)."""
        return self.size - 1 if self.size else 0


class ExecContext:
    """A thread running in the kernel: where it runs and the calls in progress.

    ``frames`` are the KFunctions being executed, outermost first;
    ``returns`` the return address of each call, so
    ``returns[i]`` points into ``frames[i]`` (the caller of ``frames[i+1]``).
    """

    __slots__ = ("thread", "cpu", "frames", "returns")

    def __init__(self, thread: int, cpu: int, frames: list[KFunction] | None = None,
                 returns: list[int] | None = None):
        self.thread = thread
        self.cpu = cpu
        self.frames = frames if frames is not None else []
        self.returns = returns if returns is not None else []

    def stack(self, depth: int | None = None) -> list[int]:
        """Return addresses of the calls in progress, innermost first."""
        pcs = self.returns[::-1]
        return pcs if depth is None else pcs[:depth]
