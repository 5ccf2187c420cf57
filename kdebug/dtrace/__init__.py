"""DTrace: the kernel-side framework (``framework/``) and the consumer (``libdtrace/``, ``cli.py``).

The two halves meet only at :mod:`kdebug.dtrace.framework.device`, whose
methods take and return plain data, so that the host daemon can put the
device behind its socket.
"""
