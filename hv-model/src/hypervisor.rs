//! The hypervisor model: configuration, partitions, the dispatcher and the host API.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use hv_abi::debug::{DebugChannelId, HV_DEBUG_MAXIMUM_DATA_SIZE};
use hv_abi::{HvResult, HvStatus, HypercallOutput, PartitionId, PartitionPrivileges, PartitionPropertyCode, VpIndex};

use crate::channel::{Accounting, DebugChannel};
use crate::debug_calls::{self, DebugAccess, Dispatch};
use crate::fail;
use crate::hosts::{self, HostSettings, Profile};
use crate::synthetic::{self, MsrWrite, SyntheticMsrs};
use hv_x64::cpuid::{CpuidLeaf, CpuidResult, FeatureFlags};
use hv_x64::msr::SyntheticMsr;

/// What the model writes into an enabled hypercall page: VMCALL (0F 01 C1) and RET, as Hyper-V does on
/// Intel processors (the model's VPs call through `Hypervisor::dispatch`, not this code).
const HYPERCALL_CODE: [u8; 4] = [0x0F, 0x01, 0xC1, 0xC3];
use crate::memory::GuestMemory;
use hv_x64::HypercallRegisters as Registers;

/// Hypervisor-wide settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Guest debugging support is present (CPUID 0x40000003 EDX bit 1).
    pub debugging_supported: bool,
    /// Guest debugging is enabled at start.
    pub debugging_enabled: bool,
    /// Capacity of each partition's incoming (host-to-guest) buffer in bytes.
    pub incoming_capacity: usize,
    /// Capacity of each partition's outgoing (guest-to-host) buffer; at least one maximal post (4088).
    pub outgoing_capacity: usize,
    /// Whose debug calls the partitions get: the reference's, or a real host's ([`crate::hosts`]).
    pub profile: Profile,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            debugging_supported: true,
            debugging_enabled: true,
            incoming_capacity: 2 * 4096,
            outgoing_capacity: 2 * 4096,
            profile: Profile::default(),
        }
    }
}

/// The configuration cannot describe a hypervisor the reference allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The outgoing capacity given, smaller than one maximal post.
    pub outgoing_capacity: usize,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "outgoing_capacity {} cannot hold one maximal post of {HV_DEBUG_MAXIMUM_DATA_SIZE} bytes",
            self.outgoing_capacity
        )
    }
}

impl core::error::Error for ConfigError {}

/// Where a partition is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionState {
    /// Running: VPs may issue hypercalls.
    Running,
    /// The partition ran to completion; its outgoing data can still be received.
    Completed,
    /// The partition was terminated; its buffers were purged.
    Terminated,
}

/// A lifecycle change that the debugger engine reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionEvent {
    /// The partition was reset; its debug buffers were purged.
    Reset(PartitionId),
    /// The partition was saved or suspended; buffered debug data is not kept.
    Saved(PartitionId),
    /// The partition was terminated.
    Terminated(PartitionId),
    /// The partition ran to completion.
    RanToCompletion(PartitionId),
    /// The partition's DebugChannelId property changed.
    ChannelIdChanged {
        /// The partition.
        partition: PartitionId,
        /// The id before.
        old: DebugChannelId,
        /// The id now.
        new: DebugChannelId,
    },
    /// The partition's privileges changed.
    PrivilegesChanged {
        /// The partition.
        partition: PartitionId,
        /// The privileges before.
        old: PartitionPrivileges,
        /// The privileges now.
        new: PartitionPrivileges,
    },
    /// Guest debugging was disabled in the hypervisor (every partition).
    DebuggingDisabled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VpState {
    Running,
    Waiting { regs: Registers, deadline: u64 },
}

#[derive(Debug)]
struct Vp {
    state: VpState,
    completion: Option<HypercallOutput>,
}

/// One partition: privileges, properties, memory, VPs and its debug channel.
#[derive(Debug)]
pub struct Partition {
    id: PartitionId,
    state: PartitionState,
    privileges: PartitionPrivileges,
    channel_id: DebugChannelId,
    /// Guest physical memory.
    pub memory: GuestMemory,
    vps: Vec<Vp>,
    channel: DebugChannel,
    /// The partition's synthetic MSRs (guest OS id, hypercall page).
    msrs: SyntheticMsrs,
}

impl Partition {
    /// The partition's id.
    #[must_use]
    pub fn id(&self) -> PartitionId {
        self.id
    }

    /// Where the partition is in its life.
    #[must_use]
    pub fn state(&self) -> PartitionState {
        self.state
    }

    /// The partition's privileges.
    #[must_use]
    pub fn privileges(&self) -> PartitionPrivileges {
        self.privileges
    }

    /// The DebugChannelId property.
    #[must_use]
    pub fn channel_id(&self) -> DebugChannelId {
        self.channel_id
    }

    /// The debug channel's accounting.
    #[must_use]
    pub fn channel(&self) -> &DebugChannel {
        &self.channel
    }

    /// Number of virtual processors.
    #[must_use]
    pub fn vp_count(&self) -> usize {
        self.vps.len()
    }

    fn cancel_waits(&mut self) {
        for vp in &mut self.vps {
            vp.state = VpState::Running;
        }
    }

    /// Both debug buffers are purged, and VPs waiting on them stop waiting (reset, save, termination).
    fn purge_channel(&mut self) {
        self.cancel_waits();
        self.channel.purge();
    }
}

/// The hypervisor: owns every partition and the virtual clock.
///
/// Every per-call step costs the same for any number of partitions: a partition is found by index, and
/// whether its DebugChannelId is shared is a count per id kept current by property changes and
/// terminations.
pub struct Hypervisor {
    config: Config,
    debugging_enabled: bool,
    now: u64,
    partitions: Vec<Partition>,
    /// For each DebugChannelId, how many partitions that are not terminated have it.
    channel_users: Box<[u32]>,
}

impl core::fmt::Debug for Hypervisor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hypervisor")
            .field("config", &self.config)
            .field("debugging_enabled", &self.debugging_enabled)
            .field("now", &self.now)
            .field("partitions", &self.partitions)
            .finish_non_exhaustive()
    }
}

impl Hypervisor {
    /// A hypervisor with no partitions.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        if config.outgoing_capacity < HV_DEBUG_MAXIMUM_DATA_SIZE {
            return Err(ConfigError {
                outgoing_capacity: config.outgoing_capacity,
            });
        }
        Ok(Self {
            debugging_enabled: config.debugging_enabled,
            config,
            now: 0,
            partitions: Vec::new(),
            channel_users: vec![0; 1 << 16].into_boxed_slice(),
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The virtual clock, in 100 ns units.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Creates a running partition with `vp_count` VPs, no memory and DebugChannelId 0.
    ///
    /// Its debug buffers and VPs are allocated now, so that no hypercall allocates; when the allocator
    /// cannot provide them (a capacity or VP count too large), the result is
    /// `HV_STATUS_INSUFFICIENT_MEMORY`, as HvCallCreatePartition answers, and nothing is created.
    pub fn create_partition(&mut self, privileges: PartitionPrivileges, vp_count: u32) -> HvResult<PartitionId> {
        let channel = DebugChannel::new(self.config.incoming_capacity, self.config.outgoing_capacity)?;
        let mut vps = Vec::new();
        vps.try_reserve_exact(vp_count as usize)
            .or_else(|_| fail(HvStatus::INSUFFICIENT_MEMORY))?;
        vps.extend((0..vp_count).map(|_| Vp {
            state: VpState::Running,
            completion: None,
        }));
        self.partitions
            .try_reserve(1)
            .or_else(|_| fail(HvStatus::INSUFFICIENT_MEMORY))?;
        let id = PartitionId(self.partitions.len() as u64 + 1);
        self.partitions.push(Partition {
            id,
            state: PartitionState::Running,
            privileges,
            channel_id: DebugChannelId(0),
            memory: GuestMemory::default(),
            vps,
            channel,
            msrs: SyntheticMsrs::default(),
        });
        self.channel_users[0] += 1;
        Ok(id)
    }

    fn index(&self, id: PartitionId) -> HvResult<usize> {
        let i = id.0.checked_sub(1).and_then(|i| usize::try_from(i).ok());
        match i {
            Some(i) if i < self.partitions.len() => Ok(i),
            _ => fail(HvStatus::INVALID_PARTITION_ID),
        }
    }

    /// A partition, or `HV_STATUS_INVALID_PARTITION_ID`.
    pub fn partition(&self, id: PartitionId) -> HvResult<&Partition> {
        Ok(&self.partitions[self.index(id)?])
    }

    /// A partition, mutably (to map memory), or `HV_STATUS_INVALID_PARTITION_ID`.
    pub fn partition_mut(&mut self, id: PartitionId) -> HvResult<&mut Partition> {
        let i = self.index(id)?;
        Ok(&mut self.partitions[i])
    }

    /// Reads a partition property: `DebugChannelId` or `PrivilegeFlags`; others are
    /// `HV_STATUS_UNKNOWN_PROPERTY`.
    pub fn property(&self, id: PartitionId, code: PartitionPropertyCode) -> HvResult<u64> {
        let p = self.partition(id)?;
        match code {
            PartitionPropertyCode::DEBUG_CHANNEL_ID => Ok(u64::from(p.channel_id.0)),
            PartitionPropertyCode::PRIVILEGE_FLAGS => Ok(p.privileges.bits()),
            _ => fail(HvStatus::UNKNOWN_PROPERTY),
        }
    }

    /// Writes a partition property (as a parent's HvSetPartitionProperty would); returns the event when
    /// the value changed. `DebugChannelId` takes 16 bits (`HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE`
    /// otherwise); `PrivilegeFlags` keeps every bit.
    pub fn set_property(
        &mut self,
        id: PartitionId,
        code: PartitionPropertyCode,
        value: u64,
    ) -> HvResult<Option<PartitionEvent>> {
        let i = self.index(id)?;
        let p = &mut self.partitions[i];
        match code {
            PartitionPropertyCode::DEBUG_CHANNEL_ID => {
                let new =
                    DebugChannelId(u16::try_from(value).or_else(|_| fail(HvStatus::PROPERTY_VALUE_OUT_OF_RANGE))?);
                let old = core::mem::replace(&mut p.channel_id, new);
                if p.state != PartitionState::Terminated {
                    self.channel_users[usize::from(old.0)] -= 1;
                    self.channel_users[usize::from(new.0)] += 1;
                }
                Ok((old != new).then_some(PartitionEvent::ChannelIdChanged {
                    partition: id,
                    old,
                    new,
                }))
            }
            PartitionPropertyCode::PRIVILEGE_FLAGS => {
                let new = PartitionPrivileges::from_bits_retain(value);
                let old = core::mem::replace(&mut p.privileges, new);
                Ok((old != new).then_some(PartitionEvent::PrivilegesChanged {
                    partition: id,
                    old,
                    new,
                }))
            }
            _ => fail(HvStatus::UNKNOWN_PROPERTY),
        }
    }

    /// Turns guest debugging on or off hypervisor-wide; returns the event when it was turned off.
    pub fn set_debugging_enabled(&mut self, enabled: bool) -> Option<PartitionEvent> {
        let was = core::mem::replace(&mut self.debugging_enabled, enabled);
        (was && !enabled).then_some(PartitionEvent::DebuggingDisabled)
    }

    /// Resets a partition: VPs stop waiting, both debug buffers are purged.
    pub fn reset(&mut self, id: PartitionId) -> HvResult<PartitionEvent> {
        let p = self.running_mut(id)?;
        p.purge_channel();
        // A reset is a power-on: the hypercall page and the guest OS id are gone.
        p.msrs = SyntheticMsrs::default();
        Ok(PartitionEvent::Reset(id))
    }

    /// Saves (suspends) a partition: buffered debug data is not kept, so both buffers are purged.
    pub fn save(&mut self, id: PartitionId) -> HvResult<PartitionEvent> {
        let p = self.running_mut(id)?;
        p.purge_channel();
        Ok(PartitionEvent::Saved(id))
    }

    /// Terminates a partition: its buffers are purged and its VPs issue no more calls.
    pub fn terminate(&mut self, id: PartitionId) -> HvResult<PartitionEvent> {
        let p = self.partition_mut(id)?;
        if p.state == PartitionState::Terminated {
            return fail(HvStatus::INVALID_PARTITION_STATE);
        }
        p.state = PartitionState::Terminated;
        p.purge_channel();
        let channel_id = usize::from(p.channel_id.0);
        self.channel_users[channel_id] -= 1;
        Ok(PartitionEvent::Terminated(id))
    }

    /// The partition ran to completion: its VPs issue no more calls; pending outgoing data stays
    /// receivable.
    pub fn complete(&mut self, id: PartitionId) -> HvResult<PartitionEvent> {
        let p = self.running_mut(id)?;
        p.state = PartitionState::Completed;
        p.cancel_waits();
        Ok(PartitionEvent::RanToCompletion(id))
    }

    fn running_mut(&mut self, id: PartitionId) -> HvResult<&mut Partition> {
        let i = self.running(id)?;
        Ok(&mut self.partitions[i])
    }

    /// The host end: delivers bytes to a partition's incoming buffer. Bytes beyond its free space are
    /// dropped (and counted); returns how many. Waiting retrieves are resumed.
    ///
    /// A channel the guest cannot use ([`debug_access`](Self::debug_access) fails) takes nothing: the
    /// call fails with that status and writes and counts no byte.
    pub fn deliver(&mut self, id: PartitionId, data: &[u8]) -> HvResult<usize> {
        let i = self.running(id)?;
        let access = self.access(i);
        hosts::host_end_usable(self.config.profile.host, &access)?;
        let now = self.now;
        let p = &mut self.partitions[i];
        let dropped = p.channel.deliver(data);
        if !data.is_empty() {
            for vp in &mut p.vps {
                let VpState::Waiting { regs, deadline } = vp.state else {
                    continue;
                };
                // Only the profiles whose VMM is the reference suspend; KVM's front end filtered the call
                // once, when it was made.
                match debug_calls::resume(regs, deadline, &access, &mut p.channel, &mut p.memory, now) {
                    Dispatch::Suspended { .. } => {}
                    Dispatch::Complete(out) => {
                        vp.state = VpState::Running;
                        vp.completion = Some(out);
                    }
                }
            }
        }
        Ok(dropped)
    }

    /// The host end: takes up to `buf.len()` bytes from a partition's outgoing buffer.
    pub fn receive(&mut self, id: PartitionId, buf: &mut [u8]) -> HvResult<usize> {
        let p = self.partition_mut(id)?;
        if p.state == PartitionState::Terminated {
            return fail(HvStatus::INVALID_PARTITION_STATE);
        }
        Ok(p.channel.receive(buf))
    }

    /// CPUID `leaf` as a VP of partition `id` sees it: the hypervisor leaves 0x40000000-0x40000005
    /// (Hyper-V's vendor, interface, version, the partition's privileges and guest debugging when the
    /// hypervisor supports it, its VP count), and leaf 1 with "hypervisor present". The model has no
    /// processor of its own: other leaves read zero.
    pub fn cpuid(&self, id: PartitionId, leaf: u32) -> HvResult<CpuidResult> {
        let p = self.partition(id)?;
        if leaf == 1 {
            return Ok(CpuidResult {
                ecx: 1 << 31,
                ..CpuidResult::default()
            });
        }
        let leaves = synthetic::cpuid_leaves(p.privileges, p.vps.len() as u32);
        let mut result = leaves
            .iter()
            .find(|(l, _)| l.into_bits() == leaf)
            .map_or(CpuidResult::default(), |(_, r)| *r);
        if leaf == CpuidLeaf::FEATURES.into_bits() && !self.config.debugging_supported {
            result.edx &= !FeatureFlags::GUEST_DEBUGGING_AVAILABLE.bits();
        }
        Ok(result)
    }

    /// RDMSR of synthetic MSR `msr` by VP `vp` of partition `id` ([`SyntheticMsrs::read`]); `None` is the
    /// #GP a VP would get.
    pub fn read_msr(&self, id: PartitionId, vp: VpIndex, msr: SyntheticMsr) -> HvResult<Option<u64>> {
        let p = self.partition(id)?;
        if vp.0 as usize >= p.vps.len() {
            return fail(HvStatus::INVALID_VP_INDEX);
        }
        Ok(p.msrs.read(msr, vp.0, p.privileges))
    }

    /// WRMSR of synthetic MSR `msr` in partition `id` ([`SyntheticMsrs::write`]); `None` is a #GP, and then
    /// nothing changed. A hypercall page enabled where the partition maps no memory is a #GP, as in KVM;
    /// an enabled page gets the hypercall code (VMCALL; RET).
    pub fn write_msr(&mut self, id: PartitionId, msr: SyntheticMsr, value: u64) -> HvResult<Option<MsrWrite>> {
        let p = self.running_mut(id)?;
        let mut next = p.msrs;
        let Some(outcome) = next.write(msr, value, p.privileges) else {
            return Ok(None);
        };
        if let MsrWrite::FillHypercallPage(gpa) = outcome {
            if p.memory.write(gpa, &HYPERCALL_CODE).is_err() {
                return Ok(None);
            }
        }
        p.msrs = next;
        Ok(Some(outcome))
    }

    /// Changes what KVM's front end reads ([`Config::profile`]), for the KVM profiles.
    pub fn set_host_settings(&mut self, settings: HostSettings) {
        self.config.profile.settings = settings;
    }

    /// Advances the virtual clock; waits whose deadline has come end with `HV_STATUS_NO_DATA`.
    pub fn advance_clock(&mut self, by: u64) {
        self.now = self.now.saturating_add(by);
        let now = self.now;
        for p in &mut self.partitions {
            for vp in &mut p.vps {
                if let VpState::Waiting { deadline, .. } = vp.state {
                    if deadline <= now {
                        vp.state = VpState::Running;
                        vp.completion = Some(Dispatch::timed_out());
                    }
                }
            }
        }
    }

    /// The result of a call that was [`Dispatch::Suspended`] and has since finished, once.
    pub fn take_completion(&mut self, id: PartitionId, vp: VpIndex) -> HvResult<Option<HypercallOutput>> {
        let p = self.partition_mut(id)?;
        let vp = p
            .vps
            .get_mut(vp.0 as usize)
            .map_or_else(|| fail(HvStatus::INVALID_VP_INDEX), Ok)?;
        Ok(vp.completion.take())
    }

    /// `true` while the VP waits in a suspended call.
    pub fn is_waiting(&self, id: PartitionId, vp: VpIndex) -> HvResult<bool> {
        let p = self.partition(id)?;
        let vp = p
            .vps
            .get(vp.0 as usize)
            .map_or_else(|| fail(HvStatus::INVALID_VP_INDEX), Ok)?;
        Ok(matches!(vp.state, VpState::Waiting { .. }))
    }

    /// Both directions' accounting of a partition's channel: `(incoming, outgoing)`.
    pub fn accounting(&self, id: PartitionId) -> HvResult<(Accounting, Accounting)> {
        let c = self.partition(id)?.channel();
        Ok((c.incoming(), c.outgoing()))
    }

    /// Runs one hypercall from a VP (x64 register convention): a thin user of
    /// [`debug_calls::dispatch`], or of [`hosts::dispatch`] for the configured host.
    ///
    /// First the partition and VP: they exist and can run (`INVALID_PARTITION_ID`,
    /// `INVALID_PARTITION_STATE`, `INVALID_VP_INDEX`, `INVALID_VP_STATE` for a VP that is waiting); then
    /// the call, with the check order of [`crate::debug_calls`]. Output is written only on success. A
    /// suspended call is kept with the VP until a delivery or the clock ends it
    /// ([`take_completion`](Self::take_completion)).
    pub fn dispatch(&mut self, id: PartitionId, vp: VpIndex, regs: Registers) -> Dispatch {
        let status = |s: HvStatus| Dispatch::Complete(HypercallOutput::from_status(s));
        let i = match self.running(id) {
            Ok(i) => i,
            Err(e) => return status(e.status()),
        };
        let access = self.access(i);
        let now = self.now;
        let p = &mut self.partitions[i];
        let Some(vp) = p.vps.get_mut(vp.0 as usize) else {
            return status(HvStatus::INVALID_VP_INDEX);
        };
        if vp.state != VpState::Running {
            return status(HvStatus::INVALID_VP_STATE);
        }
        let result = hosts::dispatch(&self.config.profile, regs, &access, &mut p.channel, &mut p.memory, now);
        if let Dispatch::Suspended { deadline } = result {
            vp.state = VpState::Waiting { regs, deadline };
        }
        result
    }

    /// The index of a running partition, or `INVALID_PARTITION_ID` / `INVALID_PARTITION_STATE`.
    fn running(&self, id: PartitionId) -> HvResult<usize> {
        let i = self.index(id)?;
        if self.partitions[i].state != PartitionState::Running {
            return fail(HvStatus::INVALID_PARTITION_STATE);
        }
        Ok(i)
    }

    /// What the debug calls of partition `i` check: O(1), whatever the number of partitions.
    fn access(&self, i: usize) -> DebugAccess {
        let p = &self.partitions[i];
        let users = self.channel_users[usize::from(p.channel_id.0)];
        let others = users - u32::from(p.state != PartitionState::Terminated);
        DebugAccess {
            debugging_enabled: self.config.debugging_supported && self.debugging_enabled,
            privileges: p.privileges,
            channel_id: p.channel_id,
            channel_shared: others > 0,
        }
    }

    /// Whether a partition's debug channel is usable: `HV_STATUS_FEATURE_UNAVAILABLE` (debugging off),
    /// `HV_STATUS_ACCESS_DENIED` (no Debugging privilege) or `HV_STATUS_OPERATION_DENIED` (channel id
    /// 0 or shared), in that order, as every debug hypercall checks it.
    pub fn debug_access(&self, id: PartitionId) -> HvResult<()> {
        self.access(self.index(id)?).check()
    }
}
