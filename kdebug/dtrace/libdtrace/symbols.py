"""What a consumer's programs declare: variables, aggregations and inlines (dt_idhash).

One :class:`Symbols` lives as long as the consumer's handle, so that every
program given with ``-n``/``-s`` sees the same globals and aggregations, as
in libdtrace.  Identifiers get small integer ids, which is all the IR (and
so the kernel) ever sees of a name.
"""

from __future__ import annotations

__all__ = ["Var", "Agg", "Symbols"]


class Var:
    """A D variable: ``scope`` is "global", "self" or "this"; ``assoc`` if it takes keys."""

    def __init__(self, name: str, scope: str, assoc: bool, id: int):
        self.name = name
        self.scope = scope
        self.assoc = assoc
        self.id = id
        self.type = None
        self.keys: list | None = None     # key types of an associative array
        self.declared = False

    @property
    def label(self) -> str:
        return {"global": "", "self": "self->", "this": "this->"}[self.scope] + self.name


class Agg:
    """An aggregation ``@name``: its function, arguments' parameters and key types."""

    def __init__(self, name: str, id: int):
        self.name = name
        self.id = id
        self.func: str | None = None
        self.params: list[int] = []        # lquantize/llquantize constants
        self.keys: list | None = None
        self.line = 0
        self.value_type = None


class Translator:
    """``translator OUT < IN PARAM > { member = expr; ... }``: how to make OUT from an IN."""

    def __init__(self, out, in_type, param: str, members: dict):
        self.out = out                  # the output struct or union (resolved)
        self.in_type = in_type
        self.param = param
        self.members = members          # member name -> ast expression over PARAM


class Symbols:
    def __init__(self):
        self.vars: dict[tuple[str, str], Var] = {}    # (scope, name) -> Var
        self.aggs: dict[str, Agg] = {}
        self.inlines: dict[str, object] = {}           # name -> ast.Inline (typed)
        self.translators: list[Translator] = []         # the D library's and the program's
        self._ids = {"global": 0, "self": 0, "this": 0}

    def var(self, scope: str, name: str) -> Var | None:
        return self.vars.get((scope, name))

    def declare(self, scope: str, name: str, assoc: bool) -> Var:
        v = Var(name, scope, assoc, self._ids[scope])
        self._ids[scope] += 1
        self.vars[(scope, name)] = v
        return v

    def agg(self, name: str) -> Agg:
        a = self.aggs.get(name)
        if a is None:
            a = self.aggs[name] = Agg(name, len(self.aggs))
        return a

    def in_scope(self, scope: str) -> list[Var]:
        return sorted((v for v in self.vars.values() if v.scope == scope), key=lambda v: v.id)
