"""mdb, the illumos modular debugger, over the simulated kernel.

``kdebug mdb`` (:mod:`kdebug.mdb.cli`) opens a dump or the live host and
runs mdb's language (:mod:`kdebug.mdb.parser`, ``grammar/mdb.lark``) in a
session (:mod:`kdebug.mdb.session`); the dcmds and walkers are registered in
tables (:mod:`kdebug.mdb.registry`, :mod:`kdebug.mdb.dcmds`); all output goes
through mdb's printf engine (:mod:`kdebug.mdb.printf`).  The interactive
prompt (:mod:`kdebug.mdb.repl`) is the only part that uses prompt_toolkit.
"""
