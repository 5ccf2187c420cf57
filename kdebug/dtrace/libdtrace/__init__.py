"""The consumer library (libdtrace): the D compiler, the consumer loop and output formatting."""
