//! Leaf 0x40000004: implementation recommendations.

use hv_abi::{bitfield, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CpuidLeaf, HypervisorLeaf};

hv_abi::flags! {
    /// EAX of leaf 0x40000004: what the hypervisor recommends the guest do (OpenVMM
    /// `HvEnlightenmentInformation`; Linux `HV_X64_*_RECOMMENDED` names are doc aliases).
    pub struct Recommendations(u32) tlfs_prefix "" {
        /// Use a hypercall for address space switches rather than MOV to CR3.
        #[doc(alias = "HV_X64_AS_SWITCH_RECOMMENDED")]
        const USE_HYPERCALL_FOR_ADDRESS_SPACE_SWITCH = 1 << 0;
        /// Use a hypercall for local TLB flushes rather than INVLPG or MOV to CR3.
        #[doc(alias = "HV_X64_LOCAL_TLB_FLUSH_RECOMMENDED")]
        const USE_HYPERCALL_FOR_LOCAL_FLUSH = 1 << 1;
        /// Use a hypercall for remote TLB flushes rather than IPIs.
        #[doc(alias = "HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED")]
        const USE_HYPERCALL_FOR_REMOTE_FLUSH = 1 << 2;
        /// Use the MSRs for the APIC's EOI, ICR and TPR.
        #[doc(alias = "HV_X64_APIC_ACCESS_RECOMMENDED")]
        const USE_APIC_MSRS = 1 << 3;
        /// Use the reset MSR to reset the system.
        #[doc(alias = "HV_X64_SYSTEM_RESET_RECOMMENDED")]
        const USE_HV_REGISTER_FOR_RESET = 1 << 4;
        /// Use relaxed timing: disable watchdogs that rely on timely interrupts.
        #[doc(alias = "HV_X64_RELAXED_TIMING_RECOMMENDED")]
        const USE_RELAXED_TIMING = 1 << 5;
        /// DMA remapping (deprecated).
        const USE_DMA_REMAPPING_DEPRECATED = 1 << 6;
        /// Interrupt remapping (deprecated).
        const USE_INTERRUPT_REMAPPING_DEPRECATED = 1 << 7;
        /// Use the x2APIC MSRs.
        const USE_X2_APIC_MSRS = 1 << 8;
        /// Do not use auto-EOI.
        #[doc(alias = "HV_DEPRECATING_AEOI_RECOMMENDED")]
        const DEPRECATE_AUTO_EOI = 1 << 9;
        /// Use the synthetic cluster IPI hypercalls.
        #[doc(alias = "HV_X64_CLUSTER_IPI_RECOMMENDED")]
        const USE_SYNTHETIC_CLUSTER_IPI = 1 << 10;
        /// Use the ExProcessorMasks interface.
        #[doc(alias = "HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED")]
        const USE_EX_PROCESSOR_MASKS = 1 << 11;
        /// The hypervisor is nested in another hypervisor.
        #[doc(alias = "HV_X64_HYPERV_NESTED")]
        const NESTED = 1 << 12;
        /// Use INT for MBEC system calls.
        const USE_INT_FOR_MBEC_SYSTEM_CALLS = 1 << 13;
        /// Use the enlightened VMCS.
        #[doc(alias = "HV_X64_ENLIGHTENED_VMCS_RECOMMENDED")]
        const USE_VMCS_ENLIGHTENMENTS = 1 << 14;
        /// Use the synced timeline.
        const USE_SYNCED_TIMELINE = 1 << 15;
        /// Core scheduling is requested.
        const CORE_SCHEDULER_REQUESTED = 1 << 16;
        /// Use direct local flush-entire.
        const USE_DIRECT_LOCAL_FLUSH_ENTIRE = 1 << 17;
        /// A VP never shares a physical core with another VP except its SMT siblings.
        #[doc(alias = "HV_X64_NO_NONARCH_CORESHARING")]
        const NO_NON_ARCHITECTURAL_CORE_SHARING = 1 << 18;
        /// Use the x2APIC.
        const USE_X2_APIC = 1 << 19;
        /// Restore time on resume.
        const RESTORE_TIME_ON_RESUME = 1 << 20;
        /// Use hypercalls for MMIO access.
        #[doc(alias = "HV_X64_USE_MMIO_HYPERCALLS")]
        const USE_HYPERCALL_FOR_MMIO_ACCESS = 1 << 21;
        /// Use the GPA pinning hypercall.
        const USE_GPA_PINNING_HYPERCALL = 1 << 22;
        /// Wake VPs.
        const WAKE_VPS = 1 << 23;
    }
}

/// ECX of leaf 0x40000004.
#[bitfield(u32, tlfs = "HV_X64_ENLIGHTENMENT_INFORMATION.Ecx")]
pub struct PhysicalAddressBits {
    /// Physical address bits the hardware implements.
    #[bits(0..=6, tlfs = "ImplementedPhysicalAddressBits")]
    pub implemented_physical_address_bits: u8,
    #[bits(7..=31, tlfs = "Reserved")]
    reserved: Reserved,
}

/// Leaf 0x40000004 (`HV_X64_ENLIGHTENMENT_INFORMATION`).
#[layout(tlfs = "HV_X64_ENLIGHTENMENT_INFORMATION", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct EnlightenmentInformation {
    /// EAX: recommendations.
    #[hv(offset = 0, tlfs = "Eax")]
    pub recommendations: Recommendations,
    /// EBX: spin-wait attempts before notifying the hypervisor (0xFFFFFFFF: never).
    #[hv(offset = 4, tlfs = "LongSpinWaitCount")]
    pub long_spin_wait_count: u32,
    /// ECX.
    #[hv(offset = 8, tlfs = "Ecx")]
    pub physical_address: PhysicalAddressBits,
    /// EDX: reserved.
    #[hv(offset = 12, tlfs = "Reserved")]
    pub reserved: u32,
}

impl HypervisorLeaf for EnlightenmentInformation {
    const LEAF: CpuidLeaf = CpuidLeaf::ENLIGHTENMENT_INFORMATION;
}
