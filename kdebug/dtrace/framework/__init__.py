"""The kernel side of DTrace: probes, providers, enablings, buffers (illumos uts/common/dtrace)."""
