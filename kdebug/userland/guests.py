"""The hypervisors' user processes: bhyve's ``zhyve`` and kvm's QEMU, each a zone's init.

Both run their guest in 10 ms slices on the machine's clock (a cyclic).
With hardware virtualisation a slice is one ``VM_RUN`` (bhyve) or
``KVM_RUN`` (kvm) ioctl from the vCPU lwp, in which the kernel handles the
guest's exits (counted in kernel memory: bhyve's vCPU ``stats``, kvm's
``vcpu->stat``).  QEMU without ``/dev/kvm`` falls back to software
emulation (TCG): the slice is spent translating in user mode, the guest
gets through a small fraction of the work, and the kernel sees nothing.

``guest_work`` counts the guest's progress (units of work done by its vCPU).

zhyve (bhyverun's do_open): ``vm_create`` opens ``/dev/vmmctl`` and issues
``VMM_CREATE_VM``; on failure it says ``vm_create: <strerror>`` on stderr and
exits 1, which halts the zone.
"""

from __future__ import annotations

from ..kernel import cyclic, kvm as kkvm, vmm as kvmm
from ..kernel.fork import EXECUTABLES
from ..kernel.vnode import O_EXCL, O_RDWR, close, ioctl, open as sys_open
from . import images
from .process import SyscallError, strerror

__all__ = ["Zhyve", "Qemu", "SLICE_NS", "HW_WORK", "TCG_WORK"]

SLICE_NS = 10_000_000            # a vCPU's slice
HW_WORK = 1000                   # guest work per slice, hardware virtualisation
TCG_WORK = 40                    # guest work per slice, QEMU's binary translation
HW_CPU_NS = 1_000_000            # host CPU per slice (an idle-ish guest halts between ticks)
ZHYVE_START_NS = 40_000_000      # zone boot -> zhyve's vm_create
QEMU_START_NS = 150_000_000      # zone boot -> /startvm -> qemu-exec -> QEMU opens /dev/kvm
VCPU_LWP = 1
QEMU = "/smartdc/bin/qemu-system-x86_64"
ZHYVE = "/usr/lib/brand/bhyve/zhyve"
EXECUTABLES.add(QEMU)

# The programs' text, for user stacks (ustack()): QEMU 0.14 as illumos-kvm-cmd builds it, and
# bhyve's zhyve with libvmmapi.
QEMU_IMAGE = images.register(QEMU, images.UserImage("qemu-system-x86_64", 0x400000, [
    ("_start", 0x80), ("main", 0x2200), ("main_loop", 0x200), ("tcg_exec_all", 0xa0), ("tcg_cpu_exec", 0x70),
    ("cpu_x86_exec", 0x1800), ("ap_main_loop", 0x140), ("kvm_main_loop_cpu", 0x60), ("kvm_cpu_exec", 0x50),
    ("kvm_run", 0x2a0), ("kvm_init", 0x2c0), ("kvm_create_vm", 0x80), ("kvm_create_vcpu", 0xa0),
]))
QEMU_CODE_GEN_BUFFER = 0xfffffd7fe5400000     # TCG's translated guest code: no symbol
LIBVMMAPI = images.UserImage("libvmmapi.so.1", 0xfffffd7fff100000, [
    ("vm_open", 0x60), ("vm_create", 0x90), ("vm_run", 0x50), ("vm_destroy", 0x40),
])
ZHYVE_IMAGE = images.register(ZHYVE, images.UserImage("zhyve", 0x400000, [
    ("_start", 0x80), ("main", 0xa00), ("bhyve_init_vcpu", 0x60), ("fbsdrun_start_thread", 0xb0),
    ("vm_loop", 0x1a0),
]), (LIBVMMAPI,))
_VCPU_THREAD = ((images.LIBC, "_thrp_setup", 0x8c), (images.LIBC, "_lwp_start", 0))
QEMU_KVM_RUN = images.frames((images.LIBC, "ioctl", 0xa), (QEMU_IMAGE, "kvm_run", 0x10c),
                             (QEMU_IMAGE, "kvm_cpu_exec", 0x2f), (QEMU_IMAGE, "kvm_main_loop_cpu", 0x1c),
                             (QEMU_IMAGE, "ap_main_loop", 0x10b), *_VCPU_THREAD)
QEMU_TCG = images.frames(QEMU_CODE_GEN_BUFFER + 0x3c4f0, (QEMU_IMAGE, "cpu_x86_exec", 0x53e),
                         (QEMU_IMAGE, "tcg_cpu_exec", 0x4e), (QEMU_IMAGE, "tcg_exec_all", 0x6c),
                         (QEMU_IMAGE, "main_loop", 0x14b), (QEMU_IMAGE, "main", 0x1e2c), (QEMU_IMAGE, "_start", 0x6c))
ZHYVE_VM_RUN = images.frames((images.LIBC, "ioctl", 0xa), (LIBVMMAPI, "vm_run", 0x2b),
                             (ZHYVE_IMAGE, "vm_loop", 0x6f), (ZHYVE_IMAGE, "fbsdrun_start_thread", 0x7a),
                             *_VCPU_THREAD)


class Guest:
    """A hypervisor process running one VM; ``zone`` is its zones.Zone, ``proc`` its Process."""

    def __init__(self, zone, proc):
        self.zone = zone
        self.proc = proc
        self.k = proc.k
        self.guest_work = 0
        self.slices = 0
        self.hardware = False
        self._timers: list[int] = []
        proc.on_exit.append(lambda p: self.stop())

    def stop(self) -> None:
        """The process is gone: no more slices."""
        for tid in self._timers:
            cyclic.cyclic_remove(self.k, tid)
        self._timers.clear()

    def _after(self, delay: int, fn) -> None:
        self._timers.append(cyclic.timeout(self.k, lambda k, cpu: fn(), delay))

    def _every(self, interval: int, fn) -> None:
        self._timers.append(cyclic.cyclic_add(self.k, lambda k, cpu: fn(), interval))


class Zhyve(Guest):
    """bhyve as a zone's init (``/usr/lib/brand/bhyve/zhyve``)."""

    def start(self) -> None:
        self._after(ZHYVE_START_NS, self._boot)

    @property
    def vm_name(self) -> str:
        return f"SYSbhyve-{self.zone.did}"

    def _vm_create(self) -> int:
        """libvmmapi vm_create(): 0 or an errno."""
        p = self.proc
        try:
            fd = p.syscall(sys_open, p.ustr("/dev/vmmctl"), O_RDWR | O_EXCL, 0)
        except SyscallError as e:
            return e.errno
        try:
            p.syscall(ioctl, fd, kvmm.VMM_CREATE_VM, p.ustr(self.vm_name))
            error = 0
        except SyscallError as e:
            error = e.errno
        p.syscall(close, fd)
        return error

    def _boot(self) -> None:
        error = self._vm_create()
        if error:
            self.zone.log("stderr", f"vm_create: {strerror(error)}\n")
            self.proc.exit(1)
            return
        p = self.proc
        self.vmfd = p.syscall(sys_open, p.ustr(f"/dev/vmm/{self.vm_name}"), O_RDWR, 0)
        self.hardware = True
        self._every(SLICE_NS, self._slice)

    def _slice(self) -> None:
        p = self.proc
        run_t = self.k.types.lookup("vmm`struct vm_run")
        vmrun = p.ualloc(run_t.size)
        p.syscall(ioctl, self.vmfd, kvmm.vm_run_ioctl(self.k), vmrun, lwp=VCPU_LWP, ustack=ZHYVE_VM_RUN)
        exitcode = self.k.obj(vmrun, run_t).member("vm_exit").exitcode
        if exitcode == kvmm.VM_EXITCODE_SUSPENDED:
            self.stop()
            self.proc.exit(0)
            return
        self.slices += 1
        self.guest_work += HW_WORK
        p.account(0, HW_CPU_NS, VCPU_LWP)


class Qemu(Guest):
    """QEMU 0.14 (illumos-kvm-cmd) as a kvm zone's init, by way of /startvm and qemu-exec."""

    def __init__(self, zone, proc, argv: list[str]):
        super().__init__(zone, proc)
        self.argv = argv

    def start(self) -> None:
        self._after(QEMU_START_NS, self._exec)

    def _exec(self) -> None:
        p = self.proc
        p.exec(self.argv[0], self.argv)
        self.zone.vm_log_start()
        try:
            self._kvm_init()
            self.hardware = True
        except SyscallError as e:
            self.zone.vm_log(f"Could not access KVM kernel module: {strerror(e.errno)}\n")
            self.zone.vm_log("Could not initialize KVM, will disable KVM support\n")
        self._every(SLICE_NS, self._slice)

    def _kvm_init(self) -> None:
        """kvm-all.c kvm_init(): /dev/kvm, the VM, and a vCPU on a cloned fd."""
        p = self.proc
        kvm_dev = p.ustr("/dev/kvm")
        self.vmfd = p.syscall(sys_open, kvm_dev, O_RDWR, 0)
        p.syscall(ioctl, self.vmfd, kkvm.KVM_GET_API_VERSION, 0)
        p.syscall(ioctl, self.vmfd, kkvm.KVM_CREATE_VM, 0)
        self.vcpufd = p.syscall(sys_open, p.ustr("/dev/kvm"), O_RDWR, 0)
        p.syscall(ioctl, self.vcpufd, kkvm.KVM_CLONE, self.vmfd)
        p.syscall(ioctl, self.vcpufd, kkvm.KVM_CREATE_VCPU, 0)

    def _slice(self) -> None:
        self.slices += 1
        if self.hardware:
            self.proc.syscall(ioctl, self.vcpufd, kkvm.KVM_RUN, 0, lwp=VCPU_LWP, ustack=QEMU_KVM_RUN)
            self.guest_work += HW_WORK
            self.proc.account(0, HW_CPU_NS, VCPU_LWP)
        else:
            self.guest_work += TCG_WORK
            self.proc.account(SLICE_NS, 0, VCPU_LWP, ustack=QEMU_TCG)

    def query_kvm(self) -> dict:
        """QMP ``query-kvm``."""
        return {"enabled": self.hardware, "present": True}
