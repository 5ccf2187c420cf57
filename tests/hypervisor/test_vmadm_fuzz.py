"""Whatever the arguments or payload, vmadm answers with a status and text, never a traceback."""

from hypothesis import given, strategies as st

from kdebug.host.machine import Machine

from .util import KVM, TEST

_WORDS = ["list", "lookup", "get", "json", "start", "boot", "stop", "halt", "reboot", "info", "create", "update",
          "delete", "destroy", "-o", "-s", "-H", "-p", "-j", "-1", "-f", "-F", "uuid,alias", "-ram", "state=running",
          "alias=~^t", "brand=kvm", "nics.0.ip=10.88.88.50", "kvm", "all", "bogus", "ram=512", "autoboot=true",
          "alias=", "=", "", TEST, KVM, "00000000-0000-0000-0000-000000000000"]
_PAYLOADS = st.one_of(st.text(max_size=40), st.sampled_from(['{"brand": "kvm", "ram": 0}', '{"uuid": "x"}',
                                                            '{"brand": 3}', '{"ram": "1"}', "null", "[]", "{}",
                                                            '{"alias": "a", "brand": "joyent"}']))

machine = Machine()


@given(st.lists(st.sampled_from(_WORDS), max_size=5), _PAYLOADS)
def test_vmadm_never_crashes(argv, payload):
    r = machine.run(["vmadm", *argv], payload)
    assert r.rc in (0, 1, 2)
    assert "Traceback" not in r.stderr
