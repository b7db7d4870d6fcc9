//! Detecting the Hyper-V interface and enabling hypercalls.

use core::fmt;

use hv_abi::PartitionPrivileges;
use hv_x64::cpuid::{self, CpuidResult, Detected, FeatureFlags, NotHyperV};
use hv_x64::msr::{GuestOsId, HypercallMsr, SyntheticMsr};

/// Reads and writes the synthetic MSRs of the running VP. [`crate::x86_64::Msr`] uses RDMSR and WRMSR.
pub trait Msrs {
    /// RDMSR.
    fn read(&mut self, msr: SyntheticMsr) -> u64;
    /// WRMSR.
    fn write(&mut self, msr: SyntheticMsr, value: u64);
}

/// What the caller needs of the partition: privileges (CPUID 0x40000003 EAX:EBX) and features
/// (0x40000003 EDX).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Required {
    /// Privileges the partition must hold.
    pub privileges: PartitionPrivileges,
    /// Features the hypervisor must offer.
    pub features: FeatureFlags,
}

impl Required {
    /// What a guest debug transport over hypercalls needs: `ACCESS_HYPERCALL_MSRS` and `DEBUGGING`.
    pub const DEBUG_TRANSPORT: Self = Self {
        privileges: PartitionPrivileges::ACCESS_HYPERCALL_MSRS.union(PartitionPrivileges::DEBUGGING),
        features: FeatureFlags::empty(),
    };
}

/// The Hyper-V interface as a guest found it.
pub type HyperV = Detected;

/// Why [`detect`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DetectError {
    /// No hypervisor, or not the Hyper-V interface.
    NotHyperV(NotHyperV),
    /// The interface is there, but the partition lacks these privileges or the hypervisor these
    /// features.
    Missing {
        /// The privileges required but not held.
        privileges: PartitionPrivileges,
        /// The features required but not offered.
        features: FeatureFlags,
    },
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotHyperV(e) => write!(f, "{e}"),
            Self::Missing { privileges, features } => write!(
                f,
                "the partition lacks privileges {privileges:?} and the hypervisor features {features:?}"
            ),
        }
    }
}

impl core::error::Error for DetectError {}

/// Detects the Hyper-V interface from `cpuid(leaf)` (subleaf 0) and checks `required` against the
/// privileges and features of leaf 0x40000003.
pub fn detect(cpuid: impl FnMut(u32) -> CpuidResult, required: Required) -> Result<HyperV, DetectError> {
    let found = cpuid::detect(cpuid).map_err(DetectError::NotHyperV)?;
    let privileges = required.privileges.difference(found.features.privileges);
    let features = required.features.difference(found.features.features);
    if privileges.is_empty() && features.is_empty() {
        Ok(found)
    } else {
        Err(DetectError::Missing { privileges, features })
    }
}

/// Why [`enable_hypercalls`] refused or failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnableError {
    /// The guest OS id is zero; the TLFS requires a nonzero id before the hypercall page is enabled.
    NoGuestOsId,
    /// The hypercall page GPA is not page-aligned.
    Unaligned(u64),
    /// `HV_X64_MSR_HYPERCALL` is locked at another page.
    Locked(HypercallMsr),
    /// The MSR read back does not hold the page enabled at the GPA written.
    NotEnabled(HypercallMsr),
}

impl fmt::Display for EnableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoGuestOsId => f.write_str("the guest OS id must be nonzero before hypercalls are enabled"),
            Self::Unaligned(gpa) => write!(f, "hypercall page GPA {gpa:#x} is not page-aligned"),
            Self::Locked(m) => write!(f, "HV_X64_MSR_HYPERCALL is locked at GPA {:#x}", m.gpfn() << 12),
            Self::NotEnabled(m) => write!(
                f,
                "HV_X64_MSR_HYPERCALL reads back {:#x}: the page is not enabled where it was placed",
                m.into_bits()
            ),
        }
    }
}

impl core::error::Error for EnableError {}

/// Enables hypercalls: writes `guest_os_id` to `HV_X64_MSR_GUEST_OS_ID`, then the page at `page_gpa`
/// with Enable set to `HV_X64_MSR_HYPERCALL` (keeping its preserved bits 11:2), and reads it back. The
/// hypervisor fills the page with the code that enters it; the caller maps it executable.
pub fn enable_hypercalls(
    msrs: &mut impl Msrs,
    guest_os_id: GuestOsId,
    page_gpa: u64,
) -> Result<HypercallMsr, EnableError> {
    if !guest_os_id.is_set() {
        return Err(EnableError::NoGuestOsId);
    }
    if page_gpa % crate::PAGE_SIZE as u64 != 0 {
        return Err(EnableError::Unaligned(page_gpa));
    }
    let gpfn = page_gpa >> 12;
    let current = HypercallMsr::from_bits(msrs.read(SyntheticMsr::HYPERCALL));
    if current.locked() && (current.gpfn() != gpfn || !current.enable()) {
        return Err(EnableError::Locked(current));
    }
    msrs.write(SyntheticMsr::GUEST_OS_ID, guest_os_id.0);
    let wanted = current.with_enable(true).with_gpfn(gpfn);
    msrs.write(SyntheticMsr::HYPERCALL, wanted.into_bits());
    let read = HypercallMsr::from_bits(msrs.read(SyntheticMsr::HYPERCALL));
    if read.enable() && read.gpfn() == gpfn {
        Ok(read)
    } else {
        Err(EnableError::NotEnabled(read))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;
    use hv_x64::msr::GuestOsIdOpenSource;

    /// The hypervisor's side of the two MSRs as the TLFS describes it: the page cannot be enabled
    /// without a guest OS id, and a locked MSR ignores writes.
    #[derive(Default)]
    struct Msr {
        os_id: u64,
        hypercall: u64,
        writes: usize,
    }

    impl Msrs for Msr {
        fn read(&mut self, msr: SyntheticMsr) -> u64 {
            match msr {
                SyntheticMsr::GUEST_OS_ID => self.os_id,
                SyntheticMsr::HYPERCALL => self.hypercall,
                _ => 0,
            }
        }
        fn write(&mut self, msr: SyntheticMsr, value: u64) {
            self.writes += 1;
            match msr {
                SyntheticMsr::GUEST_OS_ID => self.os_id = value,
                SyntheticMsr::HYPERCALL if self.hypercall & 2 == 0 && self.os_id != 0 => self.hypercall = value,
                _ => {}
            }
        }
    }

    fn linux() -> GuestOsId {
        GuestOsId(u64::from(GuestOsIdOpenSource::linux(0x0006_0800)))
    }

    #[test]
    fn enables_the_page_where_asked_and_reads_it_back() {
        let mut msrs = Msr::default();
        let page = enable_hypercalls(&mut msrs, linux(), 0x7000).unwrap();
        assert_eq!(page.into_bits(), 0x7001);
        assert_eq!(msrs.os_id, linux().0);
    }

    #[test]
    fn refuses_what_the_tlfs_forbids_before_writing_anything() {
        let mut msrs = Msr::default();
        assert_eq!(
            enable_hypercalls(&mut msrs, GuestOsId(0), 0x7000),
            Err(EnableError::NoGuestOsId)
        );
        assert_eq!(
            enable_hypercalls(&mut msrs, linux(), 0x7010),
            Err(EnableError::Unaligned(0x7010))
        );
        assert_eq!(msrs.writes, 0);
        msrs.hypercall = 0x3003; // locked, enabled at 0x3000
        let locked = enable_hypercalls(&mut msrs, linux(), 0x7000);
        assert_eq!(locked, Err(EnableError::Locked(HypercallMsr::from_bits(0x3003))));
        assert_eq!(msrs.writes, 0);
        assert_eq!(
            enable_hypercalls(&mut msrs, linux(), 0x3000).map(HypercallMsr::into_bits),
            Ok(0x3003)
        );
    }

    #[test]
    fn a_hypervisor_that_ignores_the_write_is_an_error() {
        struct Deaf;
        impl Msrs for Deaf {
            fn read(&mut self, _: SyntheticMsr) -> u64 {
                0
            }
            fn write(&mut self, _: SyntheticMsr, _: u64) {}
        }
        let e = enable_hypercalls(&mut Deaf, linux(), 0x7000).unwrap_err();
        assert_eq!(e, EnableError::NotEnabled(HypercallMsr::new()));
        assert_eq!(
            e.to_string(),
            "HV_X64_MSR_HYPERCALL reads back 0x0: the page is not enabled where it was placed"
        );
    }

    fn hyper_v(privileges: u64, features: u32) -> impl FnMut(u32) -> CpuidResult {
        move |leaf| match leaf {
            1 => CpuidResult {
                ecx: 1 << 31,
                ..Default::default()
            },
            0x4000_0000 => CpuidResult::from_vendor(0x4000_0005, *b"Microsoft Hv"),
            0x4000_0001 => CpuidResult {
                eax: cpuid::HV_INTERFACE_SIGNATURE,
                ..Default::default()
            },
            0x4000_0003 => CpuidResult {
                eax: privileges as u32,
                ebx: (privileges >> 32) as u32,
                edx: features,
                ..Default::default()
            },
            _ => CpuidResult::default(),
        }
    }

    #[test]
    fn detection_names_what_is_missing() {
        let all = Required::DEBUG_TRANSPORT.privileges.bits();
        assert!(detect(hyper_v(all, 0), Required::DEBUG_TRANSPORT).is_ok());
        let no_debugging = PartitionPrivileges::ACCESS_HYPERCALL_MSRS.bits();
        assert_eq!(
            detect(hyper_v(no_debugging, 0), Required::DEBUG_TRANSPORT),
            Err(DetectError::Missing {
                privileges: PartitionPrivileges::DEBUGGING,
                features: FeatureFlags::empty()
            })
        );
        let needs_debug_features = Required {
            privileges: PartitionPrivileges::empty(),
            features: FeatureFlags::GUEST_DEBUGGING_AVAILABLE,
        };
        assert!(matches!(
            detect(hyper_v(all, 0), needs_debug_features),
            Err(DetectError::Missing {
                features: FeatureFlags::GUEST_DEBUGGING_AVAILABLE,
                ..
            })
        ));
        assert_eq!(
            detect(|_| CpuidResult::default(), Required::DEBUG_TRANSPORT),
            Err(DetectError::NotHyperV(NotHyperV::NoHypervisor))
        );
    }
}
