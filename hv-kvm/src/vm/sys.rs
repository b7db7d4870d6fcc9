//! Every unsafe operation of hv-kvm, each with why it is sound: the guest-memory region, the exit data
//! in the vCPU's `kvm_run` page (port data, MSR replies, MMIO reads), and the kick that takes a vCPU out of
//! `KVM_RUN` (a signal to its thread and `immediate_exit` in its `kvm_run`).
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, Once};

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
/// returns at once. Leaves `immediate_exit` set when the VM is stopping.
pub(crate) fn complete_exit(vcpu: &mut VcpuFd, registered: &Registered<'_>) -> Result<(), Error> {
    registered.set_immediate_exit(true);
    let result = vcpu.run().map(drop);
    if !registered.stopping() {
        registered.set_immediate_exit(false);
    }
    match result {
        Err(e) if e.errno() != EINTR => Err(Error::kvm("KVM_RUN (completing an exit)", e)),
        _ => Ok(()),
    }
}

/// A vCPU the kick reaches: its thread and its `kvm_run.immediate_exit`.
struct Target {
    thread: libc::pthread_t,
    immediate_exit: *const AtomicU8,
}

// SAFETY: a Target is only used under the Kick's lock, while its thread is registered: the thread id is
// live and the kvm_run page mapped (see `Kick::register`).
unsafe impl Send for Target {}

/// Takes every vCPU of a boot out of `KVM_RUN` for good (a reset, a failure, the end of the session),
/// whatever its guest is doing. A kick cannot be lost: it sets `stopping`, then each registered vCPU's
/// `immediate_exit` (seen if the thread has not entered `KVM_RUN` yet), then signals its thread (which
/// ends a `KVM_RUN` under way). A vCPU thread checks [`Kick::stopping`] before each `KVM_RUN`.
#[derive(Default)]
pub(crate) struct Kick {
    stopping: AtomicBool,
    targets: Mutex<Vec<(u32, Target)>>,
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
fn kick_signal() -> libc::c_int {
    static INSTALL: Once = Once::new();
    extern "C" fn ignore(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {}
    let signal = vmm_sys_util::signal::SIGRTMIN();
    INSTALL.call_once(|| {
        // Without a handler the signal would end the process. Registration fails only for an invalid
        // signal number, and SIGRTMIN is valid.
        let _ = vmm_sys_util::signal::register_signal_handler(signal, ignore);
    });
    signal
}

impl Kick {
    /// Whether the boot is stopping: no vCPU enters `KVM_RUN` again.
    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Registers the calling thread as VP `index`'s, running `vcpu`, until the guard drops (before the
    /// thread ends and before `vcpu` is dropped).
    pub(crate) fn register<'k>(&'k self, index: u32, vcpu: &mut VcpuFd) -> Registered<'k> {
        kick_signal();
        let immediate_exit = std::ptr::from_mut(&mut vcpu.get_kvm_run().immediate_exit);
        let target = Target {
            // SAFETY: pthread_self has no preconditions.
            thread: unsafe { libc::pthread_self() },
            // AtomicU8 has the size and alignment of u8.
            immediate_exit: immediate_exit.cast_const().cast::<AtomicU8>(),
        };
        let mut targets = self.targets.lock().unwrap_or_else(|e| e.into_inner());
        targets.push((index, target));
        drop(targets);
        Registered {
            kick: self,
            index,
            immediate_exit: immediate_exit.cast_const().cast::<AtomicU8>(),
        }
    }

    /// Stops every registered vCPU (see the type's docs).
    pub(crate) fn kick_all(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let targets = self.targets.lock().unwrap_or_else(|e| e.into_inner());
        let signal = kick_signal();
        for (_, target) in targets.iter() {
            // SAFETY: the target is registered, so its vCPU (and the kvm_run page holding this byte) is
            // alive; KVM reads the byte at KVM_RUN entry, and atomics make the cross-thread store defined.
            unsafe { &*target.immediate_exit }.store(1, Ordering::SeqCst);
            // SAFETY: the thread is registered, so it has not ended (it deregisters under this lock
            // before it returns); the handler of `signal` is installed.
            unsafe { libc::pthread_kill(target.thread, signal) };
        }
    }

    /// Lets the next boot's vCPUs run (every thread of the last one has ended).
    pub(crate) fn rearm(&self) {
        self.stopping.store(false, Ordering::SeqCst);
    }
}

/// A vCPU thread's registration with the [`Kick`]; dropping it deregisters the thread.
pub(crate) struct Registered<'k> {
    kick: &'k Kick,
    index: u32,
    immediate_exit: *const AtomicU8,
}

impl Registered<'_> {
    /// Whether the boot is stopping: the thread must not enter `KVM_RUN` again.
    pub(crate) fn stopping(&self) -> bool {
        self.kick.stopping()
    }

    fn set_immediate_exit(&self, value: bool) {
        // SAFETY: the registration borrows nothing from the vCPU, but it lives in the vCPU's thread, which
        // keeps the vCPU (and its kvm_run page) alive while registered; every write to this byte is atomic.
        unsafe { &*self.immediate_exit }.store(u8::from(value), Ordering::SeqCst);
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut targets = self.kick.targets.lock().unwrap_or_else(|e| e.into_inner());
        targets.retain(|(index, _)| *index != self.index);
    }
}
