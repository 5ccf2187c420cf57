"""Shipped fixtures match what the code boots, and are found from an installed package."""

from kdebug.kernel import dump
from kdebug.kernel.boot import DEFAULT_HOST, boot
from kdebug.resources import fixture_names, fixture_path, grammar_path


def test_emy17_fixture_is_current():
    fresh = dump.dumps(boot(DEFAULT_HOST))
    assert fixture_path("emy-17.kdump").read_bytes() == fresh, \
        "fixtures/emy-17.kdump is stale: run scripts/make-fixtures.py"


def test_resources_are_found():
    assert "emy-17" in fixture_names()
    assert grammar_path("cdecl.lark").is_file()
