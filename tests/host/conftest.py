"""Host tests share the daemon fixtures of tests/conftest.py."""
