"""Shared fixtures: a booted default host (read-only use) and a fresh one (to change)."""

import os

import pytest
from hypothesis import settings

from kdebug.kernel.boot import boot

# Fuzz budgets: small in CI, as large as wanted by hand (make fuzz COUNT=...).
settings.register_profile("kdebug", max_examples=int(os.environ.get("KDEBUG_FUZZ_EXAMPLES", "100")),
                          deadline=None)
settings.load_profile("kdebug")


@pytest.fixture(scope="session")
def emy17():
    """The default host, booted once; tests must not change it."""
    return boot()


@pytest.fixture
def fresh_kernel():
    """A newly booted default host that a test may change."""
    return boot()
