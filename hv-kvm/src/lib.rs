//! A small VMM on KVM that presents the Hyper-V guest interface to a real guest and serves its
//! hypercalls with `hv-model`'s reference dispatcher over the VM's own memory.
//!
//! - Boots a 64-bit guest ELF on one or more vCPUs: identity-mapped page tables and a flat GDT set up by
//!   the VMM ([`layout`]), the boot word in RDI.
//! - Presents Hyper-V ([`hyperv`]): the hypervisor CPUID leaves through `KVM_SET_CPUID2` (the partition's
//!   privileges configurable, Debugging included by default), `HV_X64_MSR_GUEST_OS_ID`,
//!   `HV_X64_MSR_HYPERCALL` and `HV_X64_MSR_VP_INDEX` in userspace (`KVM_CAP_X86_USER_SPACE_MSR` and an
//!   MSR filter), and a hypercall page whose stub exits to the VMM by a port write.
//! - Serves every hypercall with [`hv_model::debug_calls::dispatch`] over the VM's `GuestMemoryMmap`,
//!   from 64-bit mode (RCX, RDX, R8) and 32-bit mode (EDX:EAX, EBX:ECX, EDI:ESI), with #UD for a caller
//!   outside CPL 0 protected mode, as the TLFS and KVM have it. A `RETRIEVE_LOOP` wait ends the moment
//!   data arrives (from a post's answer or a [`HostSender`] on any thread) or the VM stops. The host end
//!   of the debug channel is attached to [`hv_model::engine::Engine`], whose `SessionStatus`
//!   notifications the [`Report`] keeps.
//! - Turns port I/O (string and REP forms included), intercepted architectural MSRs and HLT into TLFS
//!   intercept messages built from the vCPU's state ([`intercept`]) and the instruction found in guest
//!   memory ([`instruction`]), whichever way the host's KVM reports RIP at a port-I/O exit. An MSR KVM
//!   refuses keeps KVM's #GP. CPUID never leaves KVM (it answers from the table the VMM set), so there is
//!   no CPUID intercept message.
//! - Partition events from the guest: every VP halted for good is "ran to completion"; a triple fault or
//!   a reset through port 0xCF9 stops every VP at once, even one spinning in guest code or waiting in a
//!   hypercall, and reboots on a new VM (every register at its power-on value) with the debug buffers
//!   purged (`REBOOT`).
//! - A guest cannot grow host memory with its exits: the transcript keeps the latest
//!   [`Config::transcript_limit`] records and [`Counts`] the rest.
//!
//! Where `/dev/kvm` is missing or lacks what hv-kvm needs, [`kvm_usable`] says why in one line.
//!
//! hv-kvm takes the first real-time signal (`SIGRTMIN`) for kicking vCPU threads out of `KVM_RUN`; it
//! installs a handler that does nothing, once per process.

pub mod hyperv;
pub mod instruction;
pub mod intercept;
pub mod layout;
pub mod paging;
#[cfg(target_os = "linux")]
pub mod session;
#[cfg(target_os = "linux")]
mod vm;

use core::fmt;
use std::sync::Weak;
use std::time::Duration;

use hv_abi::debug::DebugChannelId;
use hv_abi::synic::Message;
use hv_abi::{HypercallInput, HypercallOutput, PartitionPrivileges};
use hv_model::Accounting;
use hv_model::engine::Event;

pub use intercept::VpState;

/// How to build the VM.
#[derive(Clone, Debug)]
pub struct Config {
    /// Guest memory in bytes, from 2 MiB to 4 GiB.
    pub memory_size: u64,
    /// vCPUs; each enters the guest with its own stack ([`layout::stack_pointer`]).
    pub vcpus: u32,
    /// The partition's privileges, as CPUID 0x40000003 presents them and the MSRs and calls check them.
    pub privileges: PartitionPrivileges,
    /// The partition's debug channel id (0 makes every debug call `OPERATION_DENIED`).
    pub channel_id: DebugChannelId,
    /// Each direction's debug buffer in bytes.
    pub buffer_size: usize,
    /// Architectural MSRs whose guest accesses become MSR intercept messages (then go to KVM).
    pub intercepted_msrs: Vec<u32>,
    /// RDI at the guest's entry (the test guest reads its mode there); bit 8 is set after a reboot.
    pub boot_word: u64,
    /// How many times the guest may reset the VM before the run fails.
    pub max_reboots: u32,
    /// Keep a record of every hypercall, intercept message, channel transfer and synthetic MSR write (off:
    /// only [`Counts`], reboots, halts and markers). Either way the transcript keeps at most
    /// [`Config::transcript_limit`] records.
    pub transcript: bool,
    /// The most records the transcript keeps: the latest ones; older ones are let go and counted in
    /// [`Counts::records_dropped`], so a run's host memory does not grow with its exits.
    pub transcript_limit: usize,
    /// Ports whose writes are taken and dropped: bare exits, with no message or record (a benchmark's
    /// floor). This comes first: with the hypercall port here, a hypercall is a bare exit too.
    pub quiet_ports: Vec<u16>,
    /// Ports whose writes are recorded with the time ([`Record::Marker`]) instead of a message.
    pub marker_ports: Vec<u16>,
    /// Whose debug hypercalls the guest gets: the reference's, or a real host's profile
    /// ([`hv_model::hosts`]), to see a guest's debug transport run as it would on that host.
    pub profile: hv_model::hosts::Profile,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            memory_size: 16 << 20,
            vcpus: 1,
            privileges: PartitionPrivileges::ACCESS_HYPERCALL_MSRS
                | PartitionPrivileges::ACCESS_VP_INDEX
                | PartitionPrivileges::DEBUGGING,
            channel_id: DebugChannelId(2),
            buffer_size: 4096,
            intercepted_msrs: vec![0x277],
            boot_word: 0,
            max_reboots: 1,
            transcript: true,
            transcript_limit: 1024,
            quiet_ports: Vec::new(),
            marker_ports: Vec::new(),
            profile: hv_model::hosts::Profile::default(),
        }
    }
}

/// The host end of the debug channel: what the debugger sends the guest, and when. Its methods run on a
/// VP's thread holding the host end's own lock, not the partition's: one may block or send through its
/// [`HostSender`] without holding up other VPs' exits.
pub trait HostEnd: Send {
    /// The VM is about to boot; `sender` sends to the guest from any thread (a debugger's own) for as
    /// long as the VM runs, reboots included.
    fn attach(&mut self, sender: HostSender) {
        let _ = sender;
    }

    /// The engine read `posted` from the guest; the bytes returned are sent to the guest at once.
    fn on_receive(&mut self, posted: &[u8]) -> Vec<u8> {
        let _ = posted;
        Vec::new()
    }

    /// A VP waits in a `RETRIEVE_LOOP` retrieve with nothing pending; the bytes returned are sent now.
    fn on_wait(&mut self) -> Vec<u8> {
        Vec::new()
    }
}

/// Sends bytes to the guest's debug channel from any thread while the VM runs: a delivery wakes a VP
/// waiting in `RETRIEVE_LOOP` at once.
#[derive(Clone)]
pub struct HostSender {
    target: Weak<dyn Deliver>,
}

impl fmt::Debug for HostSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostSender")
            .field("running", &(self.target.strong_count() > 0))
            .finish()
    }
}

/// What a [`HostSender`] reaches: the running VM's partition.
pub(crate) trait Deliver: Send + Sync {
    fn deliver(&self, data: &[u8]) -> Result<usize, Error>;
    fn elapsed(&self) -> Duration;
    fn stop(&self) -> Result<(), Error>;
}

impl HostSender {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn new(target: Weak<dyn Deliver>) -> Self {
        Self { target }
    }

    /// Sends `data` to the guest; returns how many bytes the incoming buffer took (the rest are dropped
    /// and counted, as the model's channel does). [`Error::Stopped`] once the run has ended, and
    /// [`Error::Model`] while the channel is unusable (no Debugging privilege, channel id 0).
    pub fn send(&self, data: &[u8]) -> Result<usize, Error> {
        self.target.upgrade().ok_or(Error::Stopped)?.deliver(data)
    }

    /// Time since the VM started, on the clock of [`Record::Marker`]; `None` once the run has ended.
    pub fn elapsed(&self) -> Option<Duration> {
        self.target.upgrade().map(|t| t.elapsed())
    }

    /// Ends the run: every VP stops at once, wherever its guest is (spinning, or waiting in a hypercall),
    /// and [`run`] returns its report with [`Report::stopped_by_host`] set; the engine sees the partition
    /// terminated from outside the debugger (`FAILURE`). [`Error::Stopped`] once the run has ended.
    pub fn stop(&self) -> Result<(), Error> {
        self.target.upgrade().ok_or(Error::Stopped)?.stop()
    }
}

/// A host end that answers each post with the same bytes, sent when the guest next waits for data (a
/// debugger answers slower than its guest runs).
#[derive(Clone, Debug, Default)]
pub struct Answer {
    reply: Vec<u8>,
    owed: usize,
}

impl Answer {
    /// Answers every post with `reply`.
    pub fn new(reply: &[u8]) -> Self {
        Self {
            reply: reply.to_vec(),
            owed: 0,
        }
    }
}

impl HostEnd for Answer {
    fn on_receive(&mut self, _: &[u8]) -> Vec<u8> {
        self.owed += 1;
        Vec::new()
    }

    fn on_wait(&mut self) -> Vec<u8> {
        if self.owed == 0 {
            return Vec::new();
        }
        self.owed -= 1;
        self.reply.clone()
    }
}

/// One line of the transcript, in the order it happened.
#[derive(Clone, Debug)]
pub enum Record {
    /// A hypercall and its result.
    Hypercall {
        /// The VP.
        vp: u32,
        /// RCX.
        input: HypercallInput,
        /// RDX.
        rdx: u64,
        /// R8.
        r8: u64,
        /// RAX.
        output: HypercallOutput,
        /// How long the VP waited in the call, for a retrieve that waited.
        waited: Option<Duration>,
    },
    /// A write to a synthetic MSR, and whether it was accepted (a refused one is a #GP).
    SyntheticMsrWrite {
        /// The VP.
        vp: u32,
        /// The MSR.
        msr: u32,
        /// The value.
        value: u64,
        /// `false` when the guest got a #GP.
        accepted: bool,
    },
    /// Bytes the guest posted, as the engine read them.
    GuestToHost(Vec<u8>),
    /// Bytes the host sent, as the guest's next retrieve finds them.
    HostToGuest(Vec<u8>),
    /// An intercept message, with the VP state it was built from.
    Intercept {
        /// The 256-byte message.
        message: Box<Message>,
        /// The state the VMM read.
        state: VpState,
    },
    /// A VP halted for good.
    Halted {
        /// The VP.
        vp: u32,
    },
    /// The guest reset the VM; it booted again with the debug buffers purged.
    Reboot,
    /// A write to one of [`Config::marker_ports`].
    Marker {
        /// The VP.
        vp: u32,
        /// The port.
        port: u16,
        /// The byte written.
        value: u8,
        /// When, since the VM started.
        at: Duration,
    },
}

/// How much happened in a run, whatever the transcript kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// VM exits of every vCPU, every boot.
    pub exits: u64,
    /// Hypercalls served.
    pub hypercalls: u64,
    /// Intercept messages built.
    pub intercepts: u64,
    /// Records the transcript let go (the oldest first) or, with [`Config::transcript_limit`] 0, never
    /// kept.
    pub records_dropped: u64,
}

/// What a run did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Report {
    /// The transcript: the latest [`Config::transcript_limit`] records, in order.
    pub records: Vec<Record>,
    /// The host ended the run ([`HostSender::stop`]) before the guest did.
    pub stopped_by_host: bool,
    /// Everything counted, kept or not.
    pub counts: Counts,
    /// The debugger engine's trace: its `SessionStatus` notifications, in order.
    pub engine: Vec<Event>,
    /// The incoming (host to guest) buffer's accounting at the end.
    pub incoming: Accounting,
    /// The outgoing (guest to host) buffer's accounting at the end.
    pub outgoing: Accounting,
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// KVM is missing or unusable here; the text says why in one line.
    Unavailable(String),
    /// A KVM ioctl failed.
    Kvm {
        /// The ioctl.
        ioctl: &'static str,
        /// The error.
        error: String,
    },
    /// The configuration cannot be built.
    Config(String),
    /// The host could not provide something (memory, a table).
    Host(String),
    /// The guest could not be run to the end: it did not load, reset too often, or made the VM fail.
    Guest(String),
    /// The debugger engine refused.
    Engine(String),
    /// The run a [`HostSender`] belonged to has ended.
    Stopped,
    /// The model refused its set-up.
    Model(hv_abi::HvError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(why) => write!(f, "KVM is not usable here: {why}"),
            Self::Kvm { ioctl, error } => write!(f, "{ioctl} failed: {error}"),
            Self::Config(why) => write!(f, "bad configuration: {why}"),
            Self::Host(why) => write!(f, "host: {why}"),
            Self::Guest(why) => write!(f, "guest: {why}"),
            Self::Engine(why) => write!(f, "debugger engine: {why}"),
            Self::Stopped => f.write_str("the VM is not running"),
            Self::Model(e) => write!(f, "model: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// `Ok` when this machine can run hv-kvm; otherwise one line saying why not.
pub fn kvm_usable() -> Result<(), Error> {
    open_kvm().map(drop)
}

#[cfg(target_os = "linux")]
fn open_kvm() -> Result<kvm_ioctls::Kvm, Error> {
    let kvm = kvm_ioctls::Kvm::new().map_err(|e| Error::Unavailable(format!("cannot open /dev/kvm: {e}")))?;
    vm::check(&kvm).map_err(Error::Unavailable)?;
    Ok(kvm)
}

/// Boots `elf` with `config` and runs it until every VP halts for good (or the engine ends the session),
/// with `host` as the debug channel's host end.
pub fn run(config: &Config, elf: &[u8], host: Box<dyn HostEnd>) -> Result<Report, Error> {
    #[cfg(target_os = "linux")]
    return vm::run(config, elf, host);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (config, elf, host);
        Err(Error::Unavailable("KVM exists only on Linux".to_owned()))
    }
}

/// The test guest this build bundles (`hv-test-guest` built for `x86_64-unknown-none`), or why there is
/// none.
pub fn bundled_guest() -> Result<&'static [u8], Error> {
    #[cfg(hv_bundled_guest)]
    return Ok(include_bytes!(env!("HV_KVM_GUEST_ELF")));
    #[cfg(not(hv_bundled_guest))]
    Err(Error::Guest(format!(
        "no bundled test guest: {}",
        env!("HV_KVM_GUEST_MISSING")
    )))
}
