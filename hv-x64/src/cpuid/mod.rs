//! The hypervisor CPUID leaves 0x40000000-0x4000000A (TLFS "Feature and Interface Discovery"): the code
//! space of leaf numbers, the four registers a leaf returns, one typed register set per leaf, and
//! [`detect`], which tells a guest whether it runs on a hypervisor that offers the Hyper-V interface.
//!
//! Bits come from Linux `include/hyperv/hvgdk_mini.h`, OpenVMM `hvdef` and the TLFS; where they name a bit
//! differently, the type's docs say so. Bits no source names are kept (`from_bits_retain`, reserved
//! ranges), never dropped.
//!
//! ```
//! use hv_x64::cpuid::{self, CpuidResult, CpuidLeaf, HypervisorFeatures};
//! use hv_x64::PartitionPrivileges;
//!
//! // What CPUID returns on a Hyper-V guest (here made up from the documented values).
//! let cpuid = |leaf: u32| match leaf {
//!     0x1 => CpuidResult { ecx: 1 << 31, ..CpuidResult::default() },
//!     0x4000_0000 => CpuidResult::from_vendor(0x4000_000A, *b"Microsoft Hv"),
//!     0x4000_0001 => CpuidResult { eax: cpuid::HV_INTERFACE_SIGNATURE, ..CpuidResult::default() },
//!     0x4000_0003 => CpuidResult { eax: 0x2FFF, ebx: 0x0808, edx: 0x2, ..CpuidResult::default() },
//!     _ => CpuidResult::default(),
//! };
//! let hv = cpuid::detect(cpuid).unwrap();
//! assert_eq!(hv.max_leaf, CpuidLeaf::NESTED_FEATURES);
//! assert!(hv.features.privileges.contains(PartitionPrivileges::DEBUGGING));
//! assert!(hv.features.features.contains(cpuid::FeatureFlags::GUEST_DEBUGGING_AVAILABLE));
//! ```

mod enlightenment;
mod features;
mod hardware;
mod identity;
mod limits;
mod nested;

pub use enlightenment::{EnlightenmentInformation, PhysicalAddressBits, Recommendations};
pub use features::{FeatureFlags, HypervisorFeatures, PowerFeatures};
pub use hardware::{DeviceDomainInfo, HardwareFeatureFlags, HardwareFeatures};
pub use identity::{
    HV_INTERFACE_SIGNATURE, HypervisorInterface, HypervisorVersion, ServiceInfo, VendorAndMaxFunction, VersionNumbers,
};
pub use limits::ImplementationLimits;
pub use nested::{NestedFeatureFlags, NestedFeatures, NestedFeatures2};

use core::fmt;

use hv_abi::layout::{Layout, TypeLayout};
use hv_abi::open_enum;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `HV_CPUID_FUNCTION`: a CPUID leaf number (EAX input) of the hypervisor range. Open: any leaf
/// round-trips. Names are OpenVMM's `HV_CPUID_FUNCTION_*`; Linux's `HYPERV_CPUID_*` names are aliases.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct CpuidLeaf(u32);

#[open_enum(u32)]
impl CpuidLeaf {
    /// Standard leaf 1: ECX bit 31 says a hypervisor is present.
    #[tlfs = "HV_CPUID_FUNCTION_VERSION_AND_FEATURES"]
    pub const VERSION_AND_FEATURES: Self = Self(0x0000_0001);
    /// The highest hypervisor leaf, and the vendor signature ("Microsoft Hv").
    #[tlfs = "HV_CPUID_FUNCTION_HV_VENDOR_AND_MAX_FUNCTION"]
    pub const VENDOR_AND_MAX_FUNCTION: Self = Self(0x4000_0000);
    /// Linux's name for [`VENDOR_AND_MAX_FUNCTION`](Self::VENDOR_AND_MAX_FUNCTION).
    #[tlfs = "HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS"]
    #[alias]
    pub const HYPERV_VENDOR_AND_MAX_FUNCTIONS: Self = Self(0x4000_0000);
    /// The interface signature ("Hv#1" for the Hyper-V interface).
    #[tlfs = "HV_CPUID_FUNCTION_HV_INTERFACE"]
    pub const INTERFACE: Self = Self(0x4000_0001);
    /// The hypervisor's version.
    #[tlfs = "HV_CPUID_FUNCTION_MS_HV_VERSION"]
    pub const VERSION: Self = Self(0x4000_0002);
    /// The partition's privileges and the hypervisor's features.
    #[tlfs = "HV_CPUID_FUNCTION_MS_HV_FEATURES"]
    pub const FEATURES: Self = Self(0x4000_0003);
    /// Implementation recommendations to the guest.
    #[tlfs = "HV_CPUID_FUNCTION_MS_HV_ENLIGHTENMENT_INFORMATION"]
    pub const ENLIGHTENMENT_INFORMATION: Self = Self(0x4000_0004);
    /// Implementation limits.
    #[tlfs = "HV_CPUID_FUNCTION_MS_HV_IMPLEMENTATION_LIMITS"]
    pub const IMPLEMENTATION_LIMITS: Self = Self(0x4000_0005);
    /// Hardware features the hypervisor uses.
    #[tlfs = "HV_CPUID_FUNCTION_MS_HV_HARDWARE_FEATURES"]
    pub const HARDWARE_FEATURES: Self = Self(0x4000_0006);
    /// CPU management features (root partition).
    #[tlfs = "HYPERV_CPUID_CPU_MANAGEMENT_FEATURES"]
    pub const CPU_MANAGEMENT_FEATURES: Self = Self(0x4000_0007);
    /// Nested virtualization features.
    #[tlfs = "HYPERV_CPUID_NESTED_FEATURES"]
    pub const NESTED_FEATURES: Self = Self(0x4000_000A);
    /// Isolation configuration.
    #[tlfs = "HV_CPUID_FUNCTION_MS_HV_ISOLATION_CONFIGURATION"]
    pub const ISOLATION_CONFIGURATION: Self = Self(0x4000_000C);
    /// The synthetic debugger's vendor and highest leaf (Linux KVM `hyperv.h`; not in the TLFS).
    #[tlfs = "HYPERV_CPUID_SYNDBG_VENDOR_AND_MAX_FUNCTIONS"]
    pub const SYNDBG_VENDOR_AND_MAX_FUNCTIONS: Self = Self(0x4000_0080);
    /// The synthetic debugger's interface (OpenVMM: the virtualization stack's interface, "VS#1").
    #[tlfs = "HYPERV_CPUID_SYNDBG_INTERFACE"]
    pub const SYNDBG_INTERFACE: Self = Self(0x4000_0081);
    /// The synthetic debugger's platform capabilities.
    #[tlfs = "HYPERV_CPUID_SYNDBG_PLATFORM_CAPABILITIES"]
    pub const SYNDBG_PLATFORM_CAPABILITIES: Self = Self(0x4000_0082);
}

impl CpuidLeaf {
    /// The published layout of this leaf's four registers (EAX at offset 0 ... EDX at 12), for the
    /// leaves this crate types; `None` for the others.
    #[must_use]
    pub fn layout(self) -> Option<TypeLayout> {
        let layout = match self {
            Self::VENDOR_AND_MAX_FUNCTION => VendorAndMaxFunction::TYPE_LAYOUT,
            Self::INTERFACE => HypervisorInterface::TYPE_LAYOUT,
            Self::VERSION => HypervisorVersion::TYPE_LAYOUT,
            Self::FEATURES => HypervisorFeatures::TYPE_LAYOUT,
            Self::ENLIGHTENMENT_INFORMATION => EnlightenmentInformation::TYPE_LAYOUT,
            Self::IMPLEMENTATION_LIMITS => ImplementationLimits::TYPE_LAYOUT,
            Self::HARDWARE_FEATURES => HardwareFeatures::TYPE_LAYOUT,
            Self::NESTED_FEATURES => NestedFeatures::TYPE_LAYOUT,
            _ => return None,
        };
        Some(layout)
    }
}

/// The four registers a CPUID leaf returns, in the order the hypervisor's 128-bit feature registers
/// hold them (`HV_REGISTER_*_INFO`: EAX in bits 31:0 ... EDX in bits 127:96).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct CpuidResult {
    /// EAX.
    pub eax: u32,
    /// EBX.
    pub ebx: u32,
    /// ECX.
    pub ecx: u32,
    /// EDX.
    pub edx: u32,
}

hv_abi::arbitrary_from_bytes!(CpuidResult);

impl CpuidResult {
    /// A vendor leaf: `max_leaf` in EAX and the 12-byte signature in EBX, ECX, EDX.
    #[must_use]
    pub const fn from_vendor(max_leaf: u32, vendor: [u8; 12]) -> Self {
        let [a, b, c, d, e, f, g, h, i, j, k, l] = vendor;
        Self {
            eax: max_leaf,
            ebx: u32::from_le_bytes([a, b, c, d]),
            ecx: u32::from_le_bytes([e, f, g, h]),
            edx: u32::from_le_bytes([i, j, k, l]),
        }
    }
}

/// A hypervisor CPUID leaf with a typed register set: 16 bytes, EAX first, like [`CpuidResult`].
pub trait HypervisorLeaf: FromBytes + IntoBytes + Immutable + KnownLayout + Sized {
    /// The leaf number.
    const LEAF: CpuidLeaf;

    /// The typed view of the registers the leaf returned; every bit is kept.
    #[must_use]
    fn from_registers(registers: CpuidResult) -> Self {
        // Both are 16 bytes (checked per leaf at compile time), so this never fails; a mismatch would be
        // a bug in this crate, answered with the all-zero value rather than a panic.
        Self::read_from_bytes(registers.as_bytes()).unwrap_or_else(|_| Self::new_zeroed())
    }

    /// The registers, for a hypervisor that presents this leaf.
    #[must_use]
    fn to_registers(&self) -> CpuidResult {
        CpuidResult::read_from_bytes(self.as_bytes()).unwrap_or_default()
    }
}

/// Why [`detect`] found no Hyper-V interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotHyperV {
    /// CPUID leaf 1 ECX bit 31 is clear: no hypervisor.
    NoHypervisor,
    /// The highest hypervisor leaf is below 0x40000005, the least a Hyper-V interface provides.
    MaxLeafTooLow(u32),
    /// Leaf 0x40000001 EAX is not "Hv#1": another hypervisor interface.
    Interface(u32),
}

impl fmt::Display for NotHyperV {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoHypervisor => f.write_str("no hypervisor: CPUID leaf 1 ECX bit 31 is clear"),
            Self::MaxLeafTooLow(max) => {
                write!(f, "the highest hypervisor CPUID leaf is {max:#x}, below 0x40000005")
            }
            Self::Interface(sig) => write!(
                f,
                "CPUID 0x40000001 EAX is {sig:#010x}, not the Hyper-V interface signature \"Hv#1\" (0x31237648)"
            ),
        }
    }
}

impl core::error::Error for NotHyperV {}

/// What a guest learns from the hypervisor leaves once it knows it runs on the Hyper-V interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    /// The highest hypervisor leaf.
    pub max_leaf: CpuidLeaf,
    /// The vendor signature (any vendor may present the Hyper-V interface; KVM presents one too).
    pub vendor: [u8; 12],
    /// Leaf 0x40000002.
    pub version: HypervisorVersion,
    /// Leaf 0x40000003: the partition's privileges and the hypervisor's features.
    pub features: HypervisorFeatures,
}

/// Detects the Hyper-V interface from CPUID, as the TLFS tells a guest to: a hypervisor is present (leaf
/// 1 ECX bit 31), its highest leaf is at least 0x40000005, and leaf 0x40000001 says "Hv#1". `cpuid(leaf)`
/// returns the registers of `leaf` (subleaf 0); `detect` asks for leaves 1, 0x40000000 to 0x40000003.
pub fn detect(mut cpuid: impl FnMut(u32) -> CpuidResult) -> Result<Detected, NotHyperV> {
    if cpuid(CpuidLeaf::VERSION_AND_FEATURES.into_bits()).ecx & (1 << 31) == 0 {
        return Err(NotHyperV::NoHypervisor);
    }
    let vendor = VendorAndMaxFunction::from_registers(cpuid(CpuidLeaf::VENDOR_AND_MAX_FUNCTION.into_bits()));
    if vendor.max_function < CpuidLeaf::IMPLEMENTATION_LIMITS.into_bits() {
        return Err(NotHyperV::MaxLeafTooLow(vendor.max_function));
    }
    let interface = HypervisorInterface::from_registers(cpuid(CpuidLeaf::INTERFACE.into_bits()));
    if interface.interface != HV_INTERFACE_SIGNATURE {
        return Err(NotHyperV::Interface(interface.interface));
    }
    Ok(Detected {
        max_leaf: CpuidLeaf::from_bits(vendor.max_function),
        vendor: vendor.vendor,
        version: HypervisorVersion::from_registers(cpuid(CpuidLeaf::VERSION.into_bits())),
        features: HypervisorFeatures::from_registers(cpuid(CpuidLeaf::FEATURES.into_bits())),
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;
    use hv_abi::PartitionPrivileges;

    fn hyper_v(leaf: u32) -> CpuidResult {
        match leaf {
            0x1 => CpuidResult {
                ecx: 1 << 31,
                ..CpuidResult::default()
            },
            0x4000_0000 => CpuidResult::from_vendor(0x4000_000C, *b"Microsoft Hv"),
            0x4000_0001 => CpuidResult {
                eax: 0x3123_7648,
                ..CpuidResult::default()
            },
            0x4000_0002 => CpuidResult {
                eax: 26100,
                ebx: 0x000A_0000,
                ecx: 0,
                edx: 0x0000_1234,
            },
            0x4000_0003 => CpuidResult {
                eax: 0x0000_2E7F,
                ebx: 0x0000_0BB0 | 1 << 11,
                ecx: 0x0000_0002,
                edx: 0x000B_FFFF,
            },
            _ => CpuidResult::default(),
        }
    }

    #[test]
    fn detects_the_hyper_v_interface() {
        let d = detect(hyper_v).unwrap();
        assert_eq!(&d.vendor, b"Microsoft Hv");
        assert_eq!(d.max_leaf, CpuidLeaf::ISOLATION_CONFIGURATION);
        assert_eq!((d.version.build_number, d.version.version.major()), (26100, 10));
        assert_eq!(d.version.service.service_number(), 0x1234);
        let p = d.features.privileges;
        assert!(p.contains(PartitionPrivileges::DEBUGGING | PartitionPrivileges::ACCESS_HYPERCALL_MSRS));
        assert_eq!(p.bits() >> 32, 0xBB0 | 1 << 11, "EBX is bits 63:32");
        assert_eq!(d.features.power.max_supported_cstate(), 2);
        assert!(d.features.features.contains(FeatureFlags::GUEST_DEBUGGING_AVAILABLE));
        assert!(d.features.features.contains(FeatureFlags::DIRECT_SYNTHETIC_TIMERS));
    }

    #[test]
    fn typed_leaves_have_their_layout_and_others_none() {
        let layout = CpuidLeaf::FEATURES.layout().unwrap();
        assert_eq!(layout.tlfs_name, "HV_X64_HYPERVISOR_FEATURES");
        assert_eq!(layout.size, size_of::<CpuidResult>());
        assert_eq!(
            CpuidLeaf::NESTED_FEATURES.layout().map(|l| l.name),
            Some("NestedFeatures")
        );
        assert_eq!(CpuidLeaf::SYNDBG_INTERFACE.layout(), None);
    }

    #[test]
    fn says_what_is_missing() {
        assert_eq!(detect(|_| CpuidResult::default()), Err(NotHyperV::NoHypervisor));
        let low = |leaf| match leaf {
            0x4000_0000 => CpuidResult::from_vendor(0x4000_0004, *b"Microsoft Hv"),
            other => hyper_v(other),
        };
        assert_eq!(detect(low), Err(NotHyperV::MaxLeafTooLow(0x4000_0004)));
        let kvm = |leaf| match leaf {
            0x4000_0001 => CpuidResult::default(),
            other => hyper_v(other),
        };
        let err = detect(kvm).unwrap_err();
        assert_eq!(err, NotHyperV::Interface(0));
        assert!(err.to_string().contains("\"Hv#1\""));
    }

    #[test]
    fn leaves_round_trip_every_bit() {
        for leaf in 0x4000_0000..=0x4000_000C {
            let r = hyper_v(leaf);
            assert_eq!(HypervisorFeatures::from_registers(r).to_registers(), r);
            assert_eq!(EnlightenmentInformation::from_registers(r).to_registers(), r);
            assert_eq!(HardwareFeatures::from_registers(r).to_registers(), r);
            assert_eq!(NestedFeatures::from_registers(r).to_registers(), r);
        }
        let odd = CpuidResult {
            eax: u32::MAX,
            ebx: 0x1234_5678,
            ecx: 0x8000_0001,
            edx: 0xDEAD_BEEF,
        };
        assert_eq!(HypervisorFeatures::from_registers(odd).to_registers(), odd);
        assert_eq!(HypervisorVersion::from_registers(odd).to_registers(), odd);
        assert_eq!(ImplementationLimits::from_registers(odd).to_registers(), odd);
    }
}
