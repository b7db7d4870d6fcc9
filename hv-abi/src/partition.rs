//! Partition privileges, partition property codes, and the VP and partition identifiers.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

crate::flags! {
    /// `HV_PARTITION_PRIVILEGE_MASK` (TLFS `hv_partition_privilege_mask.md`; CPUID 0x40000003 EAX = bits
    /// 31:0, EBX = bits 63:32).
    ///
    /// Bits that the current TLFS lists as reserved but HDK, OpenVMM or Linux name are included with a
    /// note; the 2013 reference reserves bits 11-31.
    pub struct PartitionPrivileges(u64) tlfs_prefix "" {
        /// AccessVpRunTimeReg: the VP run-time MSR.
        const ACCESS_VP_RUN_TIME_REG = 1 << 0;
        /// AccessPartitionReferenceCounter: the partition reference counter MSR.
        const ACCESS_PARTITION_REFERENCE_COUNTER = 1 << 1;
        /// AccessSynicRegs: the SynIC MSRs.
        const ACCESS_SYNIC_REGS = 1 << 2;
        /// AccessSyntheticTimerRegs: the synthetic timer MSRs.
        const ACCESS_SYNTHETIC_TIMER_REGS = 1 << 3;
        /// AccessIntrCtrlRegs (2013/HDK: AccessApicMsrs): the APIC MSRs.
        const ACCESS_INTR_CTRL_REGS = 1 << 4;
        /// AccessHypercallMsrs: the hypercall MSRs.
        const ACCESS_HYPERCALL_MSRS = 1 << 5;
        /// AccessVpIndex: the VP index MSR.
        const ACCESS_VP_INDEX = 1 << 6;
        /// AccessResetReg: the reset MSR.
        const ACCESS_RESET_REG = 1 << 7;
        /// AccessStatsReg: the statistics MSRs.
        const ACCESS_STATS_REG = 1 << 8;
        /// AccessPartitionReferenceTsc: the reference TSC page.
        const ACCESS_PARTITION_REFERENCE_TSC = 1 << 9;
        /// AccessGuestIdleReg: the guest idle MSR.
        const ACCESS_GUEST_IDLE_REG = 1 << 10;
        /// AccessFrequencyRegs: the TSC and APIC frequency MSRs (reserved in 2013).
        const ACCESS_FREQUENCY_REGS = 1 << 11;
        /// AccessDebugRegs: the synthetic debug MSRs (HDK, OpenVMM; TLFS: reserved).
        const ACCESS_DEBUG_REGS = 1 << 12;
        /// AccessReenlightenmentControls: the reenlightenment controls.
        const ACCESS_REENLIGHTENMENT_CONTROLS = 1 << 13;
        /// AccessRootSchedulerReg (HDK, OpenVMM; TLFS: reserved).
        const ACCESS_ROOT_SCHEDULER_REG = 1 << 14;
        /// AccessTscInvariantControls (OpenVMM, Linux; TLFS: reserved).
        const ACCESS_TSC_INVARIANT_CONTROLS = 1 << 15;
        /// CreatePartitions: may create child partitions.
        const CREATE_PARTITIONS = 1 << 32;
        /// AccessPartitionId: may read its partition id.
        const ACCESS_PARTITION_ID = 1 << 33;
        /// AccessMemoryPool: may deposit and withdraw memory.
        const ACCESS_MEMORY_POOL = 1 << 34;
        /// AdjustMessageBuffers (2013, HDK, OpenVMM, Linux; TLFS: reserved).
        const ADJUST_MESSAGE_BUFFERS = 1 << 35;
        /// PostMessages: may post messages.
        const POST_MESSAGES = 1 << 36;
        /// SignalEvents: may signal events.
        const SIGNAL_EVENTS = 1 << 37;
        /// CreatePort: may create ports.
        const CREATE_PORT = 1 << 38;
        /// ConnectPort: may connect ports.
        const CONNECT_PORT = 1 << 39;
        /// AccessStats: may map statistics pages.
        const ACCESS_STATS = 1 << 40;
        /// Debugging: the debugging MSRs and HvPostDebugData / HvRetrieveDebugData / HvResetDebugSession.
        const DEBUGGING = 1 << 43;
        /// CpuManagement: may manage logical processors.
        const CPU_MANAGEMENT = 1 << 44;
        /// ConfigureProfiler (2013, HDK, OpenVMM; TLFS: reserved).
        const CONFIGURE_PROFILER = 1 << 45;
        /// AccessVpExitTracing (HDK, OpenVMM; another Windows header names it EnableExpandedStackwalking).
        const ACCESS_VP_EXIT_TRACING = 1 << 46;
        /// EnableExtendedGvaRangesForFlushVirtualAddressList (HDK, OpenVMM; TLFS: reserved).
        const ENABLE_EXTENDED_GVA_RANGES_FOR_FLUSH_VIRTUAL_ADDRESS_LIST = 1 << 47;
        /// AccessVSM: may use virtual secure mode.
        const ACCESS_VSM = 1 << 48;
        /// AccessVpRegisters: may read and write VP registers.
        const ACCESS_VP_REGISTERS = 1 << 49;
        /// FastHypercallOutput (HDK, OpenVMM; TLFS: reserved).
        const FAST_HYPERCALL_OUTPUT = 1 << 51;
        /// EnableExtendedHypercalls: may use the extended hypercall interface.
        const ENABLE_EXTENDED_HYPERCALLS = 1 << 52;
        /// StartVirtualProcessor: may call HvCallStartVirtualProcessor.
        const START_VIRTUAL_PROCESSOR = 1 << 53;
        /// Isolation (HDK, OpenVMM, Linux; TLFS: reserved).
        const ISOLATION = 1 << 54;
    }
}

/// `HV_PARTITION_PROPERTY_CODE` (TLFS `hv_partition_property_code.md`; 2013 WDK ff540186).
///
/// Open: unknown codes round-trip. `HvPartitionPropertyDebugChannelId` is absent from the current TLFS
/// but present in the 2013 reference, HDK, OpenVMM and Linux.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct PartitionPropertyCode(u32);

#[crate::open_enum(u32)]
impl PartitionPropertyCode {
    /// The partition's privilege mask.
    #[tlfs = "HvPartitionPropertyPrivilegeFlags"]
    pub const PRIVILEGE_FLAGS: Self = Self(0x0001_0000);
    /// Synthetic processor features.
    #[tlfs = "HvPartitionPropertySyntheticProcFeatures"]
    pub const SYNTHETIC_PROC_FEATURES: Self = Self(0x0001_0001);
    /// Whether the partition is suspended.
    #[tlfs = "HvPartitionPropertySuspend"]
    pub const SUSPEND: Self = Self(0x0002_0000);
    /// CPU reserve.
    #[tlfs = "HvPartitionPropertyCpuReserve"]
    pub const CPU_RESERVE: Self = Self(0x0002_0001);
    /// CPU cap.
    #[tlfs = "HvPartitionPropertyCpuCap"]
    pub const CPU_CAP: Self = Self(0x0002_0002);
    /// CPU weight.
    #[tlfs = "HvPartitionPropertyCpuWeight"]
    pub const CPU_WEIGHT: Self = Self(0x0002_0003);
    /// CPU group id.
    #[tlfs = "HvPartitionPropertyCpuGroupId"]
    pub const CPU_GROUP_ID: Self = Self(0x0002_0004);
    /// Emulated timer period (2013 only).
    #[tlfs = "HvPartitionPropertyEmulatedTimerPeriod"]
    pub const EMULATED_TIMER_PERIOD: Self = Self(0x0003_0000);
    /// Emulated timer control (2013 only).
    #[tlfs = "HvPartitionPropertyEmulatedTimerControl"]
    pub const EMULATED_TIMER_CONTROL: Self = Self(0x0003_0001);
    /// PM timer assist (2013 only).
    #[tlfs = "HvPartitionPropertyPmTimerAssist"]
    pub const PM_TIMER_ASSIST: Self = Self(0x0003_0002);
    /// Whether partition time is frozen.
    #[tlfs = "HvPartitionPropertyTimeFreeze"]
    pub const TIME_FREEZE: Self = Self(0x0003_0003);
    /// The partition reference time.
    #[tlfs = "HvPartitionPropertyReferenceTime"]
    pub const REFERENCE_TIME: Self = Self(0x0003_0005);
    /// The debug session's channel id (16 bits; 0 = not assigned).
    #[tlfs = "HvPartitionPropertyDebugChannelId"]
    pub const DEBUG_CHANNEL_ID: Self = Self(0x0004_0000);
    /// OpenVMM's first extra debug channel id.
    #[tlfs = "HvPartitionPropertyDebugChannelId0"]
    pub const DEBUG_CHANNEL_ID0: Self = Self(0x0004_0001);
    /// OpenVMM's second extra debug channel id.
    #[tlfs = "HvPartitionPropertyDebugChannelId1"]
    pub const DEBUG_CHANNEL_ID1: Self = Self(0x0004_0002);
    /// OpenVMM's third extra debug channel id.
    #[tlfs = "HvPartitionPropertyDebugChannelId2"]
    pub const DEBUG_CHANNEL_ID2: Self = Self(0x0004_0003);
    /// Virtual TLB page count.
    #[tlfs = "HvPartitionPropertyVirtualTlbPageCount"]
    pub const VIRTUAL_TLB_PAGE_COUNT: Self = Self(0x0005_0000);
    /// Processor vendor.
    #[tlfs = "HvPartitionPropertyProcessorVendor"]
    pub const PROCESSOR_VENDOR: Self = Self(0x0006_0000);
    /// Processor features (2013 only).
    #[tlfs = "HvPartitionPropertyProcessorFeatures"]
    pub const PROCESSOR_FEATURES: Self = Self(0x0006_0001);
    /// Processor XSAVE features.
    #[tlfs = "HvPartitionPropertyProcessorXsaveFeatures"]
    pub const PROCESSOR_XSAVE_FEATURES: Self = Self(0x0006_0002);
    /// Processor cache-line flush size.
    #[tlfs = "HvPartitionPropertyProcessorCLFlushSize"]
    pub const PROCESSOR_CL_FLUSH_SIZE: Self = Self(0x0006_0003);
    /// Guest OS id.
    #[tlfs = "HvPartitionPropertyGuestOsId"]
    pub const GUEST_OS_ID: Self = Self(0x0007_0000);
}

/// `HV_VP_INDEX`: a virtual processor's index within its partition.
#[repr(transparent)]
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct VpIndex(pub u32);

/// `HV_PARTITION_ID`: a partition's 64-bit id.
#[repr(transparent)]
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct PartitionId(pub u64);

crate::arbitrary_from_bytes!(VpIndex, PartitionId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debugging_is_bit_43_and_ebx_bit_11() {
        assert_eq!(PartitionPrivileges::DEBUGGING.bits(), 1 << 43);
        assert_eq!((PartitionPrivileges::DEBUGGING.bits() >> 32) as u32, 1 << 11);
        assert_eq!(PartitionPrivileges::from_bits_retain(1 << 50).unknown_bits(), 1 << 50);
    }

    #[test]
    fn property_codes() {
        assert_eq!(PartitionPropertyCode::DEBUG_CHANNEL_ID.into_bits(), 0x0004_0000);
        assert_eq!(
            PartitionPropertyCode::from_name("HvPartitionPropertyDebugChannelId"),
            Some(PartitionPropertyCode::DEBUG_CHANNEL_ID)
        );
        assert_eq!(PartitionPropertyCode::from_bits(0x0004_0004).name(), None);
    }
}
