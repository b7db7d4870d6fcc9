//! Leaf 0x40000006: hardware features in use.

use hv_abi::{bitfield, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CpuidLeaf, HypervisorLeaf};

/// EAX of leaf 0x40000006 (OpenVMM `HvHardwareFeatures`).
#[bitfield(u32, tlfs = "HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax")]
pub struct HardwareFeatureFlags {
    /// APIC overlay assist is in use.
    #[bits(0, tlfs = "ApicOverlayAssistInUse")]
    pub apic_overlay_assist_in_use: bool,
    /// MSR bitmaps are in use.
    #[bits(1, tlfs = "MsrBitmapsInUse")]
    pub msr_bitmaps_in_use: bool,
    /// Architectural performance counters are in use.
    #[bits(2, tlfs = "ArchitecturalPerformanceCountersInUse")]
    pub architectural_performance_counters_in_use: bool,
    /// Second-level address translation is in use.
    #[bits(3, tlfs = "SecondLevelAddressTranslationInUse")]
    pub second_level_address_translation_in_use: bool,
    /// DMA remapping is in use.
    #[bits(4, tlfs = "DmaRemappingInUse")]
    pub dma_remapping_in_use: bool,
    /// Interrupt remapping is in use.
    #[bits(5, tlfs = "InterruptRemappingInUse")]
    pub interrupt_remapping_in_use: bool,
    /// A memory patrol scrubber is present.
    #[bits(6, tlfs = "MemoryPatrolScrubberPresent")]
    pub memory_patrol_scrubber_present: bool,
    /// DMA protection is in use.
    #[bits(7, tlfs = "DmaProtectionInUse")]
    pub dma_protection_in_use: bool,
    /// The HPET is requested.
    #[bits(8, tlfs = "HpetRequested")]
    pub hpet_requested: bool,
    /// The synthetic timers are volatile.
    #[bits(9, tlfs = "SyntheticTimersVolatile")]
    pub synthetic_timers_volatile: bool,
    /// The hypervisor's nesting level.
    #[bits(10..=13, tlfs = "HypervisorLevel")]
    pub hypervisor_level: u8,
    /// Physical destination mode is required.
    #[bits(14, tlfs = "PhysicalDestinationModeRequired")]
    pub physical_destination_mode_required: bool,
    /// VMFUNC is used for alias map switches.
    #[bits(15, tlfs = "UseVmfuncForAliasMapSwitch")]
    pub use_vmfunc_for_alias_map_switch: bool,
    /// The memory-zeroing register is supported.
    #[bits(16, tlfs = "HvRegisterForMemoryZeroingSupported")]
    pub hv_register_for_memory_zeroing_supported: bool,
    /// Unrestricted guest is supported.
    #[bits(17, tlfs = "UnrestrictedGuestSupported")]
    pub unrestricted_guest_supported: bool,
    /// RDT allocation features are supported.
    #[bits(18, tlfs = "RdtAFeaturesSupported")]
    pub rdt_afeatures_supported: bool,
    /// RDT monitoring features are supported.
    #[bits(19, tlfs = "RdtMFeaturesSupported")]
    pub rdt_mfeatures_supported: bool,
    /// Child partitions may use the PMU.
    #[bits(20, tlfs = "ChildPerfmonPmuSupported")]
    pub child_perfmon_pmu_supported: bool,
    /// Child partitions may use LBR.
    #[bits(21, tlfs = "ChildPerfmonLbrSupported")]
    pub child_perfmon_lbr_supported: bool,
    /// Child partitions may use IPT.
    #[bits(22, tlfs = "ChildPerfmonIptSupported")]
    pub child_perfmon_ipt_supported: bool,
    /// APIC emulation is supported.
    #[bits(23, tlfs = "ApicEmulationSupported")]
    pub apic_emulation_supported: bool,
    /// x2APIC is recommended for child partitions.
    #[bits(24, tlfs = "ChildX2ApicRecommended")]
    pub child_x2_apic_recommended: bool,
    /// Reserved for a hardware watchdog.
    #[bits(25, tlfs = "HardwareWatchdogReserved")]
    pub hardware_watchdog_reserved: bool,
    /// Device access tracking is supported.
    #[bits(26, tlfs = "DeviceAccessTrackingSupported")]
    pub device_access_tracking_supported: bool,
    /// Hardware GPA access tracking is supported.
    #[bits(27, tlfs = "HardwareGpaAccessTrackingSupported")]
    pub hardware_gpa_access_tracking_supported: bool,
    #[bits(28..=31, tlfs = "Reserved")]
    reserved: Reserved,
}

/// EBX of leaf 0x40000006.
#[bitfield(u32, tlfs = "HV_X64_HYPERVISOR_HARDWARE_FEATURES.Ebx")]
pub struct DeviceDomainInfo {
    /// Width of a device domain id in the input of the device-domain hypercalls.
    #[bits(0..=7, tlfs = "DeviceDomainInputWidth")]
    pub device_domain_input_width: u8,
    #[bits(8..=31, tlfs = "Reserved")]
    reserved: Reserved,
}

/// Leaf 0x40000006 (`HV_X64_HYPERVISOR_HARDWARE_FEATURES`).
#[layout(tlfs = "HV_X64_HYPERVISOR_HARDWARE_FEATURES", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct HardwareFeatures {
    /// EAX.
    #[hv(offset = 0, tlfs = "Eax")]
    pub features: HardwareFeatureFlags,
    /// EBX.
    #[hv(offset = 4, tlfs = "Ebx")]
    pub device_domain: DeviceDomainInfo,
    /// ECX, EDX: reserved.
    #[hv(offset = 8, tlfs = "Reserved")]
    pub reserved: [u32; 2],
}

impl HypervisorLeaf for HardwareFeatures {
    const LEAF: CpuidLeaf = CpuidLeaf::HARDWARE_FEATURES;
}
