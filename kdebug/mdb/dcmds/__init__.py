"""The dcmds and walkers, one module per illumos source file; importing this registers them all."""

from . import core, dtrace, formats, genunix, hvm, kmem, kvm, print, symbols, typedef, whatis  # noqa: F401
