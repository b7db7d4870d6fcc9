//! A vCPU's thread: its exit loop, and the VP state an intercept message is built from.

use hv_abi::synic::Message;
use hv_x64::SegmentRegister;
use kvm_bindings::{kvm_segment, kvm_sregs, kvm_sync_regs};
use kvm_ioctls::VcpuFd;
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

use super::partition::{Partition, Stop};
use super::sys::{self, Exit, Registered};
use super::{msr, port};
use crate::instruction::{CodeBytes, CodeSize, Found, RipConvention};
use crate::intercept::{self, VpState};
use crate::paging::Paging;
use crate::{Config, Error, Record};

/// How one exit ends for the VP.
pub(super) enum Next {
    /// It runs on.
    Run,
    /// It halted for good.
    Halted,
    /// The boot is stopping.
    Stop,
}

/// One VP of a boot, on its own thread.
pub(super) struct Vp<'a> {
    pub(super) index: u32,
    pub(super) vcpu: &'a mut VcpuFd,
    pub(super) memory: GuestMemoryMmap,
    pub(super) partition: &'a Partition,
    pub(super) config: &'a Config,
    pub(super) registered: Registered<'a>,
    /// Where this host's KVM leaves RIP at a port-I/O exit, once an exit has shown it.
    pub(super) convention: Option<RipConvention>,
}

/// Runs VP `index` until it halts for good or the boot stops; returns its exits. An error, or a panic,
/// stops every VP.
pub(super) fn run(
    index: u32,
    vcpu: &mut VcpuFd,
    memory: GuestMemoryMmap,
    partition: &Partition,
    config: &Config,
) -> Result<u64, Error> {
    let failing = StopOnPanic(partition);
    let registered = partition
        .kick
        .register(index)
        .inspect_err(|_| partition.stop_failed())?;
    let mut vp = Vp {
        index,
        vcpu,
        memory,
        partition,
        config,
        registered,
        convention: None,
    };
    let mut exits = 0;
    let result = loop {
        if vp.registered.stopping() {
            break Ok(exits);
        }
        let next = sys::next_exit(vp.vcpu).and_then(|exit| {
            exits += 1;
            vp.handle(exit)
        });
        match next {
            Ok(Next::Run) => {}
            Ok(Next::Halted | Next::Stop) => break Ok(exits),
            Err(e) => break Err(e),
        }
    };
    if result.is_err() {
        partition.stop_failed();
    }
    drop(failing);
    result
}

/// Stops the boot if the VP's thread unwinds from a panic: the other VPs are kicked, waiting ones woken.
struct StopOnPanic<'a>(&'a Partition);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop_failed();
        }
    }
}

impl Vp<'_> {
    fn handle(&mut self, exit: Exit) -> Result<Next, Error> {
        match exit {
            Exit::Io {
                port,
                size,
                count,
                write,
            } => port::exit(self, port, size, count, write),
            Exit::Rdmsr { msr, filtered } => msr::read(self, msr, filtered),
            Exit::Wrmsr { msr, value, filtered } => msr::write(self, msr, value, filtered),
            Exit::Hlt => {
                let sync = self.vcpu.sync_regs();
                let size = code_size(&sync.sregs);
                let found = crate::instruction::locate_halt(sync.regs.rip, size, self.fetch(&sync.sregs));
                let state = self.state(found)?;
                self.intercept(intercept::halt(&state), state)?;
                self.partition
                    .lock()?
                    .transcript
                    .push(Record::Halted { vp: self.index });
                // Without an interrupt controller nothing can wake a halted VP: it has stopped for good.
                Ok(Next::Halted)
            }
            Exit::Shutdown => {
                // A triple fault: the machine resets.
                let mut s = self.partition.lock()?;
                self.partition.stop(&mut s, Stop::Reboot);
                Ok(Next::Stop)
            }
            Exit::Mmio { write } => {
                if !write {
                    sys::fill_mmio_read(self.vcpu);
                }
                Ok(Next::Run)
            }
            Exit::Interrupted => Ok(Next::Run),
            Exit::InternalError { suberror } => {
                let sync = self.vcpu.sync_regs();
                let code = self.fetch(&sync.sregs)(sync.regs.rip);
                Err(Error::Guest(format!(
                    "VP {}: KVM_EXIT_INTERNAL_ERROR, suberror {suberror} (1 emulation, 2 simultaneous exceptions, 3 event delivery) at RIP {:#x}, code {:02x?}",
                    self.index,
                    sync.regs.rip,
                    &code.bytes[..usize::from(code.valid)]
                )))
            }
            Exit::Fatal(why) => Err(Error::Guest(format!("VP {}: {why}", self.index))),
        }
    }

    /// Reads guest code at an instruction pointer of this VP: CS's base outside 64-bit mode, each page
    /// through the guest's own page tables (an instruction may straddle two pages anywhere in RAM).
    pub(super) fn fetch<'s>(&'s self, sregs: &kvm_sregs) -> impl Fn(u64) -> CodeBytes + 's {
        let paging = paging(sregs);
        let sregs = *sregs;
        move |ip| read_code(&self.memory, &paging, linear(&sregs, ip))
    }

    /// The VP's registers in the ABI's terms, with the intercepted instruction (`None`: not found, length
    /// 0 and RIP as KVM reported it).
    pub(super) fn state(&self, found: Option<Found>) -> Result<VpState, Error> {
        let sync = self.vcpu.sync_regs();
        let events = self
            .vcpu
            .get_vcpu_events()
            .map_err(|e| Error::kvm("KVM_GET_VCPU_EVENTS", e))?;
        let debug = self
            .vcpu
            .get_debug_regs()
            .map_err(|e| Error::kvm("KVM_GET_DEBUGREGS", e))?;
        Ok(vp_state(self.index, &sync, found, &events, debug.dr7))
    }

    /// Keeps an intercept message (when the transcript is detailed) and counts it.
    pub(super) fn intercept(&self, message: Message, state: VpState) -> Result<(), Error> {
        let mut s = self.partition.lock()?;
        s.transcript.counts.intercepts += 1;
        s.transcript.detail(|| Record::Intercept {
            message: Box::new(message),
            state,
        });
        Ok(())
    }
}

/// Up to 16 bytes of guest code from `linear`, page by page.
fn read_code(memory: &GuestMemoryMmap, paging: &Paging, linear: u64) -> CodeBytes {
    let mut code = CodeBytes::default();
    let mut at = linear;
    let mut n = 0;
    while n < code.bytes.len() {
        let Some(gpa) = paging.translate(memory, at) else { break };
        let in_page = (0x1000 - (at & 0xFFF)) as usize;
        let want = (code.bytes.len() - n).min(in_page);
        match memory.read(&mut code.bytes[n..n + want], GuestAddress(gpa)) {
            Ok(got) if got == want => n += got,
            Ok(got) => {
                n += got;
                break;
            }
            Err(_) => break,
        }
        at = at.wrapping_add(want as u64);
    }
    code.valid = n as u8;
    code
}

fn vp_state(
    index: u32,
    sync: &kvm_sync_regs,
    found: Option<Found>,
    events: &kvm_bindings::kvm_vcpu_events,
    dr7: u64,
) -> VpState {
    let (regs, sregs) = (&sync.regs, &sync.sregs);
    let found = found.unwrap_or(Found {
        rip: regs.rip,
        ..Found::default()
    });
    VpState {
        vp_index: index,
        rip: found.rip,
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
        debug_active: dr7 & 0xFF != 0,
        instruction: found.bytes,
        instruction_length: found.length,
    }
}

/// The paging state the guest's page tables are walked with.
pub(crate) fn paging(sregs: &kvm_sregs) -> Paging {
    Paging {
        cr0: sregs.cr0,
        cr3: sregs.cr3,
        cr4: sregs.cr4,
        efer: sregs.efer,
    }
}

/// The linear address of code at `ip`: CS's base counts outside 64-bit mode, where addresses are 32 bits.
pub(crate) fn linear(sregs: &kvm_sregs, ip: u64) -> u64 {
    match code_size(sregs) {
        CodeSize::Bits64 => ip,
        CodeSize::Bits32 | CodeSize::Bits16 => sregs.cs.base.wrapping_add(ip) & 0xFFFF_FFFF,
    }
}

/// The mode the VP's code runs in.
pub(crate) fn code_size(sregs: &kvm_sregs) -> CodeSize {
    CodeSize::of(sregs.efer, sregs.cs.l != 0, sregs.cs.db != 0)
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
