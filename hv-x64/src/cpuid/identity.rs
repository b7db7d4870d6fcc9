//! Leaves 0x40000000-0x40000002: who the hypervisor is.

use hv_abi::{bitfield, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use super::{CpuidLeaf, HypervisorLeaf};

/// "Hv#1" in leaf 0x40000001 EAX: the hypervisor offers the Hyper-V interface (TLFS
/// `HvMicrosoftHypervisorInterface`; OpenVMM `HV_CPUID_...`, Linux `HYPERV_...` check the same value).
pub const HV_INTERFACE_SIGNATURE: u32 = 0x3123_7648;

/// Leaf 0x40000000 (`HV_CPUID_FUNCTION_HV_VENDOR_AND_MAX_FUNCTION`): the highest hypervisor leaf and the
/// vendor signature ("Microsoft Hv" from Hyper-V).
#[layout(tlfs = "HV_VENDOR_AND_MAX_FUNCTION", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VendorAndMaxFunction {
    /// EAX: the highest hypervisor leaf.
    #[hv(offset = 0, tlfs = "MaxFunction")]
    pub max_function: u32,
    /// EBX, ECX, EDX: the vendor signature.
    #[hv(offset = 4, tlfs = "VendorName")]
    pub vendor: [u8; 12],
}

impl HypervisorLeaf for VendorAndMaxFunction {
    const LEAF: CpuidLeaf = CpuidLeaf::VENDOR_AND_MAX_FUNCTION;
}

/// Leaf 0x40000001 (`HV_CPUID_FUNCTION_HV_INTERFACE`): the interface signature in EAX.
#[layout(tlfs = "HV_HYPERVISOR_INTERFACE_INFO", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct HypervisorInterface {
    /// EAX: [`HV_INTERFACE_SIGNATURE`] for the Hyper-V interface.
    #[hv(offset = 0, tlfs = "Interface")]
    pub interface: u32,
    /// EBX, ECX, EDX: reserved.
    #[hv(offset = 4, tlfs = "Reserved")]
    pub reserved: [u32; 3],
}

impl HypervisorLeaf for HypervisorInterface {
    const LEAF: CpuidLeaf = CpuidLeaf::INTERFACE;
}

/// EBX of leaf 0x40000002: the minor and major version.
#[bitfield(u32, tlfs = "HV_HYPERVISOR_VERSION_INFO.Version")]
pub struct VersionNumbers {
    /// Minor version.
    #[bits(0..=15, tlfs = "MinorVersion")]
    pub minor: u16,
    /// Major version.
    #[bits(16..=31, tlfs = "MajorVersion")]
    pub major: u16,
}

/// EDX of leaf 0x40000002: the service number and branch.
#[bitfield(u32, tlfs = "HV_HYPERVISOR_VERSION_INFO.Service")]
pub struct ServiceInfo {
    /// Service number.
    #[bits(0..=23, tlfs = "ServiceNumber")]
    pub service_number: u32,
    /// `HV_SERVICE_BRANCH` (0 = GDR, 1 = QFE in the 2013 reference).
    #[bits(24..=31, tlfs = "ServiceBranch")]
    pub service_branch: u8,
}

/// Leaf 0x40000002 (`HV_HYPERVISOR_VERSION_INFO`, 2013 WDK ff540051; Linux `hv_hypervisor_version_info`).
#[layout(tlfs = "HV_HYPERVISOR_VERSION_INFO", size = 16, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct HypervisorVersion {
    /// EAX: build number.
    #[hv(offset = 0, tlfs = "BuildNumber")]
    pub build_number: u32,
    /// EBX: minor and major version.
    #[hv(offset = 4, tlfs = "Version")]
    pub version: VersionNumbers,
    /// ECX: service pack.
    #[hv(offset = 8, tlfs = "ServicePack")]
    pub service_pack: u32,
    /// EDX: service number and branch.
    #[hv(offset = 12, tlfs = "Service")]
    pub service: ServiceInfo,
}

impl HypervisorLeaf for HypervisorVersion {
    const LEAF: CpuidLeaf = CpuidLeaf::VERSION;
}
