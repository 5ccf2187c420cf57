"""The host ("the machine"): the kernel, the userland around it, its clock, and how clients reach it."""
