"""Generic kernel lists (genunix list.c): ``list_t`` of objects linked by a ``list_node_t``.

A ``list_t`` records the size of its objects and the offset of their
``list_node_t``; its ``list_head`` is the sentinel of a circular
doubly-linked list.  These helpers work on memory directly, as the kernel's
list_*() functions do.

C types: ``list_t *`` (``list`` arguments), ``list_node_t`` inside objects.
"""

from __future__ import annotations

__all__ = ["list_create", "list_insert_tail", "list_insert_head", "list_remove", "list_walk",
           "list_is_empty"]

_SIZE, _OFFSET, _HEAD = 0, 8, 16   # struct list: list_size, list_offset, list_head
_NEXT, _PREV = 0, 8                # struct list_node: list_next, list_prev


def list_create(k, lst: int, size: int, offset: int) -> None:
    """Initialise the ``list_t`` at ``lst`` for objects of ``size`` linked at ``offset``."""
    mem = k.mem
    mem.write_u64(lst + _SIZE, size)
    mem.write_u64(lst + _OFFSET, offset)
    head = lst + _HEAD
    mem.write_u64(head + _NEXT, head)
    mem.write_u64(head + _PREV, head)


def _insert_after(k, node: int, new: int) -> None:
    mem = k.mem
    nxt = mem.read_u64(node + _NEXT)
    mem.write_u64(new + _NEXT, nxt)
    mem.write_u64(new + _PREV, node)
    mem.write_u64(nxt + _PREV, new)
    mem.write_u64(node + _NEXT, new)


def list_insert_tail(k, lst: int, obj: int) -> None:
    """Append the object at ``obj`` to the list."""
    head = lst + _HEAD
    _insert_after(k, k.mem.read_u64(head + _PREV), obj + k.mem.read_u64(lst + _OFFSET))


def list_insert_head(k, lst: int, obj: int) -> None:
    """Prepend the object at ``obj`` to the list."""
    _insert_after(k, lst + _HEAD, obj + k.mem.read_u64(lst + _OFFSET))


def list_remove(k, lst: int, obj: int) -> None:
    """Unlink the object at ``obj`` (its node is cleared, as list_remove does)."""
    mem = k.mem
    node = obj + mem.read_u64(lst + _OFFSET)
    nxt = mem.read_u64(node + _NEXT)
    prv = mem.read_u64(node + _PREV)
    mem.write_u64(prv + _NEXT, nxt)
    mem.write_u64(nxt + _PREV, prv)
    mem.write_u64(node + _NEXT, 0)
    mem.write_u64(node + _PREV, 0)


def list_walk(k, lst: int):
    """Addresses of the objects on the list, head to tail."""
    mem = k.mem
    off = mem.read_u64(lst + _OFFSET)
    head = lst + _HEAD
    node = mem.read_u64(head + _NEXT)
    seen = 0
    while node != head and node != 0:
        yield node - off
        node = mem.read_u64(node + _NEXT)
        seen += 1
        if seen > 10_000_000:
            raise RuntimeError(f"list at {lst:x} does not end")


def list_is_empty(k, lst: int) -> bool:
    head = lst + _HEAD
    return k.mem.read_u64(head + _NEXT) == head
