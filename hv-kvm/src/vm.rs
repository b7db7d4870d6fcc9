//! The VMM: a KVM VM with the guest's memory, its vCPUs in long mode, and the exit loop that presents
//! Hyper-V and serves hypercalls with the reference dispatcher.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use hv_abi::synic::Message;
use hv_abi::{HvResult, HvStatus, HypercallInput, PartitionId, PartitionPrivileges};
use hv_model::debug_calls::{self, DebugAccess, Dispatch};
use hv_model::engine::{DebugHost, Engine, EventInterest, TraceOnly};
use hv_model::{DebugChannel, PartitionEvent, Registers};
use hv_x64::SegmentRegister;
use hv_x64::msr::SyntheticMsr;
use iced_x86::{Decoder, DecoderOptions, Mnemonic};
use kvm_bindings::{
    CpuId, KVM_CAP_SYNC_REGS, KVM_CAP_X86_MSR_FILTER, KVM_CAP_X86_USER_SPACE_MSR, KVM_MAX_CPUID_ENTRIES,
    KVM_MSR_EXIT_REASON_FILTER, KVM_MSR_EXIT_REASON_INVAL, KVM_MSR_EXIT_REASON_UNKNOWN, Msrs, kvm_cpuid_entry2,
    kvm_enable_cap, kvm_msr_entry, kvm_regs, kvm_segment, kvm_sregs, kvm_sync_regs, kvm_userspace_memory_region,
};
use kvm_ioctls::{Kvm, MsrFilterDefaultAction, MsrFilterRange, MsrFilterRangeFlags, SyncReg, VcpuExit, VcpuFd, VmFd};
use linux_loader::loader::{KernelLoader, elf::Elf};
use vm_memory::{Bytes, GuestAddress, GuestMemoryBackend, GuestMemoryMmap};

use crate::hyperv::{self, HYPERCALL_PORT, HYPERCALL_STUB, MsrWrite, STUB_RETURN, SyntheticMsrs};
use crate::intercept::{self, VpState};
use crate::layout;
use crate::paging::Paging;
use crate::{Config, Error, HostEnd, Record, Report};

/// The one partition this VMM runs.
pub(crate) const PARTITION: PartitionId = PartitionId(1);

/// A port whose write of a value with bit 2 set resets the VM (the PC reset-control register).
const RESET_PORT: u16 = 0xCF9;

/// Everything the vCPUs share, behind one lock: the debug channel and its host end, the synthetic MSRs,
/// the debugger engine and the transcript.
struct Shared {
    debug: DebugEnd,
    msrs: SyntheticMsrs,
    engine: Engine,
    host: Box<dyn HostEnd>,
    records: Vec<Record>,
    /// VPs halted for good.
    halted: u32,
    /// Set by the VP that reset the VM or by the engine ending the session: every VP stops.
    stop: Option<Stop>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Reboot,
    Failed,
}

/// The partition's side of the debug channel, as the engine sees it ([`DebugHost`]).
struct DebugEnd {
    channel: DebugChannel,
    access: DebugAccess,
    terminated: bool,
}

impl DebugHost for DebugEnd {
    fn channel_usable(&self, partition: PartitionId) -> HvResult<()> {
        if partition != PARTITION {
            return HvStatus::INVALID_PARTITION_ID.result();
        }
        if self.terminated {
            return HvStatus::INVALID_PARTITION_STATE.result();
        }
        self.access.check()
    }

    fn deliver(&mut self, partition: PartitionId, data: &[u8]) -> HvResult<usize> {
        self.channel_usable(partition)?;
        Ok(data.len() - self.channel.deliver(data))
    }

    fn receive(&mut self, partition: PartitionId, buf: &mut [u8]) -> HvResult<usize> {
        if partition != PARTITION {
            return HvStatus::INVALID_PARTITION_ID.result().map(|()| 0);
        }
        Ok(self.channel.receive(buf))
    }

    fn terminate(&mut self, partition: PartitionId) -> HvResult<PartitionEvent> {
        self.channel_usable(partition).or_else(|e| {
            if e.status() == HvStatus::INVALID_PARTITION_ID {
                Err(e)
            } else {
                Ok(())
            }
        })?;
        self.terminated = true;
        Ok(PartitionEvent::Terminated(PARTITION))
    }
}

/// Runs `elf` on a new KVM VM until every VP halts for good, the engine ends the session, or an error;
/// the report holds the transcript and the engine's notifications.
pub(crate) fn run(config: &Config, elf: &[u8], host: Box<dyn HostEnd>) -> Result<Report, Error> {
    let kvm = crate::open_kvm()?;
    let vm = kvm.create_vm().map_err(|e| Error::kvm("KVM_CREATE_VM", e))?;
    let memory = guest_memory(&vm, config)?;
    enable_msr_exits(&vm, config)?;
    let cpuid = cpuid(&kvm, config)?;
    let access = DebugAccess {
        debugging_enabled: true,
        privileges: config.privileges,
        channel_id: config.channel_id,
        channel_shared: false,
    };
    let channel = DebugChannel::new(config.buffer_size, config.buffer_size).map_err(Error::Model)?;
    let mut engine = Engine::new();
    engine
        .register_callbacks(Box::new(TraceOnly(EventInterest::SESSION_STATUS)))
        .map_err(|e| Error::Engine(format!("{e:?}")))?;
    let debug = DebugEnd {
        channel,
        access,
        terminated: false,
    };
    engine
        .attach(&debug, PARTITION)
        .map_err(|e| Error::Engine(e.to_string()))?;
    let shared = Mutex::new(Shared {
        debug,
        msrs: SyntheticMsrs::default(),
        engine,
        host,
        records: Vec::new(),
        halted: 0,
        stop: None,
    });
    // CPUID is set once: KVM refuses to change it after a vCPU has run, and a reboot keeps it.
    let vcpus = (0..config.vcpus)
        .map(|i| {
            let mut vcpu = vm
                .create_vcpu(u64::from(i))
                .map_err(|e| Error::kvm("KVM_CREATE_VCPU", e))?;
            vcpu.set_cpuid2(&cpuid).map_err(|e| Error::kvm("KVM_SET_CPUID2", e))?;
            // KVM copies the registers into kvm_run at every exit: a hypercall needs no ioctl to read
            // them, and RAX goes back the same way.
            vcpu.set_sync_valid_reg(SyncReg::Register);
            vcpu.set_sync_valid_reg(SyncReg::SystemRegister);
            Ok(vcpu)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let clock = Instant::now();
    let mut boots = 0;
    let mut vcpus = vcpus;
    loop {
        let entry = load(&memory, elf, config)?;
        let reboot_flag = if boots > 0 { 0x100 } else { 0 };
        for (i, vcpu) in vcpus.iter_mut().enumerate() {
            set_up_vcpu(vcpu, entry, i as u32, config.boot_word | reboot_flag)?;
        }
        let results: Vec<Result<(), Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = vcpus
                .iter_mut()
                .enumerate()
                .map(|(i, vcpu)| {
                    let (shared, memory) = (&shared, &memory);
                    s.spawn(move || run_vcpu(vcpu, i as u32, shared, memory, clock, config))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or(Err(Error::Guest("a vCPU thread panicked".to_owned())))
                })
                .collect()
        });
        results.into_iter().collect::<Result<(), Error>>()?;
        let mut s = shared
            .lock()
            .map_err(|_| Error::Guest("a vCPU thread panicked".to_owned()))?;
        match s.stop {
            Some(Stop::Reboot) if boots < config.max_reboots => {
                boots += 1;
                s.debug.channel.purge();
                s.msrs = SyntheticMsrs::default();
                s.halted = 0;
                s.stop = None;
                s.records.push(Record::Reboot);
                let Shared { engine, debug, .. } = &mut *s;
                engine.on_event(debug, &PartitionEvent::Reset(PARTITION));
                drop(s);
                clear(&memory)?;
            }
            Some(Stop::Reboot) => {
                return Err(Error::Guest(format!(
                    "the guest reset the VM again after {boots} reboots (the limit)"
                )));
            }
            Some(Stop::Failed) => return Err(Error::Guest("a VP failed".to_owned())),
            None => {
                if !s.debug.terminated {
                    let Shared { engine, debug, .. } = &mut *s;
                    engine.on_event(debug, &PartitionEvent::RanToCompletion(PARTITION));
                }
                let statuses = s.engine.trace().to_vec();
                let (incoming, outgoing) = (s.debug.channel.incoming(), s.debug.channel.outgoing());
                return Ok(Report {
                    records: std::mem::take(&mut s.records),
                    engine: statuses,
                    incoming,
                    outgoing,
                });
            }
        }
    }
}

pub(crate) fn guest_memory(vm: &VmFd, config: &Config) -> Result<GuestMemoryMmap, Error> {
    let size = config.memory_size;
    if !(2 * layout::IMAGE_START..=layout::MAX_MEMORY).contains(&size) {
        return Err(Error::Config(format!(
            "memory_size {size:#x}: between {:#x} and {:#x} bytes",
            2 * layout::IMAGE_START,
            layout::MAX_MEMORY
        )));
    }
    let memory: GuestMemoryMmap = GuestMemoryMmap::from_ranges(&[(GuestAddress(0), size as usize)])
        .map_err(|e| Error::Host(format!("cannot map {size:#x} bytes of guest memory: {e}")))?;
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
    // SAFETY: `memory` maps `size` bytes at `host` and outlives the VM: `run` keeps it until the vCPUs
    // and the VM are dropped. The region overlaps no other (it is the only one).
    #[allow(unsafe_code)]
    unsafe { vm.set_user_memory_region(region) }.map_err(|e| Error::kvm("KVM_SET_USER_MEMORY_REGION", e))?;
    vm.set_tss_address(0xFFFB_D000)
        .map_err(|e| Error::kvm("KVM_SET_TSS_ADDR", e))?;
    Ok(memory)
}

/// Guest accesses to the synthetic MSRs and to `config.intercepted_msrs` exit to this VMM.
pub(crate) fn enable_msr_exits(vm: &VmFd, config: &Config) -> Result<(), Error> {
    let reasons = KVM_MSR_EXIT_REASON_FILTER | KVM_MSR_EXIT_REASON_UNKNOWN | KVM_MSR_EXIT_REASON_INVAL;
    let cap = kvm_enable_cap {
        cap: KVM_CAP_X86_USER_SPACE_MSR,
        args: [u64::from(reasons), 0, 0, 0],
        ..Default::default()
    };
    vm.enable_cap(&cap)
        .map_err(|e| Error::kvm("KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)", e))?;
    let deny = [0u8; 64];
    let both = MsrFilterRangeFlags::READ | MsrFilterRangeFlags::WRITE;
    let mut ranges = vec![
        MsrFilterRange {
            flags: both,
            base: 0x4000_0000,
            msr_count: 512,
            bitmap: &deny,
        },
        MsrFilterRange {
            flags: both,
            base: 0x4000_1000,
            msr_count: 256,
            bitmap: &deny,
        },
    ];
    for &msr in &config.intercepted_msrs {
        ranges.push(MsrFilterRange {
            flags: both,
            base: msr,
            msr_count: 1,
            bitmap: &deny,
        });
    }
    vm.set_msr_filter(MsrFilterDefaultAction::ALLOW, &ranges)
        .map_err(|e| Error::kvm("KVM_X86_SET_MSR_FILTER", e))
}

/// What KVM supports, with leaf 1 saying "hypervisor present" and the hypervisor leaves replaced by
/// Hyper-V's.
pub(crate) fn cpuid(kvm: &Kvm, config: &Config) -> Result<CpuId, Error> {
    let supported = kvm
        .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
        .map_err(|e| Error::kvm("KVM_GET_SUPPORTED_CPUID", e))?;
    let mut entries: Vec<kvm_cpuid_entry2> = supported
        .as_slice()
        .iter()
        .filter(|e| !(0x4000_0000..0x4001_0000).contains(&e.function))
        .copied()
        .collect();
    for e in &mut entries {
        if e.function == 1 {
            e.ecx |= 1 << 31;
        }
    }
    for (leaf, r) in hyperv::cpuid_leaves(config.privileges, config.vcpus) {
        entries.push(kvm_cpuid_entry2 {
            function: leaf.into_bits(),
            eax: r.eax,
            ebx: r.ebx,
            ecx: r.ecx,
            edx: r.edx,
            ..Default::default()
        });
    }
    CpuId::from_entries(&entries).map_err(|e| Error::Host(format!("CPUID table: {e:?}")))
}

/// Writes the page tables and GDT and loads the ELF; returns the entry point.
pub(crate) fn load(memory: &GuestMemoryMmap, elf: &[u8], config: &Config) -> Result<u64, Error> {
    let tables = layout::boot_tables(config.memory_size)
        .ok_or_else(|| Error::Config("memory_size exceeds what the identity map covers".to_owned()))?;
    for (gpa, value) in tables {
        memory
            .write_obj(value, GuestAddress(gpa))
            .map_err(|e| Error::Host(format!("boot tables at {gpa:#x}: {e}")))?;
    }
    let mut image = std::io::Cursor::new(elf);
    let loaded = Elf::load(memory, None, &mut image, Some(GuestAddress(layout::IMAGE_START)))
        .map_err(|e| Error::Guest(format!("the guest ELF does not load: {e}")))?;
    Ok(loaded.kernel_load.0)
}

/// Zeroes guest memory for a reboot, as a reset leaves RAM undefined and a fresh boot expects zeroed BSS.
fn clear(memory: &GuestMemoryMmap) -> Result<(), Error> {
    let zeros = vec![0u8; 1 << 20];
    let size = memory.last_addr().0 + 1;
    let mut at = 0;
    while at < size {
        let n = zeros.len().min((size - at) as usize);
        memory
            .write_slice(&zeros[..n], GuestAddress(at))
            .map_err(|e| Error::Host(format!("clearing guest memory: {e}")))?;
        at += n as u64;
    }
    Ok(())
}

pub(crate) fn set_up_vcpu(vcpu: &mut VcpuFd, entry: u64, index: u32, boot_word: u64) -> Result<(), Error> {
    // A result left unconsumed by a run that stopped must not overwrite the new registers.
    vcpu.clear_sync_dirty_reg(SyncReg::Register);
    let mut sregs = vcpu.get_sregs().map_err(|e| Error::kvm("KVM_GET_SREGS", e))?;
    let code = kvm_segment {
        base: 0,
        limit: 0xFFFF_FFFF,
        selector: layout::CODE_SELECTOR,
        type_: 0xB,
        present: 1,
        dpl: 0,
        db: 0,
        s: 1,
        l: 1,
        g: 1,
        avl: 0,
        unusable: 0,
        padding: 0,
    };
    let data = kvm_segment {
        selector: layout::DATA_SELECTOR,
        type_: 0x3,
        db: 1,
        l: 0,
        ..code
    };
    (sregs.cs, sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss) = (code, data, data, data, data, data);
    sregs.gdt.base = layout::GDT;
    sregs.gdt.limit = (8 * layout::GDT_ENTRIES.len() - 1) as u16;
    sregs.idt = Default::default();
    sregs.cr3 = layout::PML4;
    sregs.cr4 = 1 << 5; // PAE
    sregs.cr0 = 1 | 1 << 1 | 1 << 4 | 1 << 5 | 1 << 16 | 1 << 31; // PE MP ET NE WP PG
    sregs.efer = 1 << 8 | 1 << 10; // LME LMA
    vcpu.set_sregs(&sregs).map_err(|e| Error::kvm("KVM_SET_SREGS", e))?;
    let regs = kvm_regs {
        rip: entry,
        rsp: layout::stack_pointer(index),
        rdi: boot_word,
        rflags: 0x2,
        ..Default::default()
    };
    vcpu.set_regs(&regs).map_err(|e| Error::kvm("KVM_SET_REGS", e))?;
    vcpu.set_vcpu_events(&Default::default())
        .map_err(|e| Error::kvm("KVM_SET_VCPU_EVENTS", e))
}

/// How one exit ends for the VP.
enum Next {
    Run,
    Halted,
    Stop,
}

/// What KVM reported, copied out of the exit so the vCPU can be queried again.
pub(crate) enum Exit {
    Out { port: u16, data: [u8; 4], size: u8 },
    In { port: u16, size: u8, data: *mut u8 },
    Rdmsr { msr: u32, data: *mut u64, error: *mut u8 },
    Wrmsr { msr: u32, value: u64, error: *mut u8 },
    Hlt,
    Shutdown,
    MmioRead { data: *mut u8, len: usize },
    Ignored,
    InternalError,
    Fatal(String),
}

fn run_vcpu(
    vcpu: &mut VcpuFd,
    index: u32,
    shared: &Mutex<Shared>,
    memory: &GuestMemoryMmap,
    clock: Instant,
    config: &Config,
) -> Result<(), Error> {
    let mut memory = memory.clone();
    loop {
        {
            let s = lock(shared)?;
            if s.stop.is_some() || s.debug.terminated {
                return Ok(());
            }
        }
        let exit = next_exit(vcpu)?;
        let next = handle(vcpu, index, exit, shared, &mut memory, clock, config)?;
        match next {
            Next::Run => {}
            Next::Halted => {
                let mut s = lock(shared)?;
                s.halted += 1;
                return Ok(());
            }
            Next::Stop => return Ok(()),
        }
    }
}

/// Runs the vCPU to its next exit and copies out what the exit reported, so the vCPU can be queried
/// again before the exit is answered.
pub(crate) fn next_exit(vcpu: &mut VcpuFd) -> Result<Exit, Error> {
    Ok(match vcpu.run() {
        Ok(VcpuExit::IoOut(port, data)) => {
            let mut bytes = [0u8; 4];
            let size = data.len().min(4);
            bytes[..size].copy_from_slice(&data[..size]);
            Exit::Out {
                port,
                data: bytes,
                size: size as u8,
            }
        }
        Ok(VcpuExit::IoIn(port, data)) => Exit::In {
            port,
            size: data.len().min(4) as u8,
            data: data.as_mut_ptr(),
        },
        Ok(VcpuExit::X86Rdmsr(e)) => Exit::Rdmsr {
            msr: e.index,
            data: e.data,
            error: e.error,
        },
        Ok(VcpuExit::X86Wrmsr(e)) => Exit::Wrmsr {
            msr: e.index,
            value: e.data,
            error: e.error,
        },
        Ok(VcpuExit::Hlt) => Exit::Hlt,
        Ok(VcpuExit::Shutdown) => Exit::Shutdown,
        Ok(VcpuExit::MmioRead(_, data)) => Exit::MmioRead {
            data: data.as_mut_ptr(),
            len: data.len(),
        },
        Ok(VcpuExit::MmioWrite(..) | VcpuExit::Intr) => Exit::Ignored,
        Ok(VcpuExit::FailEntry(reason, cpu)) => Exit::Fatal(format!("KVM_EXIT_FAIL_ENTRY {reason:#x} on CPU {cpu}")),
        Ok(VcpuExit::InternalError) => Exit::InternalError,
        Ok(other) => Exit::Fatal(format!("an exit hv-kvm does not handle: {other:?}")),
        Err(e) if e.errno() == libc_eintr() => Exit::Ignored,
        Err(e) => return Err(Error::kvm("KVM_RUN", e)),
    })
}

/// Answers an RDMSR exit: the value, or a #GP.
pub(crate) fn reply_rdmsr(data: *mut u64, error: *mut u8, value: u64, fault: bool) {
    // SAFETY: `data` and `error` point into the vCPU's mapped kvm_run page for this RDMSR exit (from
    // `next_exit`); the page lives as long as the vCPU, and KVM reads them when the vCPU runs again.
    #[allow(unsafe_code)]
    unsafe {
        *data = value;
        *error = u8::from(fault);
    }
}

/// Answers a WRMSR exit: done, or a #GP.
pub(crate) fn reply_wrmsr(error: *mut u8, fault: bool) {
    // SAFETY: as for `reply_rdmsr`: `error` points into the vCPU's kvm_run page for this exit.
    #[allow(unsafe_code)]
    unsafe {
        *error = u8::from(fault);
    }
}

const fn libc_eintr() -> i32 {
    4
}

fn lock(shared: &Mutex<Shared>) -> Result<std::sync::MutexGuard<'_, Shared>, Error> {
    shared
        .lock()
        .map_err(|_| Error::Guest("a vCPU thread panicked".to_owned()))
}

fn handle(
    vcpu: &mut VcpuFd,
    index: u32,
    exit: Exit,
    shared: &Mutex<Shared>,
    memory: &mut GuestMemoryMmap,
    clock: Instant,
    config: &Config,
) -> Result<Next, Error> {
    match exit {
        Exit::Out { port, .. } if config.quiet_ports.contains(&port) => Ok(Next::Run),
        Exit::Out {
            port: HYPERCALL_PORT,
            size: 1,
            ..
        } => {
            let sync = vcpu.sync_regs();
            let page = lock(shared)?.msrs.hypercall_page();
            if at_hypercall_stub(page, &sync, memory) {
                hypercall(vcpu, sync.regs, index, shared, memory, clock, config)?;
            } else {
                let state = vp_state(vcpu, index, memory, Located::Before(Access::Out))?;
                record_intercept(shared, intercept::io_port(&state, HYPERCALL_PORT, 1, true), state)?;
            }
            Ok(Next::Run)
        }
        Exit::Out { port, data, .. } if config.marker_ports.contains(&port) => {
            let at = clock.elapsed();
            lock(shared)?.records.push(Record::Marker {
                vp: index,
                port,
                value: data[0],
                at,
            });
            Ok(Next::Run)
        }
        Exit::Out {
            port: RESET_PORT, data, ..
        } if data[0] & 0b100 != 0 => {
            lock(shared)?.stop = Some(Stop::Reboot);
            Ok(Next::Stop)
        }
        Exit::Out { port, size, .. } => {
            let state = vp_state(vcpu, index, memory, Located::Before(Access::Out))?;
            let message = intercept::io_port(&state, port, size, true);
            record_intercept(shared, message, state)?;
            Ok(Next::Run)
        }
        Exit::In { port, size, data } => {
            // SAFETY: `data` points at the `size` bytes of the vCPU's mapped kvm_run page that KVM gave for
            // this IN; the page lives as long as `vcpu`, and KVM reads them when the vCPU runs again.
            #[allow(unsafe_code)]
            unsafe {
                std::ptr::write_bytes(data, 0xFF, usize::from(size));
            }
            let state = vp_state(vcpu, index, memory, Located::Before(Access::In))?;
            record_intercept(shared, intercept::io_port(&state, port, size, false), state)?;
            Ok(Next::Run)
        }
        Exit::Rdmsr { msr, data, error } => {
            let (value, fault) = rdmsr(vcpu, index, msr, shared, memory)?;
            reply_rdmsr(data, error, value, fault);
            Ok(Next::Run)
        }
        Exit::Wrmsr { msr, value, error } => {
            let fault = wrmsr(vcpu, index, msr, value, shared, memory)?;
            reply_wrmsr(error, fault);
            Ok(Next::Run)
        }
        Exit::Hlt => {
            let state = vp_state(vcpu, index, memory, Located::Before(Access::Hlt))?;
            record_intercept(shared, intercept::halt(&state), state)?;
            let mut s = lock(shared)?;
            s.records.push(Record::Halted { vp: index });
            // Without an interrupt controller nothing can wake a halted VP: it has stopped for good.
            Ok(Next::Halted)
        }
        Exit::Shutdown => {
            lock(shared)?.stop = Some(Stop::Reboot);
            Ok(Next::Stop)
        }
        Exit::MmioRead { data, len } => {
            // SAFETY: `data` points at the `len` bytes of the kvm_run page KVM gave for this MMIO read.
            #[allow(unsafe_code)]
            unsafe {
                std::ptr::write_bytes(data, 0xFF, len.min(8));
            }
            Ok(Next::Run)
        }
        Exit::Ignored => Ok(Next::Run),
        Exit::InternalError => {
            let run = vcpu.get_kvm_run();
            // SAFETY: KVM_EXIT_INTERNAL_ERROR fills the `internal` member of kvm_run's exit union, and
            // this reads it before the vCPU runs again.
            #[allow(unsafe_code)]
            let suberror = unsafe { run.__bindgen_anon_1.internal.suberror };
            lock(shared)?.stop = Some(Stop::Failed);
            Err(Error::Guest(format!(
                "VP {index}: KVM_EXIT_INTERNAL_ERROR, suberror {suberror} (1 emulation, 2 simultaneous exceptions, 3 event delivery)"
            )))
        }
        Exit::Fatal(why) => {
            lock(shared)?.stop = Some(Stop::Failed);
            Err(Error::Guest(format!("VP {index}: {why}")))
        }
    }
}

/// The port write came from the stub of the enabled hypercall page at `page`: RIP (already past the
/// write) is the stub's `ret`, found by walking the guest's page tables in the registers KVM synced at the
/// exit (no ioctl).
pub(crate) fn at_hypercall_stub(page: Option<u64>, sync: &kvm_sync_regs, memory: &GuestMemoryMmap) -> bool {
    page.is_some_and(|page| paging(&sync.sregs).translate(memory, sync.regs.rip) == Some(page + STUB_RETURN))
}

/// WRMSR of a synthetic MSR: the TLFS rules of [`SyntheticMsrs::write`], and the hypercall page's stub
/// written where the guest enabled it. `None` is a #GP.
pub(crate) fn write_synthetic_msr(
    msrs: &mut SyntheticMsrs,
    memory: &GuestMemoryMmap,
    msr: SyntheticMsr,
    value: u64,
    privileges: PartitionPrivileges,
) -> Result<Option<MsrWrite>, Error> {
    let outcome = msrs.write(msr, value, privileges);
    if let Some(MsrWrite::FillHypercallPage(gpa)) = outcome {
        memory
            .write_slice(&HYPERCALL_STUB, GuestAddress(gpa))
            .map_err(|e| Error::Guest(format!("the hypercall page at {gpa:#x} is not guest memory: {e}")))?;
    }
    Ok(outcome)
}

pub(crate) fn paging(sregs: &kvm_sregs) -> Paging {
    Paging {
        cr0: sregs.cr0,
        cr3: sregs.cr3,
        cr4: sregs.cr4,
        efer: sregs.efer,
    }
}

/// Serves one hypercall: RCX, RDX, R8 in, RAX out; a suspended retrieve waits here (the host end's
/// answer is delivered then), until data arrives or its deadline passes.
fn hypercall(
    vcpu: &mut VcpuFd,
    mut regs: kvm_regs,
    index: u32,
    shared: &Mutex<Shared>,
    memory: &mut GuestMemoryMmap,
    clock: Instant,
    config: &Config,
) -> Result<(), Error> {
    let call = Registers {
        rcx: regs.rcx,
        rdx: regs.rdx,
        r8: regs.r8,
    };
    let now = || clock.elapsed().as_nanos() as u64 / 100;
    let mut s = lock(shared)?;
    let Shared { debug, .. } = &mut *s;
    let mut result = debug_calls::dispatch(call, &debug.access, &mut debug.channel, memory, now());
    let mut waited = None;
    if let Dispatch::Suspended { deadline } = result {
        let started = Instant::now();
        // The host may answer while the guest waits.
        let reply = s.host.on_wait();
        send(&mut s, reply);
        loop {
            let Shared { debug, .. } = &mut *s;
            result = debug_calls::resume(call, deadline, &debug.access, &mut debug.channel, memory, now());
            if !matches!(result, Dispatch::Suspended { .. }) {
                break;
            }
            if now() >= deadline {
                result = Dispatch::Complete(Dispatch::timed_out());
                break;
            }
            drop(s);
            std::thread::sleep(Duration::from_millis(1));
            s = lock(shared)?;
        }
        waited = Some(started.elapsed());
    }
    let output = match result {
        Dispatch::Complete(out) => out,
        Dispatch::Suspended { .. } => Dispatch::timed_out(),
    };
    if config.transcript {
        s.records.push(Record::Hypercall {
            vp: index,
            input: HypercallInput::from_bits(call.rcx),
            rdx: call.rdx,
            r8: call.r8,
            output,
            waited,
        });
    }
    // The engine reads what the guest posted, and the host end may answer. Most calls post nothing:
    // they skip the read and its buffer.
    if s.debug.channel.outgoing().pending > 0 {
        let mut posted = [0u8; 4096];
        let Shared { engine, debug, .. } = &mut *s;
        let n = engine.read(debug, &mut posted).unwrap_or(0);
        if n > 0 {
            let data = posted[..n].to_vec();
            let answer = s.host.on_receive(&data);
            s.records.push(Record::GuestToHost(data));
            send(&mut s, answer);
        }
    }
    drop(s);
    regs.rax = output.into_bits();
    vcpu.sync_regs_mut().regs = regs;
    vcpu.set_sync_dirty_reg(SyncReg::Register);
    Ok(())
}

/// The engine sends the host end's bytes to the guest, and the transcript keeps them.
fn send(s: &mut Shared, data: Vec<u8>) {
    if data.is_empty() {
        return;
    }
    let Shared {
        engine, debug, records, ..
    } = s;
    // A channel the guest cannot use takes nothing; the transcript shows what was offered.
    let _ = engine.send(debug, &data);
    records.push(Record::HostToGuest(data));
}

fn rdmsr(
    vcpu: &VcpuFd,
    index: u32,
    msr: u32,
    shared: &Mutex<Shared>,
    memory: &GuestMemoryMmap,
) -> Result<(u64, bool), Error> {
    let synthetic = SyntheticMsr::from_bits(msr);
    if synthetic.in_synthetic_range() {
        let s = lock(shared)?;
        let value = s.msrs.read(synthetic, index, s.debug.access.privileges);
        return Ok((value.unwrap_or(0), value.is_none()));
    }
    // An intercepted architectural MSR: the message, then the value KVM keeps for the VP.
    let state = vp_state(vcpu, index, memory, Located::At)?;
    record_intercept(shared, intercept::msr(&state, msr, false), state)?;
    let mut msrs = Msrs::from_entries(&[kvm_msr_entry {
        index: msr,
        ..Default::default()
    }])
    .map_err(|e| Error::Host(format!("{e:?}")))?;
    let read = vcpu.get_msrs(&mut msrs).map_err(|e| Error::kvm("KVM_GET_MSRS", e))?;
    Ok(match (read, msrs.as_slice().first()) {
        (1, Some(entry)) => (entry.data, false),
        _ => (0, true),
    })
}

fn wrmsr(
    vcpu: &VcpuFd,
    index: u32,
    msr: u32,
    value: u64,
    shared: &Mutex<Shared>,
    memory: &GuestMemoryMmap,
) -> Result<bool, Error> {
    let synthetic = SyntheticMsr::from_bits(msr);
    if synthetic.in_synthetic_range() {
        let mut s = lock(shared)?;
        let privileges = s.debug.access.privileges;
        let outcome = write_synthetic_msr(&mut s.msrs, memory, synthetic, value, privileges)?;
        s.records.push(Record::SyntheticMsrWrite {
            vp: index,
            msr,
            value,
            accepted: outcome.is_some(),
        });
        return Ok(outcome.is_none());
    }
    let state = vp_state(vcpu, index, memory, Located::At)?;
    record_intercept(shared, intercept::msr(&state, msr, true), state)?;
    let msrs = Msrs::from_entries(&[kvm_msr_entry {
        index: msr,
        data: value,
        ..Default::default()
    }])
    .map_err(|e| Error::Host(format!("{e:?}")))?;
    let written = vcpu.set_msrs(&msrs).map_err(|e| Error::kvm("KVM_SET_MSRS", e))?;
    Ok(written != 1)
}

fn record_intercept(shared: &Mutex<Shared>, message: Message, state: VpState) -> Result<(), Error> {
    lock(shared)?.records.push(Record::Intercept {
        message: Box::new(message),
        state,
    });
    Ok(())
}

/// Where the intercepted instruction is relative to RIP at the exit.
#[derive(Clone, Copy)]
enum Located {
    /// RIP points at it (MSR exits: KVM finishes the instruction when the VP runs again).
    At,
    /// RIP is already past it (port I/O and HLT: KVM skips the instruction before exiting).
    Before(Access),
}

#[derive(Clone, Copy)]
enum Access {
    Out,
    In,
    Hlt,
}

impl Access {
    fn matches(self, mnemonic: Mnemonic) -> bool {
        match self {
            Self::Out => matches!(
                mnemonic,
                Mnemonic::Out | Mnemonic::Outsb | Mnemonic::Outsw | Mnemonic::Outsd
            ),
            Self::In => matches!(
                mnemonic,
                Mnemonic::In | Mnemonic::Insb | Mnemonic::Insw | Mnemonic::Insd
            ),
            Self::Hlt => mnemonic == Mnemonic::Hlt,
        }
    }
}

/// The VP's registers in the ABI's terms, with the intercepted instruction found and its bytes read.
fn vp_state(vcpu: &VcpuFd, index: u32, memory: &GuestMemoryMmap, located: Located) -> Result<VpState, Error> {
    let sync = vcpu.sync_regs();
    let (regs, sregs) = (sync.regs, sync.sregs);
    let paging = paging(&sregs);
    let events = vcpu
        .get_vcpu_events()
        .map_err(|e| Error::kvm("KVM_GET_VCPU_EVENTS", e))?;
    let debug = vcpu.get_debug_regs().map_err(|e| Error::kvm("KVM_GET_DEBUGREGS", e))?;
    let bytes_at = |gva: u64| -> Option<[u8; 16]> {
        let gpa = paging.translate(memory, gva)?;
        let mut bytes = [0u8; 16];
        // Up to 16 bytes, fewer at the end of guest memory.
        let n = memory.read(&mut bytes, GuestAddress(gpa)).ok()?;
        (n > 0).then_some(bytes)
    };
    let (rip, instruction, length) = match located {
        Located::At => {
            let bytes = bytes_at(regs.rip).unwrap_or_default();
            (regs.rip, bytes, instruction_length(&bytes, regs.rip, None))
        }
        Located::Before(access) => (1..=15u64)
            .filter_map(|n| {
                let start = regs.rip.checked_sub(n)?;
                let bytes = bytes_at(start)?;
                (instruction_length(&bytes, start, Some(access)) == n as u8).then_some((start, bytes, n as u8))
            })
            .next()
            .unwrap_or((regs.rip, [0; 16], 0)),
    };
    let mut instruction = instruction;
    instruction[usize::from(length)..].fill(0);
    Ok(VpState {
        vp_index: index,
        rip,
        rflags: regs.rflags,
        rax: regs.rax,
        rcx: regs.rcx,
        rdx: regs.rdx,
        rsi: regs.rsi,
        rdi: regs.rdi,
        cr0: sregs.cr0,
        efer: sregs.efer,
        cs: segment(&sregs.cs),
        ds: segment(&sregs.ds),
        es: segment(&sregs.es),
        ss: segment(&sregs.ss),
        interrupt_shadow: events.interrupt.shadow != 0,
        interruption_pending: events.exception.injected != 0 || events.exception.pending != 0,
        debug_active: debug.dr7 & 0xFF != 0,
        instruction,
        instruction_length: length,
    })
}

/// The length of the 64-bit instruction at the start of `bytes`, when it decodes (and, with `access`,
/// is that kind of instruction); 0 otherwise.
fn instruction_length(bytes: &[u8], ip: u64, access: Option<Access>) -> u8 {
    let mut decoder = Decoder::with_ip(64, bytes, ip, DecoderOptions::NONE);
    let instruction = decoder.decode();
    if instruction.is_invalid() || access.is_some_and(|a| !a.matches(instruction.mnemonic())) {
        return 0;
    }
    instruction.len() as u8
}

/// A KVM segment as `HV_X64_SEGMENT_REGISTER`.
fn segment(s: &kvm_segment) -> SegmentRegister {
    let attributes = u16::from(s.type_ & 0xF)
        | u16::from(s.s & 1) << 4
        | u16::from(s.dpl & 3) << 5
        | u16::from(s.present & 1) << 7
        | u16::from(s.avl & 1) << 12
        | u16::from(s.l & 1) << 13
        | u16::from(s.db & 1) << 14
        | u16::from(s.g & 1) << 15;
    SegmentRegister {
        base: s.base,
        limit: s.limit,
        selector: s.selector,
        attributes: hv_x64::SegmentAttributes::from_bits(attributes),
    }
}

/// Whether this KVM can run hv-kvm: the capabilities it needs.
pub(crate) fn check(kvm: &Kvm) -> Result<(), String> {
    for (cap, name) in [
        (KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR"),
        (KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER"),
        (KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS"),
    ] {
        if kvm.check_extension_raw(u64::from(cap)) == 0 {
            return Err(format!(
                "this KVM lacks {name}, which hv-kvm needs to take the synthetic MSRs"
            ));
        }
    }
    Ok(())
}

impl Error {
    pub(crate) fn kvm(what: &'static str, e: kvm_ioctls::Error) -> Self {
        Self::Kvm {
            ioctl: what,
            error: e.to_string(),
        }
    }
}
