//! A conformance suite for implementations of the debug hypercalls: one named case per documented
//! behaviour (each status, the check order, all-or-nothing posts, the accounting, LOOP and TEST_ACTIVITY,
//! a failed call changing nothing), run against anything that implements [`Implementation`], and a
//! differential check of whole call sequences ([`differential`], [`differential_with`]) against the
//! reference or a real host's profile.
//!
//! [`Model`] is the model itself: the reference passes every case; each real host's profile
//! ([`crate::hosts`]) fails exactly the cases its [`Host::divergences`] name, each for a named rule.
//! [`matrix`] runs every case on every profile and says, cell by cell, which.
//!
//! ```
//! use hv_model::conformance::{self, Cell, Model};
//! use hv_model::hosts::Host;
//!
//! let reference = conformance::run(&mut Model::new());
//! assert!(reference.iter().all(|(_, result)| result.is_ok()));
//!
//! for (case, cells) in conformance::matrix() {
//!     for (host, cell) in Host::ALL.iter().zip(&cells) {
//!         assert!(!matches!(cell, Cell::Fail(_)), "{} on {host}: {cell:?}", case.name);
//!     }
//! }
//! ```

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use hv_abi::debug::{DebugChannelId, DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions};
use hv_abi::{
    CallCode, HvStatus, HypercallInput, HypercallOutput, PartitionId, PartitionPrivileges, PartitionPropertyCode,
    VpIndex,
};
use zerocopy::IntoBytes;

use crate::hosts::{Host, HostSettings, Profile, Rule};
use crate::hypervisor::{Config, Hypervisor};
use crate::{Dispatch, Registers};

/// The input parameter page of the reference model (an implementation says where its own is).
pub const INPUT_PAGE: u64 = 0x1000;
/// The output parameter page of the reference model.
pub const OUTPUT_PAGE: u64 = 0x2000;
/// Each direction's buffer capacity in a fresh partition.
pub const BUFFER: usize = 8192;

/// What a call did, as the VP's registers see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The call finished with this RAX.
    Complete(HypercallOutput),
    /// The VP waits in the call (a `RETRIEVE_LOOP` retrieve).
    Waiting,
}

impl core::fmt::Display for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Complete(out) => write!(f, "{}", out.status()),
            Self::Waiting => f.write_str("the VP waiting"),
        }
    }
}

/// An implementation of the debug hypercalls, as the suite drives it: one partition with one VP.
pub trait Implementation {
    /// Starts over with a fresh partition: debugging on, the `DEBUGGING` privilege, channel id 2, the
    /// clock at 0, both buffers empty with [`BUFFER`] bytes of room, and the two parameter pages
    /// ([`input_page`](Self::input_page), [`output_page`](Self::output_page)) mapped and zeroed.
    fn fresh(&mut self);
    /// Issues one hypercall from the VP.
    fn call(&mut self, regs: Registers) -> Outcome;
    /// Writes guest memory (within the parameter pages).
    fn write(&mut self, gpa: u64, bytes: &[u8]);
    /// Reads guest memory (within the parameter pages).
    fn read(&mut self, gpa: u64, buf: &mut [u8]);
    /// The host sends bytes to the guest; returns how many were dropped.
    fn deliver(&mut self, data: &[u8]) -> usize;
    /// The host takes up to `buf.len()` bytes the guest posted; returns how many.
    fn receive(&mut self, buf: &mut [u8]) -> usize;
    /// Sets the partition's privileges.
    fn set_privileges(&mut self, privileges: PartitionPrivileges);
    /// Sets the partition's debug channel id.
    fn set_channel_id(&mut self, id: DebugChannelId);
    /// Turns hypervisor-wide guest debugging on or off (for KVM: whether the synthetic debugger is offered).
    fn set_debugging(&mut self, enabled: bool);
    /// Sets the `USE_HCALLS` bit of `HV_X64_MSR_SYNDBG_OPTIONS`, which KVM's front end requires of a debug
    /// call (`OPERATION_DENIED` without it). An implementation without KVM's front end ignores it.
    fn set_use_hcalls(&mut self, on: bool) {
        let _ = on;
    }
    /// Turns `KVM_CAP_HYPERV_ENFORCE_CPUID` on or off: KVM then checks the Debugging privilege before
    /// anything else. An implementation without KVM's front end ignores it.
    fn set_enforce_cpuid(&mut self, on: bool) {
        let _ = on;
    }
    /// Advances the clock by `ticks` (100 ns units); the result of a waiting call that ended.
    fn advance(&mut self, ticks: u64) -> Option<HypercallOutput>;
    /// The input parameter page's GPA.
    fn input_page(&self) -> u64 {
        INPUT_PAGE
    }
    /// The output parameter page's GPA.
    fn output_page(&self) -> u64 {
        OUTPUT_PAGE
    }
    /// A GPA no memory backs.
    fn unmapped(&self) -> u64 {
        0x10_0000
    }
}

/// The model as an [`Implementation`]: the reference ([`Model::new`]), or a real host's profile
/// ([`Model::of`], [`crate::hosts`]).
pub struct Model {
    hv: Hypervisor,
    partition: PartitionId,
    host: Host,
    settings: HostSettings,
}

/// The reference model, which passes every case (the name 0.2 gave [`Model`]).
pub type Reference = Model;

impl Model {
    /// A fresh partition of the reference.
    #[must_use]
    pub fn new() -> Self {
        Self::of(Host::Reference)
    }

    /// A fresh partition of `host`'s profile.
    #[must_use]
    pub fn of(host: Host) -> Self {
        let mut model = Self {
            hv: Hypervisor::new(Config::default()).unwrap_or_else(|_| unreachable_config()),
            partition: PartitionId(0),
            host,
            settings: HostSettings::default(),
        };
        model.fresh();
        model
    }

    /// The profile this model follows.
    #[must_use]
    pub fn host(&self) -> Host {
        self.host
    }

    /// What the host would have written past an output page and the model did not
    /// ([`DebugChannel::bytes_past_output_page`](crate::DebugChannel::bytes_past_output_page)).
    #[must_use]
    pub fn bytes_past_output_page(&self) -> u64 {
        self.hv
            .partition(self.partition)
            .map_or(0, |p| p.channel().bytes_past_output_page())
    }

    fn rebuild(&mut self) {
        let config = Config {
            incoming_capacity: BUFFER,
            outgoing_capacity: BUFFER,
            profile: Profile {
                host: self.host,
                settings: self.settings,
            },
            ..Config::default()
        };
        self.hv = Hypervisor::new(config).unwrap_or_else(|_| unreachable_config());
        self.partition = self
            .hv
            .create_partition(PartitionPrivileges::DEBUGGING, 1)
            .unwrap_or(PartitionId(0));
        let _ = self
            .hv
            .set_property(self.partition, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2);
        if let Ok(p) = self.hv.partition_mut(self.partition) {
            p.memory.map(INPUT_PAGE);
            p.memory.map(OUTPUT_PAGE);
        }
    }
}

impl Default for Model {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Model {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Model")
            .field("host", &self.host)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The default configuration is valid; a model that refused it could run no case.
#[cold]
fn unreachable_config() -> Hypervisor {
    panic!("the default configuration is valid")
}

impl Implementation for Model {
    fn fresh(&mut self) {
        self.settings = HostSettings::default();
        self.rebuild();
    }

    fn call(&mut self, regs: Registers) -> Outcome {
        match self.hv.dispatch(self.partition, VpIndex(0), regs) {
            Dispatch::Complete(out) => Outcome::Complete(out),
            Dispatch::Suspended { .. } => Outcome::Waiting,
        }
    }

    fn write(&mut self, gpa: u64, bytes: &[u8]) {
        if let Ok(p) = self.hv.partition_mut(self.partition) {
            let _ = p.memory.write(gpa, bytes);
        }
    }

    fn read(&mut self, gpa: u64, buf: &mut [u8]) {
        if let Ok(p) = self.hv.partition(self.partition) {
            let _ = p.memory.read(gpa, buf);
        }
    }

    fn deliver(&mut self, data: &[u8]) -> usize {
        self.hv.deliver(self.partition, data).unwrap_or(data.len())
    }

    fn receive(&mut self, buf: &mut [u8]) -> usize {
        self.hv.receive(self.partition, buf).unwrap_or(0)
    }

    fn set_privileges(&mut self, privileges: PartitionPrivileges) {
        let _ = self.hv.set_property(
            self.partition,
            PartitionPropertyCode::PRIVILEGE_FLAGS,
            privileges.bits(),
        );
    }

    fn set_channel_id(&mut self, id: DebugChannelId) {
        let _ = self
            .hv
            .set_property(self.partition, PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(id.0));
    }

    fn set_debugging(&mut self, enabled: bool) {
        let _ = self.hv.set_debugging_enabled(enabled);
    }

    fn set_use_hcalls(&mut self, on: bool) {
        self.settings.use_hcalls = on;
        self.hv.set_host_settings(self.settings);
    }

    fn set_enforce_cpuid(&mut self, on: bool) {
        self.settings.enforce_cpuid = on;
        self.hv.set_host_settings(self.settings);
    }

    fn advance(&mut self, ticks: u64) -> Option<HypercallOutput> {
        self.hv.advance_clock(ticks);
        self.hv.take_completion(self.partition, VpIndex(0)).ok().flatten()
    }
}

/// One documented behaviour and the check of it.
pub struct Case {
    /// A short name.
    pub name: &'static str,
    /// The behaviour, as the reference documents it.
    pub behaviour: &'static str,
    check: fn(&mut dyn Implementation) -> Result<(), String>,
}

/// Runs every case on a fresh partition of `imp`, in order.
pub fn run(imp: &mut dyn Implementation) -> Vec<(&'static Case, Result<(), String>)> {
    CASES
        .iter()
        .map(|case| {
            imp.fresh();
            (case, (case.check)(imp))
        })
        .collect()
}

/// One cell of the [`matrix`]: how a profile did on a case.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cell {
    /// It behaved as the reference documents.
    Pass,
    /// It departed from the reference, as the named rule of its profile says it does.
    Diverges(&'static Rule),
    /// It did not behave as its rules say: it failed a case no rule explains (why), or passed a case its
    /// rule says it fails.
    Fail(String),
}

/// How `host` did on `case`, from the case's `result`: a pass, an expected divergence (the case is one its
/// rules make it fail, and the failure says what the rule does), or a failure.
#[must_use]
pub fn judge(host: Host, case: &Case, result: &Result<(), String>) -> Cell {
    let expected = host.divergences().iter().find(|(name, _, _)| *name == case.name);
    match (result, expected) {
        (Ok(()), None) => Cell::Pass,
        (Err(why), Some((_, rule, evidence))) => match host.rule(rule) {
            Some(rule) if why.contains(evidence) => Cell::Diverges(rule),
            Some(rule) => Cell::Fail(format!("{why} (not what {} makes it say: {evidence})", rule.name)),
            None => Cell::Fail(format!("{why} (the profile names no rule {rule})")),
        },
        (Err(why), None) => Cell::Fail(why.clone()),
        (Ok(()), Some((_, rule, _))) => Cell::Fail(format!("passed, but {rule} says it diverges")),
    }
}

/// Every case on every profile: one row a case, one cell a profile, in [`Host::ALL`] order.
pub fn matrix() -> Vec<(&'static Case, Vec<Cell>)> {
    let runs: Vec<_> = Host::ALL
        .iter()
        .map(|&host| (host, run(&mut Model::of(host))))
        .collect();
    CASES
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let cells = runs
                .iter()
                .map(|(host, results)| judge(*host, case, &results[i].1))
                .collect();
            (case, cells)
        })
        .collect()
}

/// Issues `code` in the memory form with the implementation's two parameter pages.
fn memory_call(imp: &mut dyn Implementation, code: CallCode) -> Outcome {
    let (rdx, r8) = (imp.input_page(), imp.output_page());
    issue(imp, code, false, rdx, r8)
}

/// Issues `code` in the fast or memory form with RDX and R8.
fn issue(imp: &mut dyn Implementation, code: CallCode, fast: bool, rdx: u64, r8: u64) -> Outcome {
    let rcx = HypercallInput::new().with_call_code(code).with_fast(fast).into_bits();
    imp.call(Registers { rcx, rdx, r8 })
}

fn post(imp: &mut dyn Implementation, data: &[u8], options: u32) -> Outcome {
    imp.write(imp.input_page(), (data.len() as u32).as_bytes());
    imp.write(imp.input_page() + 4, options.as_bytes());
    imp.write(imp.input_page() + 8, data);
    memory_call(imp, CallCode::POST_DEBUG_DATA)
}

fn retrieve(imp: &mut dyn Implementation, count: u32, options: u32, timeout: u64) -> Outcome {
    imp.write(imp.input_page(), count.as_bytes());
    imp.write(imp.input_page() + 4, options.as_bytes());
    imp.write(imp.input_page() + 8, timeout.as_bytes());
    memory_call(imp, CallCode::RETRIEVE_DEBUG_DATA)
}

/// A fast reset, R8 the output page: the reference ignores it, QEMU writes its answer there (as
/// `hv-guest`'s `DebugCalls::reset` passes it).
fn reset(imp: &mut dyn Implementation, options: u64) -> Outcome {
    let r8 = imp.output_page();
    issue(imp, CallCode::RESET_DEBUG_SESSION, true, options, r8)
}

fn output_u32(imp: &mut dyn Implementation, at: u64) -> u32 {
    let mut word = [0u8; 4];
    imp.read(imp.output_page() + at, &mut word);
    u32::from_le_bytes(word)
}

fn expect(what: &str, got: Outcome, status: HvStatus) -> Result<(), String> {
    if got == Outcome::Complete(status.into()) {
        Ok(())
    } else {
        Err(format!("{what}: expected {status}, got {got}"))
    }
}

fn expect_eq<T: PartialEq + core::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

/// `got` is the bytes `want`; a difference prints both in hex.
fn expect_bytes(what: &str, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:02x?}, got {got:02x?}"))
    }
}

/// The host receives exactly `want`.
fn expect_received(imp: &mut dyn Implementation, what: &str, want: &[u8]) -> Result<(), String> {
    let mut buf = [0u8; 64];
    let n = imp.receive(&mut buf);
    expect_bytes(what, &buf[..n], want)
}

const PURGE_IN: u64 = DebugPurgeOptions::PURGE_INCOMING_DATA.bits() as u64;
const PURGE_OUT: u64 = DebugPurgeOptions::PURGE_OUTGOING_DATA.bits() as u64;
const LOOP: u32 = DebugRetrieveOptions::RETRIEVE_LOOP.bits();
const TEST_ACTIVITY: u32 = DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY.bits();

/// Every case, in the order the reference documents the behaviours.
pub static CASES: &[Case] = &[
    Case {
        name: "unknown_call_code",
        behaviour: "a call code the hypervisor does not implement is INVALID_HYPERCALL_CODE",
        check: |imp| {
            let got = imp.call(Registers {
                rcx: 0xFFFF,
                rdx: imp.input_page(),
                r8: imp.output_page(),
            });
            expect("call code 0xFFFF", got, HvStatus::INVALID_HYPERCALL_CODE)
        },
    },
    Case {
        name: "input_value_checked",
        behaviour: "a fast post (the call has no fast form) is INVALID_HYPERCALL_INPUT",
        check: |imp| {
            let got = issue(imp, CallCode::POST_DEBUG_DATA, true, 0, 0);
            expect("fast post", got, HvStatus::INVALID_HYPERCALL_INPUT)
        },
    },
    Case {
        name: "parameter_alignment",
        behaviour: "a parameter block that is not 8-byte aligned or not mapped is INVALID_ALIGNMENT",
        check: |imp| {
            let misaligned = {
                let (rdx, r8) = (imp.input_page() + 4, imp.output_page());
                issue(imp, CallCode::RETRIEVE_DEBUG_DATA, false, rdx, r8)
            };
            expect("input at +4", misaligned, HvStatus::INVALID_ALIGNMENT)?;
            let unmapped = {
                let (rdx, r8) = (imp.unmapped(), imp.output_page());
                issue(imp, CallCode::RETRIEVE_DEBUG_DATA, false, rdx, r8)
            };
            expect("unmapped input", unmapped, HvStatus::INVALID_ALIGNMENT)
        },
    },
    Case {
        name: "gate_before_parameter_pages",
        behaviour: "a caller the gate refuses learns nothing about guest memory: ACCESS_DENIED for a misaligned or unmapped block too",
        check: |imp| {
            imp.set_privileges(PartitionPrivileges::empty());
            let misaligned = {
                let (rdx, r8) = (imp.input_page() + 4, imp.output_page());
                issue(imp, CallCode::RETRIEVE_DEBUG_DATA, false, rdx, r8)
            };
            expect("input at +4", misaligned, HvStatus::ACCESS_DENIED)?;
            let unmapped = {
                let (rdx, r8) = (imp.unmapped(), imp.output_page());
                issue(imp, CallCode::POST_DEBUG_DATA, false, rdx, r8)
            };
            expect("unmapped input", unmapped, HvStatus::ACCESS_DENIED)
        },
    },
    Case {
        name: "access_check_order",
        behaviour: "debugging off is FEATURE_UNAVAILABLE before no privilege (ACCESS_DENIED) before channel 0 (OPERATION_DENIED)",
        check: |imp| {
            imp.set_channel_id(DebugChannelId(0));
            imp.set_privileges(PartitionPrivileges::empty());
            imp.set_debugging(false);
            expect("all three", post(imp, b"x", 0), HvStatus::FEATURE_UNAVAILABLE)?;
            imp.set_debugging(true);
            expect("privilege and channel", post(imp, b"x", 0), HvStatus::ACCESS_DENIED)?;
            imp.set_privileges(PartitionPrivileges::DEBUGGING);
            expect("channel 0", post(imp, b"x", 0), HvStatus::OPERATION_DENIED)
        },
    },
    Case {
        name: "post_success",
        behaviour: "a post appends its bytes and returns PendingCount, these included",
        check: |imp| {
            expect("first post", post(imp, b"hello", 0), HvStatus::SUCCESS)?;
            expect("second post", post(imp, b"world!", 0), HvStatus::SUCCESS)?;
            expect_eq("PendingCount", output_u32(imp, 0), 11)?;
            expect_received(imp, "host receives", b"helloworld!")
        },
    },
    Case {
        name: "post_count_limits",
        behaviour: "Count 0 is a legal probe; Count above 4088 is INVALID_PARAMETER",
        check: |imp| {
            expect("Count 0", post(imp, b"", 0), HvStatus::SUCCESS)?;
            imp.write(imp.input_page(), 4089u32.as_bytes());
            let got = memory_call(imp, CallCode::POST_DEBUG_DATA);
            expect("Count 4089", got, HvStatus::INVALID_PARAMETER)
        },
    },
    Case {
        name: "post_options",
        behaviour: "POST_LOOP is accepted; an undefined option is INVALID_PARAMETER",
        check: |imp| {
            expect(
                "POST_LOOP",
                post(imp, b"x", DebugPostOptions::POST_LOOP.bits()),
                HvStatus::SUCCESS,
            )?;
            expect("option 0x2", post(imp, b"x", 0x2), HvStatus::INVALID_PARAMETER)
        },
    },
    Case {
        name: "post_all_or_nothing",
        behaviour: "a post that does not fit is INSUFFICIENT_BUFFERS and posts nothing",
        check: |imp| {
            let block = [0x5Au8; 4000];
            expect("first", post(imp, &block, 0), HvStatus::SUCCESS)?;
            expect("second", post(imp, &block, 0), HvStatus::SUCCESS)?;
            expect("third, no room", post(imp, &block, 0), HvStatus::INSUFFICIENT_BUFFERS)?;
            let mut buf = [0u8; BUFFER];
            expect_eq("bytes the host can receive", imp.receive(&mut buf), 8000)
        },
    },
    Case {
        name: "retrieve_success",
        behaviour: "a retrieve moves up to Count bytes to the output page and reports RetrievedCount",
        check: |imp| {
            imp.deliver(b"abcdef");
            expect("retrieve 4", retrieve(imp, 4, 0, 0), HvStatus::SUCCESS)?;
            expect_eq("RetrievedCount", output_u32(imp, 0), 4)?;
            let mut data = [0u8; 4];
            imp.read(imp.output_page() + 8, &mut data);
            expect_bytes("data", &data, b"abcd")
        },
    },
    Case {
        name: "retrieve_remaining_count",
        behaviour: "RemainingCount is the bytes still pending after the call",
        check: |imp| {
            imp.deliver(b"abcdef");
            expect("retrieve 16", retrieve(imp, 16, 0, 0), HvStatus::SUCCESS)?;
            expect_eq("RemainingCount after taking all 6", output_u32(imp, 4), 0)?;
            imp.deliver(b"abcdef");
            expect("retrieve 2", retrieve(imp, 2, 0, 0), HvStatus::SUCCESS)?;
            expect_eq("RemainingCount after taking 2", output_u32(imp, 4), 4)
        },
    },
    Case {
        name: "retrieve_no_data",
        behaviour: "a retrieve with nothing pending and no LOOP is NO_DATA",
        check: |imp| expect("empty", retrieve(imp, 8, 0, 0), HvStatus::NO_DATA),
    },
    Case {
        name: "retrieve_test_activity",
        behaviour: "TEST_ACTIVITY is INACTIVE when nothing arrived since the last retrieve attempt",
        check: |imp| {
            imp.deliver(b"x");
            expect("data arrived", retrieve(imp, 8, TEST_ACTIVITY, 0), HvStatus::SUCCESS)?;
            expect("nothing since", retrieve(imp, 8, TEST_ACTIVITY, 0), HvStatus::INACTIVE)
        },
    },
    Case {
        name: "test_activity_before_parameters",
        behaviour: "TEST_ACTIVITY comes before the parameter checks: INACTIVE for a Count over 4088 too, and a retrieve the parameters refuse leaves the activity mark",
        check: |imp| {
            let too_many = hv_abi::debug::HV_DEBUG_MAXIMUM_DATA_SIZE as u32 + 1;
            expect(
                "inactive, Count 4089",
                retrieve(imp, too_many, TEST_ACTIVITY, 0),
                HvStatus::INACTIVE,
            )?;
            imp.deliver(b"x");
            expect(
                "active, Count 4089",
                retrieve(imp, too_many, TEST_ACTIVITY, 0),
                HvStatus::INVALID_PARAMETER,
            )?;
            expect(
                "the byte still counts",
                retrieve(imp, 8, TEST_ACTIVITY, 0),
                HvStatus::SUCCESS,
            )
        },
    },
    Case {
        name: "retrieve_loop_waits",
        behaviour: "LOOP with a timeout waits for data; a delivery ends the wait, the timeout ends it with NO_DATA",
        check: |imp| {
            let got = retrieve(imp, 8, LOOP, 1000);
            if got != Outcome::Waiting {
                return Err(format!("LOOP with nothing pending: expected the VP waiting, got {got}"));
            }
            expect_eq("timeout", imp.advance(1000), Some(HvStatus::NO_DATA.into()))
        },
    },
    Case {
        name: "reset_purges",
        behaviour: "a reset purges the buffers it names; pending data is lost",
        check: |imp| {
            imp.deliver(b"incoming");
            expect("post", post(imp, b"outgoing", 0), HvStatus::SUCCESS)?;
            expect("purge both", reset(imp, PURGE_IN | PURGE_OUT), HvStatus::SUCCESS)?;
            expect("nothing to retrieve", retrieve(imp, 8, 0, 0), HvStatus::NO_DATA)?;
            expect_received(imp, "nothing to receive", b"")
        },
    },
    Case {
        name: "reset_purges_only_what_it_names",
        behaviour: "PURGE_INCOMING_DATA leaves the outgoing buffer alone",
        check: |imp| {
            expect("post", post(imp, b"keep", 0), HvStatus::SUCCESS)?;
            imp.deliver(b"drop");
            expect("purge incoming", reset(imp, PURGE_IN), HvStatus::SUCCESS)?;
            expect_received(imp, "outgoing kept", b"keep")
        },
    },
    Case {
        name: "reset_nothing_to_purge",
        behaviour: "a reset that purges nothing is NO_DATA",
        check: |imp| expect("empty buffers", reset(imp, PURGE_IN | PURGE_OUT), HvStatus::NO_DATA),
    },
    Case {
        name: "reset_validates_options",
        behaviour: "a reset naming no buffer, or an undefined option, is INVALID_PARAMETER",
        check: |imp| {
            imp.deliver(b"x");
            expect("no option", reset(imp, 0), HvStatus::INVALID_PARAMETER)?;
            expect("option 0x4", reset(imp, 0x4 | PURGE_IN), HvStatus::INVALID_PARAMETER)
        },
    },
    Case {
        name: "reset_writes_no_output",
        behaviour: "a reset has no output: the output page is left as it was",
        check: |imp| {
            imp.deliver(b"x");
            imp.write(imp.output_page(), &[0xEE; 24]);
            imp.write(imp.input_page(), (PURGE_IN | PURGE_OUT).as_bytes());
            let got = memory_call(imp, CallCode::RESET_DEBUG_SESSION);
            expect("memory-form reset", got, HvStatus::SUCCESS)?;
            let mut out = [0u8; 24];
            imp.read(imp.output_page(), &mut out);
            expect_bytes("output page", &out, &[0xEE; 24])
        },
    },
    Case {
        name: "accounting_balances",
        behaviour: "every byte is read, purged, dropped or pending: a full incoming buffer drops the excess on arrival",
        check: |imp| {
            let first = [1u8; BUFFER - 100];
            expect_eq("dropped from a delivery that fits", imp.deliver(&first), 0)?;
            expect_eq("dropped from one that does not", imp.deliver(&[2u8; 300]), 200)?;
            let mut taken = 0u32;
            while let Outcome::Complete(out) = retrieve(imp, 4088, 0, 0) {
                if out.status() != HvStatus::SUCCESS {
                    break;
                }
                taken += output_u32(imp, 0);
            }
            expect_eq("bytes retrieved", taken as usize, BUFFER)
        },
    },
    Case {
        name: "failed_call_changes_nothing",
        behaviour: "a refused call leaves the buffers and the output page as they were",
        check: |imp| {
            imp.deliver(b"pending");
            imp.write(imp.output_page(), &[0xEE; 16]);
            expect("Count 4089", retrieve(imp, 4089, 0, 0), HvStatus::INVALID_PARAMETER)?;
            let mut out = [0u8; 16];
            imp.read(imp.output_page(), &mut out);
            expect_bytes("output page", &out, &[0xEE; 16])?;
            expect("data still there", retrieve(imp, 16, 0, 0), HvStatus::SUCCESS)?;
            expect_eq("all of it", output_u32(imp, 0), 7)
        },
    },
];

/// One step of a differential sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A post of this many bytes with these options.
    Post {
        /// Count.
        count: u16,
        /// Options.
        options: u32,
    },
    /// A retrieve.
    Retrieve {
        /// Count.
        count: u16,
        /// Options.
        options: u32,
        /// Timeout.
        timeout: u16,
    },
    /// A fast reset with these options.
    Reset {
        /// Options (RDX).
        options: u64,
    },
    /// The host delivers this many bytes.
    Deliver(u16),
    /// The host receives up to this many bytes.
    Receive(u16),
    /// The clock advances.
    Advance(u16),
}

/// Where an implementation first disagrees with the reference on a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The index of the step.
    pub step: usize,
    /// The step.
    pub op: Op,
    /// What the reference did.
    pub reference: String,
    /// What the implementation did.
    pub implementation: String,
}

/// Runs `ops` on a fresh reference model and a fresh `imp`, comparing each step's visible result (status
/// or wait, the output page's first 16 bytes, the bytes the host receives, a wait's end).
pub fn differential(imp: &mut dyn Implementation, ops: &[Op]) -> Result<(), Divergence> {
    differential_with(imp, Host::Reference, ops)
}

/// [`differential`] against `host`'s profile instead of the reference: a VMM that means to behave like
/// KVM, say, checks exactly that.
pub fn differential_with(imp: &mut dyn Implementation, host: Host, ops: &[Op]) -> Result<(), Divergence> {
    let mut reference = Model::of(host);
    imp.fresh();
    let mut byte = 0u8;
    for (step, op) in ops.iter().enumerate() {
        let sides: [&mut dyn Implementation; 2] = [&mut reference, &mut *imp];
        let mut seen: [String; 2] = [String::new(), String::new()];
        for (side, target) in sides.into_iter().enumerate() {
            let mut stamp = byte;
            let mut fill = |n: usize| -> Vec<u8> {
                (0..n)
                    .map(|_| {
                        stamp = stamp.wrapping_add(1);
                        stamp
                    })
                    .collect()
            };
            seen[side] = match *op {
                Op::Post { count, options } => {
                    let outcome = post(target, &fill(usize::from(count)), options);
                    format!("{outcome:?} pending {}", output_u32(target, 0))
                }
                Op::Retrieve {
                    count,
                    options,
                    timeout,
                } => {
                    let outcome = retrieve(target, u32::from(count), options, u64::from(timeout));
                    let mut out = [0u8; 16];
                    target.read(target.output_page(), &mut out);
                    format!("{outcome:?} output {out:02x?}")
                }
                Op::Reset { options } => format!("{:?}", reset(target, options)),
                Op::Deliver(n) => format!("dropped {}", target.deliver(&fill(usize::from(n)))),
                Op::Receive(n) => {
                    let mut buf = alloc::vec![0u8; usize::from(n)];
                    let got = target.receive(&mut buf);
                    format!("received {:02x?}", &buf[..got])
                }
                Op::Advance(t) => format!("{:?}", target.advance(u64::from(t))),
            };
            if side == 1 {
                byte = stamp;
            }
        }
        let [reference_saw, imp_saw] = seen;
        if reference_saw != imp_saw {
            return Err(Divergence {
                step,
                op: op.clone(),
                reference: reference_saw,
                implementation: imp_saw,
            });
        }
    }
    Ok(())
}

/// Random sequences for [`differential`] (feature `proptest`); proptest shrinks a failing one to a
/// minimal sequence.
#[cfg(feature = "proptest")]
pub fn ops() -> impl proptest::strategy::Strategy<Value = Vec<Op>> {
    use proptest::prelude::*;
    let op = prop_oneof![
        (0u16..5000, 0u32..4).prop_map(|(count, options)| Op::Post { count, options }),
        (0u16..64, 0u32..4, 0u16..100).prop_map(|(count, options, timeout)| Op::Retrieve {
            count,
            options,
            timeout
        }),
        (0u64..8).prop_map(|options| Op::Reset { options }),
        (0u16..6000).prop_map(Op::Deliver),
        (0u16..5000).prop_map(Op::Receive),
        (0u16..200).prop_map(Op::Advance),
    ];
    proptest::collection::vec(op, 0..40)
}
