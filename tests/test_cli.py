"""The kdebug command itself: version, help, and its subcommands' entry."""

import pytest

from kdebug import __version__
from kdebug.cli import SUBCOMMANDS
from tests.helpers import kdebug


def test_version():
    r = kdebug("--version")
    assert (r.returncode, r.stdout, r.stderr) == (0, f"kdebug {__version__}\n", "")


def test_help_lists_every_subcommand():
    r = kdebug("--help")
    assert r.returncode == 0 and r.stderr == ""
    for name in SUBCOMMANDS:
        assert f"\n  {name} " in r.stdout


def test_no_arguments_is_a_usage_error():
    r = kdebug()
    assert r.returncode == 2 and r.stdout == "" and r.stderr.startswith("usage: kdebug")


def test_unknown_command():
    r = kdebug("frobnicate")
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == "kdebug: unknown command 'frobnicate'"


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_subcommand_has_help(name):
    r = kdebug(name, "--help")
    assert r.returncode == 0, r.stderr
    assert name in r.stdout and r.stderr == ""
