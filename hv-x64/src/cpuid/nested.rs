//! Leaf 0x4000000A: nested virtualization features.

use hv_abi::{bitfield, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CpuidLeaf, HypervisorLeaf};

/// EAX of leaf 0x4000000A (Linux `hvgdk_mini.h`: the enlightened VMCS versions in bits 7:0 and 15:8,
/// `HV_X64_NESTED_*` bits 17, 18, 19 and 22). Bits no source names are kept in the reserved ranges.
#[bitfield(u32, tlfs = "HYPERV_CPUID_NESTED_FEATURES.EAX")]
pub struct NestedFeatureFlags {
    /// The lowest enlightened VMCS version supported (`HV_X64_ENLIGHTENED_VMCS_VERSION` masks it).
    #[bits(0..=7, tlfs = "HV_X64_ENLIGHTENED_VMCS_VERSION")]
    pub enlightened_vmcs_version_low: u8,
    /// The highest enlightened VMCS version supported.
    #[bits(8..=15, tlfs = "EnlightenedVmcsVersionHigh")]
    pub enlightened_vmcs_version_high: u8,
    #[bits(16, tlfs = "Reserved")]
    reserved0: Reserved,
    /// Direct virtual flush hypercalls are supported (`HV_X64_NESTED_DIRECT_FLUSH`).
    #[bits(17, tlfs = "HV_X64_NESTED_DIRECT_FLUSH")]
    pub direct_flush: bool,
    /// HvFlushGuestPhysicalAddressSpace/List are supported (`HV_X64_NESTED_GUEST_MAPPING_FLUSH`).
    #[bits(18, tlfs = "HV_X64_NESTED_GUEST_MAPPING_FLUSH")]
    pub guest_mapping_flush: bool,
    /// Enlightened MSR bitmaps are supported (`HV_X64_NESTED_MSR_BITMAP`).
    #[bits(19, tlfs = "HV_X64_NESTED_MSR_BITMAP")]
    pub msr_bitmap: bool,
    #[bits(20..=21, tlfs = "Reserved")]
    reserved1: Reserved,
    /// Enlightened TLB flush on AMD (`HV_X64_NESTED_ENLIGHTENED_TLB`).
    #[bits(22, tlfs = "HV_X64_NESTED_ENLIGHTENED_TLB")]
    pub enlightened_tlb: bool,
    #[bits(23..=31, tlfs = "Reserved")]
    reserved2: Reserved,
}

hv_abi::flags! {
    /// EBX of leaf 0x4000000A (Linux `hvgdk_mini.h`, "Nested features #2").
    pub struct NestedFeatures2(u32) tlfs_prefix "HV_X64_NESTED_" {
        /// The enlightened VMCS v1 carries PERF_GLOBAL_CTRL.
        const EVMCS1_PERF_GLOBAL_CTRL = 1 << 0;
    }
}

/// Leaf 0x4000000A (Linux `HYPERV_CPUID_NESTED_FEATURES`; the registers have no published struct name).
#[layout(tlfs = "HYPERV_CPUID_NESTED_FEATURES", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct NestedFeatures {
    /// EAX.
    #[hv(offset = 0, tlfs = "Eax")]
    pub features: NestedFeatureFlags,
    /// EBX.
    #[hv(offset = 4, tlfs = "Ebx")]
    pub features2: NestedFeatures2,
    /// ECX, EDX: reserved.
    #[hv(offset = 8, tlfs = "Reserved")]
    pub reserved: [u32; 2],
}

impl HypervisorLeaf for NestedFeatures {
    const LEAF: CpuidLeaf = CpuidLeaf::NESTED_FEATURES;
}
