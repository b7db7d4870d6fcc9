//! The conformance suite on the KVM exit path: [`KvmSession`] implements
//! [`hv_model::conformance::Implementation`] with a real vCPU. The bundled test guest's mailbox mode
//! (boot mode 5) issues each hypercall through its hypercall page; the exit comes here, is served with
//! the reference dispatcher over the VM's `GuestMemoryMmap`, and RAX goes back through `kvm_run`, as in
//! [`crate::run`]. A `RETRIEVE_LOOP` wait leaves the vCPU in its exit until the clock or a delivery ends it,
//! so the suite sees the VP waiting.

use hv_abi::debug::DebugChannelId;
use hv_abi::{HvStatus, HypercallOutput, PartitionPrivileges};
use hv_model::conformance::{BUFFER, Implementation, Outcome};
use hv_model::debug_calls::{self, DebugAccess, Dispatch};
use hv_model::{DebugChannel, Registers};
use hv_x64::msr::SyntheticMsr;
use kvm_ioctls::{SyncReg, VcpuFd};
use vm_memory::{Bytes, GuestAddress};

use crate::hyperv::{HYPERCALL_PORT, SyntheticMsrs};
use crate::instruction::RipConvention;
use crate::vm::machine::{self, Machine};
use crate::vm::sys::{self, Exit};
use crate::vm::{hypercall, msr};
use crate::{Config, Error};

/// The test guest's mailbox port and page (its `MAILBOX_PORT` and `MAILBOX`).
const MAILBOX_PORT: u16 = 0x3FB;
const MAILBOX: u64 = 0x30_0000;
/// Where the suite's parameter pages are: clear of the page tables, the stacks and the image.
const INPUT_PAGE: u64 = 0x40_0000;
const OUTPUT_PAGE: u64 = 0x40_1000;

/// A call the VP waits in: its registers and its deadline.
struct Waiting {
    regs: Registers,
    deadline: u64,
}

/// A live VM: the vCPU first, so it is dropped before the VM and the memory it runs in.
struct Live {
    vcpu: VcpuFd,
    machine: Machine,
    /// Where this host's KVM leaves RIP at a port-I/O exit, once the stub's exit has shown it.
    convention: Option<RipConvention>,
    channel: DebugChannel,
    access: DebugAccess,
    msrs: SyntheticMsrs,
    now: u64,
    waiting: Option<Waiting>,
    /// The result of a wait a delivery ended, for the next [`Implementation::advance`] to report (the
    /// VP itself has already run on, as the reference's does).
    completed: Option<HypercallOutput>,
}

/// The debug hypercalls as hv-kvm serves them to a real vCPU, for the conformance suite.
pub struct KvmSession {
    elf: Vec<u8>,
    live: Option<Live>,
    error: Option<Error>,
}

impl KvmSession {
    /// A session that boots `elf` (the bundled test guest, or one with its mailbox mode) for each case.
    pub fn new(elf: &[u8]) -> Result<Self, Error> {
        crate::kvm_usable()?;
        let mut session = Self {
            elf: elf.to_vec(),
            live: None,
            error: None,
        };
        session.fresh();
        match session.error.take() {
            Some(e) => Err(e),
            None => Ok(session),
        }
    }

    /// Why the last fresh partition could not be set up, if it could not; its cases then fail.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    fn boot(&self) -> Result<Live, Error> {
        let kvm = crate::open_kvm()?;
        let config = Config {
            boot_word: 5,
            intercepted_msrs: Vec::new(),
            ..Config::default()
        };
        let cpuid = machine::cpuid(&kvm, &config)?;
        let mut machine = Machine::new(&kvm, &config, &cpuid, &self.elf, config.boot_word)?;
        let vcpu = machine
            .vcpus
            .pop()
            .ok_or_else(|| Error::Host("the machine has no vCPU".to_owned()))?;
        let channel = DebugChannel::new(BUFFER, BUFFER).map_err(Error::Model)?;
        let mut live = Live {
            vcpu,
            machine,
            convention: None,
            channel,
            access: DebugAccess {
                debugging_enabled: true,
                privileges: PartitionPrivileges::DEBUGGING | config.privileges,
                channel_id: DebugChannelId(2),
                channel_shared: false,
            },
            msrs: SyntheticMsrs::default(),
            now: 0,
            waiting: None,
            completed: None,
        };
        // The guest sets up (CPUID, the synthetic MSRs) and reports ready at its mailbox.
        match live.run()? {
            Step::Mailbox => Ok(live),
            Step::Waiting => Err(Error::Guest(
                "the guest waited before its first mailbox command".to_owned(),
            )),
        }
    }

    fn live(&mut self) -> Option<&mut Live> {
        self.live.as_mut()
    }
}

/// Where a run of the vCPU stopped.
enum Step {
    /// The guest is at its mailbox: ready for a command, or done with one.
    Mailbox,
    /// The VP waits in a hypercall.
    Waiting,
}

impl Live {
    /// Runs the vCPU until the guest is at its mailbox or waits in a hypercall.
    fn run(&mut self) -> Result<Step, Error> {
        loop {
            match sys::next_exit(&mut self.vcpu)? {
                Exit::Io {
                    port: MAILBOX_PORT,
                    write: true,
                    ..
                } => return Ok(Step::Mailbox),
                Exit::Io {
                    port: HYPERCALL_PORT,
                    size: 1,
                    count: 1,
                    write: true,
                } => {
                    let sync = self.vcpu.sync_regs();
                    let stub = self
                        .msrs
                        .hypercall_page()
                        .and_then(|page| hypercall::stub_call(page, self.convention, &sync, &self.machine.memory));
                    let Some((_, convention)) = stub else {
                        return Err(Error::Guest(
                            "the mailbox guest wrote the hypercall port other than through its stub".to_owned(),
                        ));
                    };
                    self.convention = Some(convention);
                    let regs = Registers {
                        rcx: sync.regs.rcx,
                        rdx: sync.regs.rdx,
                        r8: sync.regs.r8,
                    };
                    let memory = &mut self.machine.memory;
                    match debug_calls::dispatch(regs, &self.access, &mut self.channel, memory, self.now) {
                        Dispatch::Complete(out) => self.set_rax(out),
                        Dispatch::Suspended { deadline } => {
                            self.waiting = Some(Waiting { regs, deadline });
                            return Ok(Step::Waiting);
                        }
                    }
                }
                Exit::Rdmsr { msr, .. } => {
                    let value = self.msrs.read(SyntheticMsr::from_bits(msr), 0, self.access.privileges);
                    sys::reply_msr(&mut self.vcpu, value.unwrap_or(0), value.is_none());
                }
                Exit::Wrmsr { msr, value, .. } => {
                    let msr = SyntheticMsr::from_bits(msr);
                    let privileges = self.access.privileges;
                    let outcome =
                        msr::write_synthetic_msr(&mut self.msrs, &self.machine.memory, msr, value, privileges);
                    sys::reply_msr(&mut self.vcpu, 0, outcome.is_none());
                }
                Exit::Io { write: true, .. } | Exit::Interrupted => {}
                Exit::Hlt => return Err(Error::Guest("the mailbox guest halted".to_owned())),
                Exit::Shutdown => return Err(Error::Guest("the mailbox guest reset the VM".to_owned())),
                Exit::Io { write: false, .. } | Exit::Mmio { .. } | Exit::InternalError { .. } | Exit::Fatal(_) => {
                    return Err(Error::Guest(
                        "the mailbox guest made an exit the session does not serve".to_owned(),
                    ));
                }
            }
        }
    }

    fn set_rax(&mut self, out: HypercallOutput) {
        self.vcpu.sync_regs_mut().regs.rax = out.into_bits();
        self.vcpu.set_sync_dirty_reg(SyncReg::Register);
    }

    /// Ends a wait with `out` and runs the guest to its mailbox.
    fn finish(&mut self, out: HypercallOutput) -> Option<HypercallOutput> {
        self.waiting = None;
        self.set_rax(out);
        match self.run() {
            Ok(Step::Mailbox) => Some(out),
            _ => None,
        }
    }

    fn mailbox_result(&self) -> Option<HypercallOutput> {
        self.machine
            .memory
            .read_obj::<u64>(GuestAddress(MAILBOX + 24))
            .ok()
            .map(HypercallOutput::from_bits)
    }
}

/// A failed set-up or run: every call answers `HV_STATUS_INVALID_PARTITION_STATE`.
fn broken() -> Outcome {
    Outcome::Complete(HypercallOutput::from_status(HvStatus::INVALID_PARTITION_STATE))
}

impl Implementation for KvmSession {
    fn fresh(&mut self) {
        self.live = None;
        match self.boot() {
            Ok(live) => {
                self.live = Some(live);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn call(&mut self, regs: Registers) -> Outcome {
        let Some(live) = self.live() else { return broken() };
        if live.waiting.is_some() {
            return Outcome::Complete(HypercallOutput::from_status(HvStatus::INVALID_VP_STATE));
        }
        for (i, value) in [regs.rcx, regs.rdx, regs.r8].into_iter().enumerate() {
            if live
                .machine
                .memory
                .write_obj(value, GuestAddress(MAILBOX + 8 * i as u64))
                .is_err()
            {
                return broken();
            }
        }
        match live.run() {
            Ok(Step::Mailbox) => live.mailbox_result().map_or_else(broken, Outcome::Complete),
            Ok(Step::Waiting) => Outcome::Waiting,
            Err(e) => {
                self.error = Some(e);
                self.live = None;
                broken()
            }
        }
    }

    fn write(&mut self, gpa: u64, bytes: &[u8]) {
        if let Some(live) = self.live() {
            let _ = live.machine.memory.write_slice(bytes, GuestAddress(gpa));
        }
    }

    fn read(&mut self, gpa: u64, buf: &mut [u8]) {
        if let Some(live) = self.live() {
            let _ = live.machine.memory.read_slice(buf, GuestAddress(gpa));
        }
    }

    fn deliver(&mut self, data: &[u8]) -> usize {
        let Some(live) = self.live() else { return data.len() };
        if live.access.check().is_err() {
            return data.len();
        }
        let dropped = live.channel.deliver(data);
        if let Some(w) = &live.waiting {
            let resumed = debug_calls::resume(
                w.regs,
                w.deadline,
                &live.access,
                &mut live.channel,
                &mut live.machine.memory,
                live.now,
            );
            if let Dispatch::Complete(out) = resumed {
                live.completed = live.finish(out);
            }
        }
        dropped
    }

    fn receive(&mut self, buf: &mut [u8]) -> usize {
        self.live().map_or(0, |live| live.channel.receive(buf))
    }

    fn set_privileges(&mut self, privileges: PartitionPrivileges) {
        if let Some(live) = self.live() {
            live.access.privileges = privileges;
        }
    }

    fn set_channel_id(&mut self, id: DebugChannelId) {
        if let Some(live) = self.live() {
            live.access.channel_id = id;
        }
    }

    fn set_debugging(&mut self, enabled: bool) {
        if let Some(live) = self.live() {
            live.access.debugging_enabled = enabled;
        }
    }

    fn advance(&mut self, ticks: u64) -> Option<HypercallOutput> {
        let live = self.live()?;
        live.now = live.now.saturating_add(ticks);
        // A wait the clock ends now supersedes an earlier wait's untaken result, as in the reference.
        if live.waiting.as_ref().is_some_and(|w| live.now >= w.deadline) {
            live.completed = None;
            return live.finish(Dispatch::timed_out());
        }
        live.completed.take()
    }

    fn input_page(&self) -> u64 {
        INPUT_PAGE
    }

    fn output_page(&self) -> u64 {
        OUTPUT_PAGE
    }

    fn unmapped(&self) -> u64 {
        0x1000_0000
    }
}
