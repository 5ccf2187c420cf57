"""kdebug: illumos kernel debugging (mdb, dtrace, vmadm) on a simulated SmartOS kernel."""

__version__ = "0.1.0"
