//! Real hosts of the debug hypercalls, modelled: the dispatcher behaviour of KVM, QEMU under KVM and
//! VirtualBox as profiles a VMM or a test can pick beside the reference, each difference a named rule
//! with its source.
//!
//! The facts come from the hosts' public source, read line by line in the project's
//! `reference/real-hosts.md` (Linux KVM v6.16.1 `arch/x86/kvm/hyperv.c`; QEMU `hw/hyperv/hyperv.c`,
//! `hw/hyperv/syndbg.c` and `target/i386/kvm/hyperv.c` at 06b40d25; VirtualBox `GIMAllHv.cpp` r99208 and
//! `GIMHv.cpp` r98103). Every [`Rule`] cites the lines it follows.
//!
//! - [`Host::Reference`]: the 2013 WDK pages, [`crate::debug_calls`].
//! - [`Host::Kvm`]: KVM's front end (a filter in front of the VMM, `kvm_hv_hypercall`) and then the
//!   reference as the VMM behind it: what a Rust VMM on KVM's Hyper-V emulation presents.
//! - [`Host::QemuKvm`]: KVM's front end and then QEMU's `hv-syndbg` device: no buffers (a post is one
//!   UDP datagram, a retrieve one datagram), raw Ethernet/IPv4/UDP frames on the hypercall path, Count
//!   ignored on retrieve, nothing purged, a 24-byte reset output at R8.
//! - [`Host::VirtualBox`]: the GIM Hyper-V provider: no input-value checks (its reserved-bit macros shift
//!   to 0), the fast bit ignored, output written on failure, one buffered chunk per retrieve,
//!   TEST_ACTIVITY always SUCCESS, nothing purged.
//!
//! What a host cannot do safely is modelled and reported, never done: QEMU and VirtualBox write a whole
//! datagram after the output header whatever Count says, which can run past the output page; the
//! profiles write what fits in the page and count the rest ([`DebugChannel::bytes_past_output_page`]).
//!
//! [`Host::divergences`] lists, for each profile, the conformance cases where it departs from the
//! reference and the rule that makes it; [`crate::conformance::matrix`] checks every profile against it.

pub(crate) mod frame;
mod kvm;
mod qemu;
mod span;
mod virtualbox;

use hv_abi::HvStatus;
use hv_x64::HypercallRegisters;

use crate::channel::DebugChannel;
use crate::debug_calls::{self, DebugAccess, Dispatch};
use crate::memory::GuestMemoryAccess;

/// A host of the debug hypercalls whose behaviour the model reproduces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Host {
    /// The 2013 WDK reference pages, as [`crate::debug_calls`] serves them (the default).
    #[default]
    Reference,
    /// Linux KVM's Hyper-V front end in front of the reference.
    Kvm,
    /// Linux KVM's front end in front of QEMU's `hv-syndbg` device.
    QemuKvm,
    /// VirtualBox's GIM Hyper-V provider.
    VirtualBox,
}

impl Host {
    /// Every profile, in the order the matrix prints them.
    pub const ALL: &'static [Host] = &[Host::Reference, Host::Kvm, Host::QemuKvm, Host::VirtualBox];

    /// The profile's short name (`hvtool conformance --host NAME`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Host::Reference => "reference",
            Host::Kvm => "kvm",
            Host::QemuKvm => "qemu-kvm",
            Host::VirtualBox => "virtualbox",
        }
    }

    /// The profile named `name`, as [`name`](Self::name) spells it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Host> {
        Host::ALL.iter().copied().find(|h| h.name() == name)
    }

    /// The rules that make this profile differ from the reference.
    #[must_use]
    pub const fn rules(self) -> &'static [Rule] {
        match self {
            Host::Reference => &[],
            Host::Kvm => kvm::RULES,
            Host::QemuKvm => qemu::RULES,
            Host::VirtualBox => virtualbox::RULES,
        }
    }

    /// The rule named `name` of this profile.
    #[must_use]
    pub fn rule(self, name: &str) -> Option<&'static Rule> {
        self.rules().iter().find(|r| r.name == name)
    }

    /// The conformance cases this profile fails, each with the rule that makes it fail and what the
    /// failure says because of that rule (a part of the case's message); every other case passes.
    #[must_use]
    pub const fn divergences(self) -> &'static [Divergence] {
        match self {
            Host::Reference => &[],
            Host::Kvm => kvm::DIVERGENCES,
            Host::QemuKvm => qemu::DIVERGENCES,
            Host::VirtualBox => virtualbox::DIVERGENCES,
        }
    }
}

impl core::fmt::Display for Host {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A conformance case a profile fails: the case, the rule that makes it fail, and what the failure says
/// because of the rule (a part of the case's message, so another cause does not pass for it).
pub type Divergence = (&'static str, &'static str, &'static str);

/// One way a host differs from the reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// A short name, unique in its profile (`qemu.post_needs_udp_frame`).
    pub name: &'static str,
    /// What the host does.
    pub behaviour: &'static str,
    /// Where its source says so (file:line at the version `reference/real-hosts.md` names).
    pub source: &'static str,
}

/// What KVM's front end reads besides the partition's [`DebugAccess`]: `KVM_CAP_HYPERV_ENFORCE_CPUID`, and
/// the `USE_HCALLS` bit (2) of `HV_X64_MSR_SYNDBG_OPTIONS`, which QEMU sets with `use_hcalls=on`. The other
/// profiles ignore them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostSettings {
    /// KVM checks the partition's CPUID privileges (the Debugging privilege) before anything else.
    pub enforce_cpuid: bool,
    /// The guest enabled the hypercall interface of the synthetic debugger.
    pub use_hcalls: bool,
}

impl HostSettings {
    /// KVM's settings: `ENFORCE_CPUID` and `USE_HCALLS` as given.
    #[must_use]
    pub const fn new(enforce_cpuid: bool, use_hcalls: bool) -> Self {
        Self {
            enforce_cpuid,
            use_hcalls,
        }
    }
}

impl Default for HostSettings {
    /// Privileges not enforced by KVM (its default), the hypercall interface on (the guest sets
    /// `USE_HCALLS`; QEMU's `use_hcalls` property, which sets it for the guest, defaults to off).
    fn default() -> Self {
        Self {
            enforce_cpuid: false,
            use_hcalls: true,
        }
    }
}

/// A host and its settings: what a partition's debug calls follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The host.
    pub host: Host,
    /// What KVM's front end reads, for the KVM profiles.
    pub settings: HostSettings,
}

impl Profile {
    /// `host` with the default settings.
    #[must_use]
    pub fn of(host: Host) -> Self {
        Self {
            host,
            settings: HostSettings::default(),
        }
    }
}

/// Runs one debug hypercall as `profile`'s host serves it; see [`debug_calls::dispatch`] for the
/// arguments. Only the reference and KVM (whose VMM is the reference) suspend a VP; QEMU and VirtualBox
/// ignore `RETRIEVE_LOOP`.
pub fn dispatch<M: GuestMemoryAccess + ?Sized>(
    profile: &Profile,
    regs: HypercallRegisters,
    access: &DebugAccess,
    channel: &mut DebugChannel,
    memory: &mut M,
    now: u64,
) -> Dispatch {
    let settings = &profile.settings;
    match profile.host {
        Host::Reference => debug_calls::dispatch(regs, access, channel, memory, now),
        Host::Kvm => match kvm::front_end(settings, regs, access) {
            Some(status) => complete(status),
            None => debug_calls::dispatch(regs, access, channel, memory, now),
        },
        Host::QemuKvm => match kvm::front_end(settings, regs, access) {
            Some(status) => complete(status),
            None => complete(qemu::device(regs, channel, memory)),
        },
        Host::VirtualBox => complete(virtualbox::dispatch(regs, access, channel, memory)),
    }
}

/// Whether the host end can deliver to a partition: the reference (and a VMM behind KVM's front end)
/// refuses a channel the guest cannot use; QEMU's socket and VirtualBox's stream check nothing.
pub fn host_end_usable(host: Host, access: &DebugAccess) -> hv_abi::HvResult<()> {
    match host {
        Host::Reference | Host::Kvm => access.check(),
        Host::QemuKvm | Host::VirtualBox => Ok(()),
    }
}

fn complete(status: HvStatus) -> Dispatch {
    Dispatch::Complete(hv_abi::HypercallOutput::from_status(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_divergence_names_a_rule_of_its_profile_and_every_rule_is_unique() {
        for host in Host::ALL.iter().copied() {
            for (case, rule, evidence) in host.divergences() {
                assert!(host.rule(rule).is_some(), "{host}: {case} names no rule {rule}");
                assert!(!evidence.is_empty(), "{host}: {case}");
            }
            for (i, rule) in host.rules().iter().enumerate() {
                assert!(!rule.behaviour.is_empty() && !rule.source.is_empty(), "{}", rule.name);
                assert!(
                    host.rules()[..i].iter().all(|r| r.name != rule.name),
                    "{} twice",
                    rule.name
                );
            }
            assert_eq!(Host::from_name(host.name()), Some(host));
        }
    }
}
