"""The default host, booted: the post's machine as CONVENTIONS.md describes it."""

from kdebug.kernel import cpu, dump, msgbuf, modctl, proc, thread, zone
from kdebug.kernel.boot import DEFAULT_HOST, boot
from kdebug.kernel.symbols import format_symbol


def test_identity(emy17):
    uts = emy17.var("utsname")
    assert uts.member("nodename").string() == "emy-17"
    assert uts.member("version").string() == "joyent_20180329T002644Z"
    assert uts.member("sysname").string() == "SunOS"
    assert emy17.var("kernelbase").value() == 0xfffffd8000000000
    assert emy17.var("physmem").value() * 4096 == 256 << 30


def test_eighty_cpus_on_both_rings(emy17):
    cpus = list(cpu.for_each_cpu(emy17))
    assert len(cpus) == 80 and len(set(cpus)) == 80
    assert cpus[0] == emy17.sym_addr("cpus")
    ids = [emy17.obj(c, "cpu_t").cpu_id for c in cpus]
    assert ids == list(range(80))
    c72 = emy17.obj(emy17.var("cpu")[72], "cpu_t")
    assert c72.cpu_id == 72 and c72.cpu_flags == 0x1b
    idle = emy17.obj(c72.cpu_thread, "kthread_t")
    assert idle.t_state == emy17.constants["TS_ONPROC"] and idle.t_bound_cpu == c72.addr


def test_global_zone(emy17):
    zones = list(zone.for_each_zone(emy17))
    assert zones == [emy17.sym_addr("zone0")]
    z = emy17.var("zone0")
    assert z.zone_name == 0xfffffffffbf3ff40
    assert z.member("zone_name").string() == "global"
    assert z.member("zone_rootpath").string() == "/"
    assert z.zone_status == emy17.constants["ZONE_IS_RUNNING"]
    assert emy17.obj(z.zone_brand, "brand_t").member("b_name").string() == "native"


def test_system_processes(emy17):
    procs = {proc.pid_of(emy17, p): p for p in proc.for_each_proc(emy17)}
    comm = {pid: emy17.obj(p, "proc_t").member("p_user").member("u_comm").string() for pid, p in procs.items()}
    assert comm[0] == "sched" and comm[1] == "init" and comm[2] == "pageout" and comm[3] == "fsflush"
    assert "svc.startd" in comm.values() and "sshd" in comm.values()
    # p0's children, newest first: the order mdb's proc walker shows.
    p0 = emy17.var("p0")
    kids = []
    c = p0.p_child
    while c:
        kids.append(proc.pid_of(emy17, c))
        c = emy17.obj(c, "proc_t").p_sibling
    assert kids[-3:] == [3, 2, 1]
    init = emy17.obj(procs[1], "proc_t")
    assert init.member("p_user").member("u_psargs").string() == "/sbin/init"
    assert init.p_ppid == 0 and init.p_zone == emy17.sym_addr("zone0")


def test_threads_and_their_stacks(emy17):
    threads = list(thread.for_each_thread(emy17))
    assert threads[0] == emy17.sym_addr("t0")
    assert len(threads) == emy17.var("nthread").value()
    taskq = [t for t in threads if emy17.obj(t, "kthread_t").t_startpc == emy17.sym_addr("taskq_thread")]
    frames = thread.stack_frames(emy17, taskq[0])
    text = [format_symbol(*emy17.symtab.lookup_addr(pc), bare_core=True) for _, pc in frames]
    assert text == ["_resume_from_idle+0xf4", "swtch+0x141", "cv_wait+0x70", "taskq_thread_wait+0xbe",
                    "taskq_thread+0x37c", "thread_start+0xb"]
    fps = [fp for fp, _ in frames]
    t = emy17.obj(taskq[0], "kthread_t")
    assert fps == sorted(fps) and t.t_stkbase <= fps[0] and fps[-1] < taskq[0]


def test_modules_loaded_at_boot(emy17):
    names = [emy17.obj(m, "struct modctl").member("mod_modname").string() for m in modctl.for_each_modctl(emy17)]
    assert names[:3] == ["unix", "krtld", "genunix"]
    assert "specfs" in names and "kvm" in names
    assert "vmm" not in names        # loaded by the first bhyve VM
    kvm = emy17.symtab.module("kvm")
    assert 0xfffffffff7800000 <= kvm.text < kvm.data < 0xfffffffffb800000   # the core heap


def test_boot_messages_in_the_log(emy17):
    lines = [msgbuf.message_text(emy17, m) for m in msgbuf.for_each_message(emy17)]
    assert lines[0] == "\rSunOS Release 5.11 Version joyent_20180329T002644Z 64-bit\n"
    assert "80 cpus available\n" in lines


def test_boot_is_deterministic():
    assert dump.dumps(boot(DEFAULT_HOST)) == dump.dumps(boot(DEFAULT_HOST))


def test_other_configurations_boot():
    k = boot(DEFAULT_HOST.__class__(hostname="lab-1", ncpus=4, physmem=8 << 30,
                                    platform="joyent_20180830T002644Z"))
    assert len(list(cpu.for_each_cpu(k))) == 4
    assert k.var("utsname").member("nodename").string() == "lab-1"
