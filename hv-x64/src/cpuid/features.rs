//! Leaf 0x40000003: the partition's privileges and the hypervisor's features.

use hv_abi::{PartitionPrivileges, bitfield, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CpuidLeaf, HypervisorLeaf};

/// ECX of leaf 0x40000003: power management and related features (OpenVMM `HvFeatures`; bits 9 and 10
/// from Linux `hvgdk_mini.h`).
#[bitfield(u32, tlfs = "HV_X64_HYPERVISOR_FEATURES.Ecx")]
pub struct PowerFeatures {
    /// The deepest C-state the hypervisor supports.
    #[bits(0..=3, tlfs = "MaxSupportedCState")]
    pub max_supported_cstate: u8,
    /// HPET is needed for C3 (deprecated).
    #[bits(4, tlfs = "HpetNeededForC3PowerState")]
    pub hpet_needed_for_c3: bool,
    /// Invariant MPERF is available.
    #[bits(5, tlfs = "InvariantMperfAvailable")]
    pub invariant_mperf_available: bool,
    /// Supervisor shadow stacks are available.
    #[bits(6, tlfs = "SupervisorShadowStackAvailable")]
    pub supervisor_shadow_stack_available: bool,
    /// The architectural PMU is available.
    #[bits(7, tlfs = "ArchPmuAvailable")]
    pub arch_pmu_available: bool,
    /// Exception trap intercepts are available.
    #[bits(8, tlfs = "ExceptionTrapInterceptAvailable")]
    pub exception_trap_intercept_available: bool,
    /// VP dispatch interrupt injection is available (Linux `HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE`).
    #[bits(9, tlfs = "HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE")]
    pub vp_dispatch_interrupt_injection_available: bool,
    /// GHCB root mapping is available (Linux `HV_VP_GHCB_ROOT_MAPPING_AVAILABLE`).
    #[bits(10, tlfs = "HV_VP_GHCB_ROOT_MAPPING_AVAILABLE")]
    pub vp_ghcb_root_mapping_available: bool,
    #[bits(11..=31, tlfs = "Reserved")]
    reserved: Reserved,
}

hv_abi::flags! {
    /// EDX of leaf 0x40000003: miscellaneous features (OpenVMM `HvFeatures`, names in Rust; Linux
    /// `HV_X64_*_AVAILABLE` names are doc aliases where Linux has one).
    pub struct FeatureFlags(u32) tlfs_prefix "" {
        /// MWAIT is available (deprecated).
        #[doc(alias = "HV_X64_MWAIT_AVAILABLE")]
        const MWAIT_AVAILABLE = 1 << 0;
        /// Guest debugging is available: the debug hypercalls and MSRs.
        #[doc(alias = "HV_X64_GUEST_DEBUGGING_AVAILABLE")]
        const GUEST_DEBUGGING_AVAILABLE = 1 << 1;
        /// Performance monitors are available.
        #[doc(alias = "HV_X64_PERF_MONITOR_AVAILABLE")]
        const PERFORMANCE_MONITORS_AVAILABLE = 1 << 2;
        /// Physical CPU dynamic partitioning events are available.
        #[doc(alias = "HV_X64_CPU_DYNAMIC_PARTITIONING_AVAILABLE")]
        const CPU_DYNAMIC_PARTITIONING_AVAILABLE = 1 << 3;
        /// Fast hypercall input in XMM registers is available.
        #[doc(alias = "HV_X64_HYPERCALL_XMM_INPUT_AVAILABLE")]
        const XMM_REGISTERS_FOR_FAST_HYPERCALL_AVAILABLE = 1 << 4;
        /// A virtual guest idle state is available.
        #[doc(alias = "HV_X64_GUEST_IDLE_STATE_AVAILABLE")]
        const GUEST_IDLE_AVAILABLE = 1 << 5;
        /// Hypervisor sleep states are supported.
        const HYPERVISOR_SLEEP_STATE_SUPPORT_AVAILABLE = 1 << 6;
        /// NUMA distance queries are available.
        const NUMA_DISTANCE_QUERY_AVAILABLE = 1 << 7;
        /// The TSC and APIC frequency MSRs are available.
        #[doc(alias = "HV_FEATURE_FREQUENCY_MSRS_AVAILABLE")]
        const FREQUENCY_REGS_AVAILABLE = 1 << 8;
        /// Synthetic machine checks are available.
        const SYNTHETIC_MACHINE_CHECK_AVAILABLE = 1 << 9;
        /// The guest crash MSRs are available.
        #[doc(alias = "HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE")]
        const GUEST_CRASH_REGS_AVAILABLE = 1 << 10;
        /// The synthetic debug MSRs are available.
        #[doc(alias = "HV_FEATURE_DEBUG_MSRS_AVAILABLE")]
        const DEBUG_REGS_AVAILABLE = 1 << 11;
        /// NPIEP is available.
        const NPIEP1_AVAILABLE = 1 << 12;
        /// The hypervisor can be disabled.
        const DISABLE_HYPERVISOR_AVAILABLE = 1 << 13;
        /// Extended GVA ranges for HvFlushVirtualAddressList are available.
        #[doc(alias = "HV_FEATURE_EXT_GVA_RANGES_FLUSH")]
        const EXTENDED_GVA_RANGES_FOR_FLUSH_VIRTUAL_ADDRESS_LIST_AVAILABLE = 1 << 14;
        /// Fast hypercall output in XMM registers is available.
        #[doc(alias = "HV_X64_HYPERCALL_XMM_OUTPUT_AVAILABLE")]
        const FAST_HYPERCALL_OUTPUT_AVAILABLE = 1 << 15;
        /// SVM features are available.
        const SVM_FEATURES_AVAILABLE = 1 << 16;
        /// SINT polling mode is available.
        const SINT_POLLING_MODE_AVAILABLE = 1 << 17;
        /// The hypercall MSR can be locked.
        const HYPERCALL_MSR_LOCK_AVAILABLE = 1 << 18;
        /// Synthetic timers in direct mode are available.
        #[doc(alias = "HV_STIMER_DIRECT_MODE_AVAILABLE")]
        const DIRECT_SYNTHETIC_TIMERS = 1 << 19;
        /// The PAT register is available through the VP register interface.
        const REGISTER_PAT_AVAILABLE = 1 << 20;
        /// The BNDCFGS register is available through the VP register interface.
        const REGISTER_BNDCFGS_AVAILABLE = 1 << 21;
        /// A watchdog timer is available.
        const WATCHDOG_TIMER_AVAILABLE = 1 << 22;
        /// The synthetic time-unhalted timer is available.
        const SYNTHETIC_TIME_UNHALTED_TIMER_AVAILABLE = 1 << 23;
        /// Device domains are available (HDK only).
        const DEVICE_DOMAINS_AVAILABLE = 1 << 24;
        /// S1 device domains are available (HDK only).
        const S1_DEVICE_DOMAINS_AVAILABLE = 1 << 25;
        /// LBR is available.
        const LBR_AVAILABLE = 1 << 26;
        /// IPT is available.
        const IPT_AVAILABLE = 1 << 27;
        /// Cross-VTL flushes are available.
        const CROSS_VTL_FLUSH_AVAILABLE = 1 << 28;
        /// Idle SPEC_CTRL is available.
        const IDLE_SPEC_CTRL_AVAILABLE = 1 << 29;
        /// Translate-GVA flags are available.
        const TRANSLATE_GVA_FLAGS_AVAILABLE = 1 << 30;
        /// APIC EOI intercepts are available.
        const APIC_EOI_INTERCEPT_AVAILABLE = 1 << 31;
    }
}

/// Leaf 0x40000003 (`HV_X64_HYPERVISOR_FEATURES`): EAX and EBX are the partition's privilege mask (bits
/// 31:0 and 63:32), ECX power features, EDX miscellaneous features.
#[layout(tlfs = "HV_X64_HYPERVISOR_FEATURES", size = 16, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct HypervisorFeatures {
    /// EAX, EBX: `HV_PARTITION_PRIVILEGE_MASK`.
    #[hv(offset = 0, tlfs = "PartitionPrivileges")]
    pub privileges: PartitionPrivileges,
    /// ECX.
    #[hv(offset = 8, tlfs = "Ecx")]
    pub power: PowerFeatures,
    /// EDX.
    #[hv(offset = 12, tlfs = "Edx")]
    pub features: FeatureFlags,
}

impl HypervisorLeaf for HypervisorFeatures {
    const LEAF: CpuidLeaf = CpuidLeaf::FEATURES;
}
