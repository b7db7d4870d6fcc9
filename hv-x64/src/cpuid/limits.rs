//! Leaf 0x40000005: implementation limits.

use hv_abi::layout;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CpuidLeaf, HypervisorLeaf};

/// Leaf 0x40000005 (`HV_IMPLEMENTATION_LIMITS`, TLFS "Implementation Limits").
#[layout(tlfs = "HV_IMPLEMENTATION_LIMITS", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ImplementationLimits {
    /// EAX: the most virtual processors the hypervisor supports.
    #[hv(offset = 0, tlfs = "MaxVirtualProcessorCount")]
    pub max_virtual_processors: u32,
    /// EBX: the most logical processors the hypervisor supports.
    #[hv(offset = 4, tlfs = "MaxLogicalProcessorCount")]
    pub max_logical_processors: u32,
    /// ECX: the most physical interrupt vectors available for interrupt remapping.
    #[hv(offset = 8, tlfs = "MaxInterruptMappingCount")]
    pub max_interrupt_vectors: u32,
    /// EDX: reserved.
    #[hv(offset = 12, tlfs = "Reserved")]
    pub reserved: u32,
}

impl HypervisorLeaf for ImplementationLimits {
    const LEAF: CpuidLeaf = CpuidLeaf::IMPLEMENTATION_LIMITS;
}
