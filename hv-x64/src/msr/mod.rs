//! The synthetic MSRs (TLFS "Feature and Interface Discovery", "Hypercall Interface", "Synthetic Interrupt
//! Controller", "Timers", "Guest Crash Enlightenment"): the code space of their numbers and a bitfield for
//! each one whose contents have fields.
//!
//! Numbers come from Linux `include/hyperv/hvgdk_mini.h` (every `HV_X64_MSR_*`); the synthetic-debugger
//! MSRs, which the TLFS leaves out, from Linux KVM `hyperv.h` and QEMU `hyperv-proto.h`.
//!
//! ```
//! use hv_x64::msr::{GuestOsIdOpenSource, HypercallMsr, SyntheticMsr};
//!
//! // What a guest writes to enable hypercalls with its hypercall page at GPA 0x5000.
//! let id = GuestOsIdOpenSource::linux(0x0006_0800);
//! let hypercall = HypercallMsr::new().with_enable(true).with_gpfn(0x5000 >> 12);
//! assert_eq!(u64::from(id), 0x8100_0006_0800_0000);
//! assert_eq!(u64::from(hypercall), 0x5001);
//! assert_eq!(SyntheticMsr::HYPERCALL.name(), Some("HV_X64_MSR_HYPERCALL"));
//! ```

mod crash;
mod guest_os_id;
mod pages;
mod stimer;
mod syndbg;
mod synic;
mod tsc;

pub use crash::CrashControl;
pub use guest_os_id::{GuestOsId, GuestOsIdMicrosoft, GuestOsIdOpenSource, OpenSourceOsType};
pub use pages::{HypercallMsr, PageMsr};
pub use stimer::StimerConfig;
pub use syndbg::{SyndbgControl, SyndbgOptions, SyndbgStatus};
pub use synic::{SynicControl, SynicSint};
pub use tsc::{ReenlightenmentControl, TscEmulationControl, TscEmulationStatus, TscInvariantControl};

use hv_abi::layout::{Bitfield, BitfieldLayout};
use hv_abi::open_enum;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `HV_X64_SYNTHETIC_MSR`: a synthetic MSR number (ECX of RDMSR/WRMSR). Open: any number round-trips.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct SyntheticMsr(u32);

impl SyntheticMsr {
    /// `true` for the range Hyper-V reserves for its MSRs (0x40000000-0x400000FF and the nested SynIC
    /// MSRs at 0x40001000-0x400010FF), which a VMM presenting Hyper-V handles itself.
    #[must_use]
    pub const fn in_synthetic_range(self) -> bool {
        matches!(self.0, 0x4000_0000..=0x4000_01FF | 0x4000_1000..=0x4000_10FF)
    }
}

impl SyntheticMsr {
    /// The bit ranges of this MSR's contents, for the MSRs whose contents have fields: `value` picks
    /// between the two encodings of `HV_X64_MSR_GUEST_OS_ID` (bit 63). `None` for an MSR that holds a
    /// plain number (a count, a frequency, an address) and for numbers this crate does not name.
    #[must_use]
    pub fn value_layout(self, value: u64) -> Option<BitfieldLayout> {
        let layout = match self {
            Self::GUEST_OS_ID if value >> 63 == 1 => GuestOsIdOpenSource::BITFIELD,
            Self::GUEST_OS_ID => GuestOsIdMicrosoft::BITFIELD,
            Self::HYPERCALL => HypercallMsr::BITFIELD,
            Self::REFERENCE_TSC | Self::VP_ASSIST_PAGE | Self::SIEFP | Self::SIMP => PageMsr::BITFIELD,
            Self::NESTED_SIEFP | Self::NESTED_SIMP => PageMsr::BITFIELD,
            Self::SCONTROL | Self::NESTED_SCONTROL => SynicControl::BITFIELD,
            Self::STIMER0_CONFIG | Self::STIMER1_CONFIG | Self::STIMER2_CONFIG | Self::STIMER3_CONFIG => {
                StimerConfig::BITFIELD
            }
            Self::SYNDBG_CONTROL => SyndbgControl::BITFIELD,
            Self::SYNDBG_STATUS => SyndbgStatus::BITFIELD,
            Self::SYNDBG_OPTIONS => SyndbgOptions::BITFIELD,
            Self::CRASH_CTL => CrashControl::BITFIELD,
            Self::REENLIGHTENMENT_CONTROL => ReenlightenmentControl::BITFIELD,
            Self::TSC_EMULATION_CONTROL => TscEmulationControl::BITFIELD,
            Self::TSC_EMULATION_STATUS => TscEmulationStatus::BITFIELD,
            Self::TSC_INVARIANT_CONTROL => TscInvariantControl::BITFIELD,
            Self(0x4000_0090..=0x4000_009F | 0x4000_1090..=0x4000_109F) => SynicSint::BITFIELD,
            _ => return None,
        };
        Some(layout)
    }
}

#[open_enum(u32, prefix = "HV_X64_MSR_")]
impl SyntheticMsr {
    /// The guest OS identity ([`GuestOsId`]); nonzero before hypercalls can be enabled.
    pub const GUEST_OS_ID: Self = Self(0x4000_0000);
    /// The hypercall page ([`HypercallMsr`]).
    pub const HYPERCALL: Self = Self(0x4000_0001);
    /// The VP's index.
    pub const VP_INDEX: Self = Self(0x4000_0002);
    /// Writing 1 resets the partition.
    pub const RESET: Self = Self(0x4000_0003);
    /// The VP's run time in 100 ns units.
    pub const VP_RUNTIME: Self = Self(0x4000_0010);
    /// The partition reference counter in 100 ns units.
    pub const TIME_REF_COUNT: Self = Self(0x4000_0020);
    /// The reference TSC page ([`PageMsr`]).
    pub const REFERENCE_TSC: Self = Self(0x4000_0021);
    /// The TSC frequency in Hz.
    pub const TSC_FREQUENCY: Self = Self(0x4000_0022);
    /// The local APIC timer frequency in Hz.
    pub const APIC_FREQUENCY: Self = Self(0x4000_0023);
    /// The virtual APIC's EOI register.
    pub const EOI: Self = Self(0x4000_0070);
    /// The virtual APIC's ICR.
    pub const ICR: Self = Self(0x4000_0071);
    /// The virtual APIC's TPR.
    pub const TPR: Self = Self(0x4000_0072);
    /// The VP assist page ([`PageMsr`]).
    pub const VP_ASSIST_PAGE: Self = Self(0x4000_0073);
    /// SynIC control ([`SynicControl`]).
    pub const SCONTROL: Self = Self(0x4000_0080);
    /// SynIC version.
    pub const SVERSION: Self = Self(0x4000_0081);
    /// The SynIC event flags page ([`PageMsr`]).
    pub const SIEFP: Self = Self(0x4000_0082);
    /// The SynIC message page ([`PageMsr`]).
    pub const SIMP: Self = Self(0x4000_0083);
    /// End of message.
    pub const EOM: Self = Self(0x4000_0084);
    /// The SynIC interrupt-redirection base.
    pub const SIRBP: Self = Self(0x4000_0085);
    /// Synthetic interrupt source 0 ([`SynicSint`]).
    pub const SINT0: Self = Self(0x4000_0090);
    /// SINT 1.
    pub const SINT1: Self = Self(0x4000_0091);
    /// SINT 2.
    pub const SINT2: Self = Self(0x4000_0092);
    /// SINT 3.
    pub const SINT3: Self = Self(0x4000_0093);
    /// SINT 4.
    pub const SINT4: Self = Self(0x4000_0094);
    /// SINT 5.
    pub const SINT5: Self = Self(0x4000_0095);
    /// SINT 6.
    pub const SINT6: Self = Self(0x4000_0096);
    /// SINT 7.
    pub const SINT7: Self = Self(0x4000_0097);
    /// SINT 8.
    pub const SINT8: Self = Self(0x4000_0098);
    /// SINT 9.
    pub const SINT9: Self = Self(0x4000_0099);
    /// SINT 10.
    pub const SINT10: Self = Self(0x4000_009A);
    /// SINT 11.
    pub const SINT11: Self = Self(0x4000_009B);
    /// SINT 12.
    pub const SINT12: Self = Self(0x4000_009C);
    /// SINT 13.
    pub const SINT13: Self = Self(0x4000_009D);
    /// SINT 14.
    pub const SINT14: Self = Self(0x4000_009E);
    /// SINT 15.
    pub const SINT15: Self = Self(0x4000_009F);
    /// Synthetic timer 0 configuration ([`StimerConfig`]).
    pub const STIMER0_CONFIG: Self = Self(0x4000_00B0);
    /// Synthetic timer 0 count.
    pub const STIMER0_COUNT: Self = Self(0x4000_00B1);
    /// Synthetic timer 1 configuration.
    pub const STIMER1_CONFIG: Self = Self(0x4000_00B2);
    /// Synthetic timer 1 count.
    pub const STIMER1_COUNT: Self = Self(0x4000_00B3);
    /// Synthetic timer 2 configuration.
    pub const STIMER2_CONFIG: Self = Self(0x4000_00B4);
    /// Synthetic timer 2 count.
    pub const STIMER2_COUNT: Self = Self(0x4000_00B5);
    /// Synthetic timer 3 configuration.
    pub const STIMER3_CONFIG: Self = Self(0x4000_00B6);
    /// Synthetic timer 3 count.
    pub const STIMER3_COUNT: Self = Self(0x4000_00B7);
    /// Guest idle: reading it idles the VP.
    pub const GUEST_IDLE: Self = Self(0x4000_00F0);
    /// Synthetic debugger control ([`SyndbgControl`]; KVM, QEMU).
    pub const SYNDBG_CONTROL: Self = Self(0x4000_00F1);
    /// Synthetic debugger status ([`SyndbgStatus`]).
    pub const SYNDBG_STATUS: Self = Self(0x4000_00F2);
    /// Synthetic debugger send buffer GPA.
    pub const SYNDBG_SEND_BUFFER: Self = Self(0x4000_00F3);
    /// Synthetic debugger receive buffer GPA.
    pub const SYNDBG_RECV_BUFFER: Self = Self(0x4000_00F4);
    /// Synthetic debugger pending buffer GPA.
    pub const SYNDBG_PENDING_BUFFER: Self = Self(0x4000_00F5);
    /// Synthetic debugger options ([`SyndbgOptions`]).
    pub const SYNDBG_OPTIONS: Self = Self(0x4000_00FF);
    /// Guest crash parameter 0.
    pub const CRASH_P0: Self = Self(0x4000_0100);
    /// Guest crash parameter 1.
    pub const CRASH_P1: Self = Self(0x4000_0101);
    /// Guest crash parameter 2.
    pub const CRASH_P2: Self = Self(0x4000_0102);
    /// Guest crash parameter 3.
    pub const CRASH_P3: Self = Self(0x4000_0103);
    /// Guest crash parameter 4.
    pub const CRASH_P4: Self = Self(0x4000_0104);
    /// Guest crash control ([`CrashControl`]).
    pub const CRASH_CTL: Self = Self(0x4000_0105);
    /// Reenlightenment control ([`ReenlightenmentControl`]).
    pub const REENLIGHTENMENT_CONTROL: Self = Self(0x4000_0106);
    /// TSC emulation control ([`TscEmulationControl`]).
    pub const TSC_EMULATION_CONTROL: Self = Self(0x4000_0107);
    /// TSC emulation status ([`TscEmulationStatus`]).
    pub const TSC_EMULATION_STATUS: Self = Self(0x4000_0108);
    /// TSC invariant control ([`TscInvariantControl`]).
    pub const TSC_INVARIANT_CONTROL: Self = Self(0x4000_0118);
    /// Nested SynIC control.
    pub const NESTED_SCONTROL: Self = Self(0x4000_1080);
    /// Nested SynIC version.
    pub const NESTED_SVERSION: Self = Self(0x4000_1081);
    /// Nested SynIC event flags page.
    pub const NESTED_SIEFP: Self = Self(0x4000_1082);
    /// Nested SynIC message page.
    pub const NESTED_SIMP: Self = Self(0x4000_1083);
    /// Nested end of message.
    pub const NESTED_EOM: Self = Self(0x4000_1084);
    /// Nested SINT 0 (the others follow at +1 each).
    pub const NESTED_SINT0: Self = Self(0x4000_1090);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names() {
        assert_eq!(SyntheticMsr::GUEST_OS_ID.into_bits(), 0x4000_0000);
        assert_eq!(SyntheticMsr::SINT15.into_bits(), 0x4000_009F);
        assert_eq!(
            SyntheticMsr::from_name("HV_X64_MSR_SYNDBG_OPTIONS"),
            Some(SyntheticMsr::SYNDBG_OPTIONS)
        );
        assert_eq!(SyntheticMsr::from_bits(0x4000_00A0).name(), None);
        assert!(SyntheticMsr::NESTED_SINT0.in_synthetic_range());
        assert!(SyntheticMsr::TSC_INVARIANT_CONTROL.in_synthetic_range());
        assert!(
            !SyntheticMsr::from_bits(0xC000_0080).in_synthetic_range(),
            "EFER is architectural"
        );
        assert!(SyntheticMsr::NAMED.iter().all(|(_, m)| m.in_synthetic_range()));
    }

    #[test]
    fn contents_layouts_follow_the_msr_and_the_guest_os_id_encoding() {
        let name = |msr: SyntheticMsr, value| msr.value_layout(value).map(|l| l.tlfs_name);
        assert_eq!(name(SyntheticMsr::HYPERCALL, 0), Some("HV_X64_MSR_HYPERCALL_CONTENTS"));
        assert_eq!(name(SyntheticMsr::GUEST_OS_ID, 1 << 63), Some("HV_X64_MSR_GUEST_OS_ID"));
        assert_eq!(
            name(SyntheticMsr::GUEST_OS_ID, 1),
            Some("HV_X64_MSR_GUEST_OS_ID_CONTENTS")
        );
        assert_eq!(name(SyntheticMsr::SINT15, 0), Some("hv_synic_sint"));
        assert_eq!(name(SyntheticMsr::from_bits(0x4000_1095), 0), Some("hv_synic_sint"));
        assert_eq!(name(SyntheticMsr::SIMP, 0), Some("hv_reference_tsc_msr"));
        assert_eq!(name(SyntheticMsr::TSC_FREQUENCY, 0), None, "a plain number");
        assert_eq!(
            name(SyntheticMsr::from_bits(0xC000_0080), 0),
            None,
            "EFER is not synthetic"
        );
    }
}
