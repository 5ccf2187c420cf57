"""User programs' text: the executables and libraries that user stacks run through.

A user stack frame prints as ``module`function+offset``, as ustack() does on
illumos (libproc looks the address up in the process's mappings).  Each
:class:`UserImage` lays its functions out from its base address in the
order listed, as the kernel's text is laid out (:mod:`kdebug.kernel.text`);
programs register their image under the path they are exec'd from.

Which image a process runs is found from its ``u_comm`` (the exec'd file's
name, cut to 16 characters), so a consumer can name frames from kernel
memory alone, for as long as the process lives.  Every process has
``libc.so.1`` too.
"""

from __future__ import annotations

__all__ = ["UserImage", "LIBC", "register", "image_for_comm", "images_for_comm", "frames", "lookup"]

_ALIGN = 0x10


class UserImage:
    """One executable or shared object: ``name`` as frames print it, text from ``base``."""

    def __init__(self, name: str, base: int, functions: list[tuple[str, int]]):
        self.name = name
        self.base = base
        self.funcs: dict[str, tuple[int, int]] = {}
        addr = base
        for fname, size in functions:
            self.funcs[fname] = (addr, size)
            addr = (addr + size + _ALIGN - 1) & ~(_ALIGN - 1)
        self.end = addr

    def pc(self, func: str, off: int = 0) -> int:
        return self.funcs[func][0] + off

    def lookup(self, pc: int) -> tuple[str, int] | None:
        """(function, offset) of ``pc`` in this image, or None."""
        if not self.base <= pc < self.end:
            return None
        for fname, (addr, size) in self.funcs.items():
            if addr <= pc < addr + size:
                return fname, pc - addr
        return None


# libc.so.1 of a 2018 SmartOS platform image, mapped high as amd64 libraries are.
LIBC = UserImage("libc.so.1", 0xfffffd7fff220000, [
    ("_lwp_start", 0x10), ("_thrp_setup", 0xb0), ("ioctl", 0x20), ("open", 0x20), ("close", 0x20),
    ("syscall", 0x40), ("__forkx", 0x30), ("execve", 0x20), ("_lwp_create", 0x30), ("setsid", 0x20),
    ("zone_create", 0x70), ("zone_boot", 0x30), ("zone_shutdown", 0x30), ("zone_destroy", 0x30),
    ("__lwp_park", 0x20), ("__pollsys", 0x20), ("_exit", 0x10), ("exit", 0x60), ("__door_return", 0x50),
])

_BY_PATH: dict[str, UserImage] = {}
_BY_COMM: dict[str, UserImage] = {}
_LIBS: dict[str, list[UserImage]] = {}


def register(path: str, image: UserImage, libs: tuple[UserImage, ...] = ()) -> UserImage:
    """``image`` is the program in the file ``path`` (linked with libc and ``libs``)."""
    comm = path.rsplit("/", 1)[-1][:16]
    _BY_PATH[path] = _BY_COMM[comm] = image
    _LIBS[image.name] = [image, *libs, LIBC]
    return image


# The modules whose programs register their images (a consumer that names frames may not have
# imported them: it only reads the host's kernel).
_PROGRAMS = ("kdebug.userland.guests", "kdebug.userland.zones")


def _load_programs() -> None:
    import importlib

    for name in _PROGRAMS:
        importlib.import_module(name)


def image_for_comm(comm: str) -> UserImage | None:
    return _BY_COMM.get(comm)


def images_for_comm(comm: str) -> list[UserImage]:
    """Every image mapped in a process named ``comm``: its program, its libraries, libc."""
    if comm not in _BY_COMM:
        _load_programs()
    image = _BY_COMM.get(comm)
    return _LIBS[image.name] if image is not None else [LIBC]


def frames(*spec: tuple[UserImage, str, int] | int) -> tuple[int, ...]:
    """A user stack, innermost first, from (image, function, offset) triples (or raw addresses)."""
    return tuple(s if isinstance(s, int) else s[0].pc(s[1], s[2]) for s in spec)


def lookup(comm: str, pc: int) -> str | None:
    """``module`function+0xoff`` for ``pc`` in a process named ``comm``, or None."""
    for image in images_for_comm(comm):
        found = image.lookup(pc)
        if found is not None:
            func, off = found
            return f"{image.name}`{func}+0x{off:x}" if off else f"{image.name}`{func}"
    return None
