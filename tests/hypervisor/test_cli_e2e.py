"""``kdebug vmadm`` as a user runs it: a separate process talking to the host daemon of KDEBUG_HOME."""

from tests.helpers import kdebug

from .util import KVM, TEST


def test_kdebug_vmadm_through_the_daemon(tmp_path):
    home = tmp_path / "home"
    try:
        r = kdebug("vmadm", "list", home=home)
        assert (r.returncode, r.stderr) == (0, "")
        assert r.stdout.splitlines()[1:] == [f"{KVM}  KVM   1024     stopped           kvm-debian8",
                                             f"{TEST}  BHYV  2048     stopped           test"]
        r = kdebug("vmadm", "lookup", "-1", "alias=test", home=home)
        assert (r.returncode, r.stdout, r.stderr) == (0, TEST + "\n", "")
        r = kdebug("vmadm", "start", KVM, home=home)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", f"Successfully started VM {KVM}\n")
        r = kdebug("vmadm", "start", KVM, home=home)
        assert (r.returncode, r.stderr) == (0, f"VM {KVM} is already 'running'\n")
        r = kdebug("vmadm", "get", "not-a-uuid", home=home)
        assert r.returncode == 2 and r.stderr.startswith("Invalid or missing UUID for get\n")
        assert (home / "vmadm.sqlite").exists()
    finally:
        kdebug("host", "stop", home=home)
