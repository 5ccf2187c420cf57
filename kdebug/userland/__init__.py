"""Userland of the simulated host: vmadm, zoneadm, zoneadmd, the root shell and its commands."""
