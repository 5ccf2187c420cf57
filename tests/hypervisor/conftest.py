"""A host of our own for each test: an in-process Machine with its own state directory."""

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine


@pytest.fixture
def machine(tmp_path):
    m = Machine(state_dir=tmp_path)
    yield m
    m.close()


@pytest.fixture
def host(machine):
    return InProcessHost(machine)
