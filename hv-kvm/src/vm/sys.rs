//! Every unsafe operation of hv-kvm, each with why it is sound: the guest-memory region, the exit data
//! in the vCPU's `kvm_run` page (port data, MSR replies, MMIO reads), and the kick that takes a vCPU out of
//! `KVM_RUN` (a signal to its thread). Only a vCPU's own thread touches its `kvm_run` page.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use kvm_bindings::{
    KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_X86_RDMSR, KVM_EXIT_X86_WRMSR,
    KVM_MSR_EXIT_REASON_FILTER, kvm_userspace_memory_region,
};
use kvm_ioctls::{VcpuExit, VcpuFd, VmFd};
use vm_memory::{GuestAddress, GuestMemoryBackend, GuestMemoryMmap};

use crate::Error;

/// What KVM reported, copied out of the exit so the vCPU can be queried before the exit is answered.
/// The exit's data stays in `kvm_run` until the vCPU runs again: [`io_data`], [`reply_msr`].
#[derive(Debug)]
pub(crate) enum Exit {
    /// `KVM_EXIT_IO`: `count` elements of `size` bytes.
    Io {
        port: u16,
        size: u8,
        count: u32,
        write: bool,
    },
    /// `KVM_EXIT_X86_RDMSR`; `filtered` when the MSR filter sent it (the only reason hv-kvm enables).
    Rdmsr {
        msr: u32,
        filtered: bool,
    },
    /// `KVM_EXIT_X86_WRMSR`.
    Wrmsr {
        msr: u32,
        value: u64,
        filtered: bool,
    },
    Hlt,
    Shutdown,
    /// `KVM_EXIT_MMIO` (no device backs any MMIO here).
    Mmio {
        write: bool,
    },
    /// `KVM_RUN` returned early: a signal, or `immediate_exit`.
    Interrupted,
    InternalError {
        suberror: u32,
    },
    Fatal(String),
}

const EINTR: i32 = 4;

/// Runs the vCPU to its next exit.
pub(crate) fn next_exit(vcpu: &mut VcpuFd) -> Result<Exit, Error> {
    Ok(match vcpu.run() {
        Ok(VcpuExit::IoOut(..) | VcpuExit::IoIn(..)) => {
            let io = io_exit(vcpu);
            Exit::Io {
                port: io.port,
                size: io.size,
                count: io.count,
                write: u32::from(io.direction) == kvm_bindings::KVM_EXIT_IO_OUT,
            }
        }
        Ok(VcpuExit::X86Rdmsr(e)) => Exit::Rdmsr {
            msr: e.index,
            filtered: e.reason.bits() == KVM_MSR_EXIT_REASON_FILTER,
        },
        Ok(VcpuExit::X86Wrmsr(e)) => Exit::Wrmsr {
            msr: e.index,
            value: e.data,
            filtered: e.reason.bits() == KVM_MSR_EXIT_REASON_FILTER,
        },
        Ok(VcpuExit::Hlt) => Exit::Hlt,
        Ok(VcpuExit::Shutdown) => Exit::Shutdown,
        Ok(VcpuExit::MmioRead(..)) => Exit::Mmio { write: false },
        Ok(VcpuExit::MmioWrite(..)) => Exit::Mmio { write: true },
        Ok(VcpuExit::Intr) => Exit::Interrupted,
        Ok(VcpuExit::FailEntry(reason, cpu)) => Exit::Fatal(format!("KVM_EXIT_FAIL_ENTRY {reason:#x} on CPU {cpu}")),
        Ok(VcpuExit::InternalError) => Exit::InternalError {
            suberror: internal_suberror(vcpu),
        },
        Ok(other) => Exit::Fatal(format!("an exit hv-kvm does not handle: {other:?}")),
        Err(e) if e.errno() == EINTR => Exit::Interrupted,
        Err(e) => return Err(Error::kvm("KVM_RUN", e)),
    })
}

/// `kvm_run.io` of the last exit; zeroed unless it was `KVM_EXIT_IO`.
fn io_exit(vcpu: &mut VcpuFd) -> kvm_bindings::kvm_run__bindgen_ty_1__bindgen_ty_4 {
    let run = vcpu.get_kvm_run();
    if run.exit_reason != KVM_EXIT_IO {
        return Default::default();
    }
    // SAFETY: exit_reason is KVM_EXIT_IO, so KVM filled the `io` member of the exit union.
    unsafe { run.__bindgen_anon_1.io }
}

/// The `count × size` data bytes of the last port-I/O exit, in the vCPU's `kvm_run` page: what an OUT
/// wrote, or what an IN will read when the vCPU runs again. Empty unless the last exit was port I/O.
pub(crate) fn io_data(vcpu: &mut VcpuFd) -> &mut [u8] {
    let io = io_exit(vcpu);
    let len = io.count as usize * usize::from(io.size);
    if len == 0 {
        return &mut [];
    }
    let run = vcpu.get_kvm_run();
    let base = (run as *mut kvm_bindings::kvm_run).cast::<u8>();
    // SAFETY: KVM places the data `data_offset` bytes into the vCPU's kvm_run mapping, which spans the
    // PIO page it points at; the offset is the kernel's, as kvm-ioctls trusts it in `VcpuFd::run`.
    let data = unsafe { base.add(io.data_offset as usize) };
    // SAFETY: `len` bytes from `data` lie in that mapping (KVM's PIO page holds `count × size`); the slice
    // borrows `vcpu` mutably, so it ends before the vCPU runs again or is borrowed otherwise.
    unsafe { std::slice::from_raw_parts_mut(data, len) }
}

/// Answers the last MSR exit: the value an RDMSR reads, or a #GP. Does nothing after any other exit.
pub(crate) fn reply_msr(vcpu: &mut VcpuFd, value: u64, fault: bool) {
    let run = vcpu.get_kvm_run();
    if run.exit_reason != KVM_EXIT_X86_RDMSR && run.exit_reason != KVM_EXIT_X86_WRMSR {
        return;
    }
    // SAFETY: exit_reason is an MSR exit, so `msr` is the live member of the exit union; KVM reads
    // `data` (for RDMSR) and `error` when the vCPU runs again.
    let msr = unsafe { &mut run.__bindgen_anon_1.msr };
    if run.exit_reason == KVM_EXIT_X86_RDMSR {
        msr.data = value;
    }
    msr.error = u8::from(fault);
}

/// Answers the last MMIO read with all-ones bytes, as a bus with nothing behind it reads.
pub(crate) fn fill_mmio_read(vcpu: &mut VcpuFd) {
    let run = vcpu.get_kvm_run();
    if run.exit_reason != KVM_EXIT_MMIO {
        return;
    }
    // SAFETY: exit_reason is KVM_EXIT_MMIO, so `mmio` is the live member of the exit union.
    let mmio = unsafe { &mut run.__bindgen_anon_1.mmio };
    let len = (mmio.len as usize).min(mmio.data.len());
    mmio.data[..len].fill(0xFF);
}

fn internal_suberror(vcpu: &mut VcpuFd) -> u32 {
    let run = vcpu.get_kvm_run();
    if run.exit_reason != KVM_EXIT_INTERNAL_ERROR {
        return 0;
    }
    // SAFETY: exit_reason is KVM_EXIT_INTERNAL_ERROR, so `internal` is the live member of the union.
    unsafe { run.__bindgen_anon_1.internal.suberror }
}

/// Gives the VM the guest's memory as slot 0 at GPA 0.
pub(crate) fn register_memory(vm: &VmFd, memory: &GuestMemoryMmap) -> Result<(), Error> {
    let size = memory.last_addr().0 + 1;
    let host = memory
        .get_host_address(GuestAddress(0))
        .map_err(|e| Error::Host(format!("guest memory: {e}")))?;
    let region = kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: size,
        userspace_addr: host as u64,
    };
    // SAFETY: `memory` maps `size` bytes at `host` contiguously (one region from GPA 0) and outlives the
    // VM: whoever calls this keeps the memory until the VM and its vCPUs are dropped. The region overlaps
    // no other (it is the only one).
    unsafe { vm.set_user_memory_region(region) }.map_err(|e| Error::kvm("KVM_SET_USER_MEMORY_REGION", e))
}

/// Completes the last exit without entering the guest: `KVM_RUN` with `immediate_exit`, which finishes a
/// pending port-I/O or MSR exit (skipping the instruction where KVM defers that to the completion) and
/// returns at once with EINTR.
pub(crate) fn complete_exit(vcpu: &mut VcpuFd) -> Result<(), Error> {
    vcpu.set_kvm_immediate_exit(1);
    let result = match vcpu.run() {
        Ok(VcpuExit::Intr) => Ok(()),
        Err(e) if e.errno() == EINTR => Ok(()),
        Err(e) => Err(Error::kvm("KVM_RUN (completing an exit)", e)),
        // A completion that needs userspace again: nothing hv-kvm completes does.
        Ok(other) => Err(Error::Guest(format!(
            "completing an exit made another one, which hv-kvm does not expect: {other:?}"
        ))),
    };
    vcpu.set_kvm_immediate_exit(0);
    result
}

/// Takes every vCPU thread of a boot out of `KVM_RUN` for good (a reset, a failure, a stop from the
/// host), whatever its guest is doing. A stop sets `stopping` and signals each registered thread, which
/// ends a `KVM_RUN` under way with EINTR; a thread checks `stopping` before each `KVM_RUN`. A signal that
/// lands between that check and the ioctl is spent before the thread enters the guest, so the boot's
/// supervising thread ([`Kick::supervise`]) signals again every millisecond until every vCPU thread has
/// ended. No thread but a vCPU's own touches its `kvm_run` page.
#[derive(Default)]
pub(crate) struct Kick {
    stopping: AtomicBool,
    threads: Mutex<Threads>,
    changed: Condvar,
}

/// The vCPU threads of a boot: how many have yet to end, and those that can be signalled.
#[derive(Default)]
struct Threads {
    live: usize,
    registered: Vec<(u32, libc::pthread_t)>,
}

impl std::fmt::Debug for Kick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kick")
            .field("stopping", &self.stopping())
            .finish_non_exhaustive()
    }
}

/// The kick's signal: the first real-time signal, with a handler that does nothing (it only interrupts
/// `KVM_RUN`, which returns EINTR). Installed once per process; hv-kvm's users should leave it alone.
fn kick_signal() -> Result<libc::c_int, Error> {
    static INSTALLED: OnceLock<Result<libc::c_int, String>> = OnceLock::new();
    extern "C" fn ignore(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {}
    INSTALLED
        .get_or_init(|| {
            let signal = vmm_sys_util::signal::SIGRTMIN();
            vmm_sys_util::signal::register_signal_handler(signal, ignore)
                .map(|()| signal)
                .map_err(|e| format!("installing the vCPU kick's handler of signal {signal}: {e}"))
        })
        .clone()
        .map_err(Error::Host)
}

impl Kick {
    fn threads(&self) -> MutexGuard<'_, Threads> {
        self.threads.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the boot is stopping: no vCPU enters `KVM_RUN` again.
    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// A new boot is about to start `threads` vCPU threads.
    pub(crate) fn start(&self, threads: usize) {
        self.stopping.store(false, Ordering::SeqCst);
        *self.threads() = Threads {
            live: threads,
            registered: Vec::new(),
        };
    }

    /// Registers the calling thread as VP `index`'s until the guard drops (before the thread ends), with
    /// the kick's signal unblocked (a thread may have inherited a mask that blocks it).
    pub(crate) fn register(&self, index: u32) -> Result<Registered<'_>, Error> {
        let signal = kick_signal().inspect_err(|_| self.gone())?;
        vmm_sys_util::signal::unblock_signal(signal).map_err(|e| {
            self.gone();
            Error::Host(format!("unblocking the vCPU kick's signal {signal}: {e}"))
        })?;
        // SAFETY: pthread_self has no preconditions.
        let thread = unsafe { libc::pthread_self() };
        self.threads().registered.push((index, thread));
        Ok(Registered { kick: self, index })
    }

    /// A vCPU thread that will not run (it did not start, or could not register) is no longer waited for.
    pub(crate) fn gone(&self) {
        let mut threads = self.threads();
        threads.live = threads.live.saturating_sub(1);
        self.changed.notify_all();
    }

    /// Stops every vCPU thread of the boot (see the type's docs).
    pub(crate) fn kick_all(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.signal(&self.threads());
        self.changed.notify_all();
    }

    fn signal(&self, threads: &Threads) {
        let Ok(signal) = kick_signal() else { return };
        for (_, thread) in &threads.registered {
            // SAFETY: a registered thread has not ended: it deregisters under this lock before it returns,
            // and the lock is held here. The signal's handler is installed (registration needed it).
            unsafe { libc::pthread_kill(*thread, signal) };
        }
    }

    /// Waits until every vCPU thread of the boot has ended, signalling the registered ones again every
    /// millisecond once the boot is stopping, so no kick is lost.
    pub(crate) fn supervise(&self) {
        let mut threads = self.threads();
        while threads.live > 0 {
            threads = if self.stopping() {
                self.signal(&threads);
                let (threads, _) = self
                    .changed
                    .wait_timeout(threads, Duration::from_millis(1))
                    .unwrap_or_else(|e| e.into_inner());
                threads
            } else {
                self.changed.wait(threads).unwrap_or_else(|e| e.into_inner())
            };
        }
    }
}

/// A vCPU thread's registration with the [`Kick`]; dropping it deregisters the thread. A thread that
/// unwinds from a panic stops the boot on its way out, so no other VP runs on unsupervised.
pub(crate) struct Registered<'k> {
    kick: &'k Kick,
    index: u32,
}

impl Registered<'_> {
    /// Whether the boot is stopping: the thread must not enter `KVM_RUN` again.
    pub(crate) fn stopping(&self) -> bool {
        self.kick.stopping()
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.kick.kick_all();
        }
        let mut threads = self.kick.threads();
        threads.registered.retain(|(index, _)| *index != self.index);
        threads.live = threads.live.saturating_sub(1);
        self.kick.changed.notify_all();
    }
}
