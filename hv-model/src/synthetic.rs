//! The partition's synthetic MSRs and hypervisor CPUID leaves, one state machine for every VP that
//! presents Hyper-V: the model's VPs ([`crate::guest::ModelVp`]) and hv-kvm's vCPUs alike, so
//! `hv_guest::detect` and `hv_guest::enable_hypercalls` run unchanged against either.
//!
//! The TLFS rules ("Establishing the Hypercall Interface"): the hypercall page stays disabled while the
//! guest OS id is zero, clearing the id disables it, a locked `HV_X64_MSR_HYPERCALL` ignores writes, and
//! its reserved bits 11:2 are preserved; the MSRs exist only with the privileges that grant them.

use hv_abi::PartitionPrivileges;
use hv_x64::cpuid::{
    CpuidLeaf, CpuidResult, FeatureFlags, HV_INTERFACE_SIGNATURE, HypervisorFeatures, HypervisorLeaf,
    HypervisorVersion, ImplementationLimits, VersionNumbers,
};
use hv_x64::msr::{HypercallMsr, SyntheticMsr};

/// The hypervisor leaves a guest sees, from 0x40000000 to 0x40000005, for a partition with
/// `privileges` and `vcpus` VPs. Guest debugging is offered (0x40000003 EDX bit 1).
pub fn cpuid_leaves(privileges: PartitionPrivileges, vcpus: u32) -> [(CpuidLeaf, CpuidResult); 6] {
    let version = HypervisorVersion {
        build_number: 1,
        version: VersionNumbers::new().with_major(0).with_minor(1),
        ..HypervisorVersion::default()
    };
    let features = HypervisorFeatures {
        privileges,
        features: FeatureFlags::GUEST_DEBUGGING_AVAILABLE,
        ..HypervisorFeatures::default()
    };
    let limits = ImplementationLimits {
        max_virtual_processors: vcpus,
        max_logical_processors: vcpus,
        ..ImplementationLimits::default()
    };
    [
        (
            CpuidLeaf::VENDOR_AND_MAX_FUNCTION,
            CpuidResult::from_vendor(CpuidLeaf::IMPLEMENTATION_LIMITS.into_bits(), *b"Microsoft Hv"),
        ),
        (
            CpuidLeaf::INTERFACE,
            CpuidResult {
                eax: HV_INTERFACE_SIGNATURE,
                ..CpuidResult::default()
            },
        ),
        (CpuidLeaf::VERSION, version.to_registers()),
        (CpuidLeaf::FEATURES, features.to_registers()),
        (CpuidLeaf::ENLIGHTENMENT_INFORMATION, CpuidResult::default()),
        (CpuidLeaf::IMPLEMENTATION_LIMITS, limits.to_registers()),
    ]
}

/// What a synthetic MSR write asks of the VMM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsrWrite {
    /// Done; nothing else to do.
    Done,
    /// The hypercall page was enabled at this GPA: the hypervisor writes its hypercall code there.
    FillHypercallPage(u64),
}

/// The partition's synthetic MSRs (TLFS "Establishing the Hypercall Interface"): the guest OS id and
/// the hypercall page, and each VP's index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyntheticMsrs {
    /// `HV_X64_MSR_GUEST_OS_ID`.
    pub guest_os_id: u64,
    /// `HV_X64_MSR_HYPERCALL`.
    pub hypercall: HypercallMsr,
}

impl SyntheticMsrs {
    /// The enabled hypercall page's GPA.
    pub fn hypercall_page(&self) -> Option<u64> {
        self.hypercall.enable().then(|| self.hypercall.gpfn() << 12)
    }

    /// RDMSR of `msr` by VP `vp_index`; `None` is a #GP (an MSR hv-kvm does not present, or one the
    /// partition's privileges do not grant).
    pub fn read(&self, msr: SyntheticMsr, vp_index: u32, privileges: PartitionPrivileges) -> Option<u64> {
        match msr {
            SyntheticMsr::GUEST_OS_ID if privileges.contains(PartitionPrivileges::ACCESS_HYPERCALL_MSRS) => {
                Some(self.guest_os_id)
            }
            SyntheticMsr::HYPERCALL if privileges.contains(PartitionPrivileges::ACCESS_HYPERCALL_MSRS) => {
                Some(self.hypercall.into_bits())
            }
            SyntheticMsr::VP_INDEX if privileges.contains(PartitionPrivileges::ACCESS_VP_INDEX) => {
                Some(u64::from(vp_index))
            }
            _ => None,
        }
    }

    /// WRMSR of `msr`; `None` is a #GP. The TLFS rules: the hypercall page stays disabled while the guest
    /// OS id is zero, clearing the id disables it, a locked `HV_X64_MSR_HYPERCALL` ignores writes, and
    /// its reserved bits 11:2 are preserved.
    pub fn write(&mut self, msr: SyntheticMsr, value: u64, privileges: PartitionPrivileges) -> Option<MsrWrite> {
        if !privileges.contains(PartitionPrivileges::ACCESS_HYPERCALL_MSRS) {
            return None;
        }
        match msr {
            SyntheticMsr::GUEST_OS_ID => {
                self.guest_os_id = value;
                if value == 0 {
                    self.hypercall = self.hypercall.with_enable(false);
                }
                Some(MsrWrite::Done)
            }
            SyntheticMsr::HYPERCALL if self.hypercall.locked() => Some(MsrWrite::Done),
            SyntheticMsr::HYPERCALL => {
                let asked = HypercallMsr::from_bits(value);
                let preserved = self.hypercall.into_bits() & HypercallMsr::RESERVED_MASK;
                let value = HypercallMsr::from_bits(asked.into_bits() & !HypercallMsr::RESERVED_MASK | preserved);
                self.hypercall = value.with_enable(asked.enable() && self.guest_os_id != 0);
                Some(match self.hypercall_page() {
                    Some(gpa) => MsrWrite::FillHypercallPage(gpa),
                    None => MsrWrite::Done,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: PartitionPrivileges = PartitionPrivileges::ACCESS_HYPERCALL_MSRS
        .union(PartitionPrivileges::ACCESS_VP_INDEX)
        .union(PartitionPrivileges::DEBUGGING);

    #[test]
    fn the_page_is_enabled_only_after_a_guest_os_id_and_not_once_locked() {
        let mut msrs = SyntheticMsrs::default();
        assert_eq!(msrs.write(SyntheticMsr::HYPERCALL, 0x5001, ALL), Some(MsrWrite::Done));
        assert_eq!(msrs.hypercall_page(), None, "no guest OS id yet");
        msrs.write(SyntheticMsr::GUEST_OS_ID, 0x8100_0006_0800_0000, ALL);
        assert_eq!(
            msrs.write(SyntheticMsr::HYPERCALL, 0x5001 | 0xFFC, ALL),
            Some(MsrWrite::FillHypercallPage(0x5000))
        );
        assert_eq!(
            msrs.read(SyntheticMsr::HYPERCALL, 0, ALL),
            Some(0x5001),
            "bits 11:2 preserved"
        );
        msrs.write(SyntheticMsr::HYPERCALL, 0x5003, ALL);
        assert_eq!(msrs.write(SyntheticMsr::HYPERCALL, 0x9001, ALL), Some(MsrWrite::Done));
        assert_eq!(msrs.hypercall_page(), Some(0x5000), "locked");
        msrs.write(SyntheticMsr::GUEST_OS_ID, 0, ALL);
        assert_eq!(msrs.hypercall_page(), None, "clearing the id disables the page");
    }

    #[test]
    fn privileges_decide_which_msrs_exist() {
        let mut msrs = SyntheticMsrs::default();
        assert_eq!(msrs.read(SyntheticMsr::VP_INDEX, 3, ALL), Some(3));
        assert_eq!(msrs.read(SyntheticMsr::VP_INDEX, 3, PartitionPrivileges::empty()), None);
        assert_eq!(
            msrs.write(SyntheticMsr::GUEST_OS_ID, 1, PartitionPrivileges::DEBUGGING),
            None
        );
        assert_eq!(msrs.read(SyntheticMsr::SCONTROL, 0, ALL), None, "not presented");
        assert_eq!(msrs.write(SyntheticMsr::VP_INDEX, 1, ALL), None, "read-only");
    }

    #[test]
    fn the_leaves_pass_hv_guests_detection() {
        let leaves = cpuid_leaves(ALL, 2);
        let cpuid = |leaf: u32| match leaf {
            1 => CpuidResult {
                ecx: 1 << 31,
                ..CpuidResult::default()
            },
            _ => leaves
                .iter()
                .find(|(l, _)| l.into_bits() == leaf)
                .map_or(CpuidResult::default(), |(_, r)| *r),
        };
        let found = hv_x64::cpuid::detect(cpuid).unwrap();
        assert_eq!(&found.vendor, b"Microsoft Hv");
        assert_eq!(found.features.privileges, ALL);
        assert!(
            found
                .features
                .features
                .contains(FeatureFlags::GUEST_DEBUGGING_AVAILABLE)
        );
    }
}
