"""The simulated illumos kernel: memory, types, symbols, text, kmem and kernel objects.

Light to import: the parts are loaded when used.  The usual entry points are
:func:`kdebug.kernel.boot.boot` (a live kernel) and
:func:`kdebug.kernel.dump.load` (a kernel from a dump file).
"""

from .memory import AddressSpace, MemoryFault
from .kernel import Kernel, KernelPanic

__all__ = ["AddressSpace", "MemoryFault", "Kernel", "KernelPanic"]
