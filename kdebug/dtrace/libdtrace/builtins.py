"""D's built-in variables (reference section 8) as the compiler sees them: name -> type.

The kernel side computes their values (``framework/builtins.py``); the
consumer only needs their types.  Kernel-typed ones (``curthread``) name a
C type that is looked up in the kernel's CTF when a program uses them.
"""

from __future__ import annotations

__all__ = ["BUILTIN_TYPES", "builtin_type"]

BUILTIN_TYPES: dict[str, str] = {
    **{f"arg{i}": "int64_t" for i in range(10)},
    "caller": "uintptr_t",
    "curthread": "kthread_t *",
    "cpu": "processorid_t",
    "epid": "uint_t",
    "errno": "int",
    "execname": "string",
    "id": "uint_t",
    "ipl": "uint_t",
    "pid": "pid_t",
    "ppid": "pid_t",
    "tid": "id_t",
    "uid": "uid_t",
    "gid": "gid_t",
    "probeprov": "string",
    "probemod": "string",
    "probefunc": "string",
    "probename": "string",
    "stackdepth": "uint32_t",
    "timestamp": "uint64_t",
    "vtimestamp": "uint64_t",
    "walltimestamp": "int64_t",
    "zonename": "string",
}


def builtin_type(env, name: str):
    """The type of built-in variable ``name`` (kernel types fetched on demand)."""
    spelled = BUILTIN_TYPES[name]
    base, _, stars = spelled.partition(" ")
    t = env.find(base)
    if t is None:
        return None
    from ...kernel import ctf
    for _ in stars.strip():
        t = ctf.Pointer(t)
    return t
