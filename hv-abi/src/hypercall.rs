//! The 64-bit hypercall input value (RCX on x64) and result value (RAX).

use crate::{CallCode, HvError, HvStatus};

/// `HV_X64_HYPERCALL_INPUT` (TLFS "Hypercall Inputs"): the value a caller places in RCX.
///
/// The TLFS-era layout (2013 WDK, HDK) has no variable-header or nested fields; both read as zero
/// there. Linux's `HV_HYPERCALL_RSVD0_MASK` covers bits 31:27 and so overlaps `is_nested`; this type
/// follows the TLFS (30:27 reserved, 31 nested).
#[crate::bitfield(u64, tlfs = "HV_X64_HYPERCALL_INPUT")]
#[must_use]
pub struct HypercallInput {
    /// The call code.
    #[bits(0..=15, tlfs = "CallCode")]
    pub call_code: CallCode,
    /// Register-based ("fast") calling convention: parameters in RDX/R8 rather than in memory.
    #[bits(16, tlfs = "IsFast")]
    pub fast: bool,
    /// Size of the variable header in 8-byte units.
    #[bits(17..=26, tlfs = "VariableHeaderSize")]
    pub variable_header_size: u16,
    #[bits(27..=30, tlfs = "RsvdZ")]
    rsvd_z0: Reserved,
    /// The call comes from a nested (L2) context and is for the L1 hypervisor.
    #[bits(31, tlfs = "IsNested")]
    pub nested: bool,
    /// Number of repetitions of a rep call (zero for a simple call).
    #[bits(32..=43, tlfs = "RepCount")]
    pub rep_count: u16,
    #[bits(44..=47, tlfs = "RsvdZ")]
    rsvd_z1: Reserved,
    /// The first repetition to process; the hypervisor writes the next index back on a continuation.
    #[bits(48..=59, tlfs = "RepStartIndex")]
    pub rep_start_index: u16,
    #[bits(60..=63, tlfs = "RsvdZ")]
    rsvd_z2: Reserved,
}

impl HypercallInput {
    /// `Ok(())` when no reserved bit is set, else `HV_STATUS_INVALID_HYPERCALL_INPUT`
    /// ([`reserved_bits`](Self::reserved_bits) says which).
    pub const fn validate(self) -> Result<(), HvError> {
        if self.reserved_bits() == 0 {
            Ok(())
        } else {
            HvStatus::INVALID_HYPERCALL_INPUT.result()
        }
    }
}

/// `HV_X64_HYPERCALL_OUTPUT` (TLFS "Hypercall Result Value"): the value returned in RAX.
///
/// The TLFS markdown gives "RsvdZ 63-40", which would overlap the rep count; the 2013 reference, HDK,
/// OpenVMM and Linux all give 63:44, as here.
#[crate::bitfield(u64, tlfs = "HV_X64_HYPERCALL_OUTPUT")]
#[must_use]
pub struct HypercallOutput {
    /// The result of the call.
    #[bits(0..=15, tlfs = "CallStatus")]
    pub status: HvStatus,
    #[bits(16..=31, tlfs = "Rsvd")]
    rsvd0: Reserved,
    /// Repetitions completed, counted from zero (not from the start index).
    #[bits(32..=43, tlfs = "RepsCompleted")]
    pub reps_completed: u16,
    #[bits(44..=63, tlfs = "Rsvd")]
    rsvd1: Reserved,
}

impl HypercallOutput {
    /// The result value for `status` with no repetitions completed.
    pub const fn from_status(status: HvStatus) -> Self {
        Self::new().with_status(status)
    }
}

impl HypercallOutput {
    /// The result of a rep call: the repetitions completed on success, and on failure the error *with*
    /// the repetitions completed before it, which a caller needs to resume or undo the call (TLFS "Rep
    /// Hypercall Restarting").
    pub const fn rep_result(self) -> Result<u16, RepError> {
        match HvError::new(self.status()) {
            None => Ok(self.reps_completed()),
            Some(error) => Err(RepError {
                error,
                reps_completed: self.reps_completed(),
            }),
        }
    }
}

/// A rep call that failed after completing `reps_completed` repetitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepError {
    /// Why the call stopped.
    pub error: HvError,
    /// Repetitions done before it stopped.
    pub reps_completed: u16,
}

impl core::fmt::Display for RepError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} after {} repetitions", self.error.status(), self.reps_completed)
    }
}

impl core::error::Error for RepError {}

impl From<HvStatus> for HypercallOutput {
    fn from(status: HvStatus) -> Self {
        Self::from_status(status)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fast_reset_debug_session_decodes() {
        let v = HypercallInput::from_bits(0x0001_006B);
        assert_eq!(v.call_code(), CallCode::RESET_DEBUG_SESSION);
        assert!(v.fast());
        assert_eq!(
            (v.variable_header_size(), v.rep_count(), v.rep_start_index()),
            (0, 0, 0)
        );
        assert!(!v.nested());
        assert_eq!(v.validate(), Ok(()));
    }

    #[test]
    fn fields_sit_at_their_documented_bits() {
        let v = HypercallInput::new()
            .with_call_code(CallCode::from_bits(0xFFFF))
            .with_variable_header_size(0x3FF)
            .with_nested(true)
            .with_rep_count(0xFFF)
            .with_rep_start_index(0xFFF);
        assert_eq!(v.into_bits(), 0x0FFF_0FFF_87FE_FFFF);
        assert_eq!(HypercallInput::RESERVED_MASK, 0xF000_F000_7800_0000);
        assert_eq!(HypercallOutput::RESERVED_MASK, 0xFFFF_F000_FFFF_0000);
        let out = HypercallOutput::from_status(HvStatus::NO_DATA).with_reps_completed(5);
        assert_eq!(out.into_bits(), 0x0000_0005_0000_001B);
    }

    #[test]
    fn a_failed_rep_call_keeps_its_progress() {
        let done = HypercallOutput::from_status(HvStatus::SUCCESS).with_reps_completed(12);
        assert_eq!(done.rep_result(), Ok(12));
        let failed = HypercallOutput::from_status(HvStatus::INSUFFICIENT_MEMORY).with_reps_completed(5);
        let err = failed.rep_result().unwrap_err();
        assert_eq!(
            (err.error.status(), err.reps_completed),
            (HvStatus::INSUFFICIENT_MEMORY, 5)
        );
        assert_eq!(format!("{err}"), "HV_STATUS_INSUFFICIENT_MEMORY after 5 repetitions");
    }

    #[test]
    fn every_reserved_bit_is_reported() {
        for bit in (0..64).filter(|b| HypercallInput::RESERVED_MASK >> b & 1 == 1) {
            let v = HypercallInput::from_bits(1 << bit);
            assert_eq!(v.validate(), HvStatus::INVALID_HYPERCALL_INPUT.result(), "bit {bit}");
            assert_eq!(v.reserved_bits(), 1 << bit);
        }
        assert_eq!(HypercallInput::RESERVED_MASK.count_ones(), 12);
    }

    proptest! {
        #[test]
        fn input_round_trips(bits: u64) {
            let v = HypercallInput::from_bits(bits);
            let rebuilt = HypercallInput::from_bits(bits & HypercallInput::RESERVED_MASK)
                .with_call_code(v.call_code())
                .with_fast(v.fast())
                .with_variable_header_size(v.variable_header_size())
                .with_nested(v.nested())
                .with_rep_count(v.rep_count())
                .with_rep_start_index(v.rep_start_index());
            prop_assert_eq!(rebuilt.into_bits(), bits);
            prop_assert_eq!(v.validate().is_ok(), bits & HypercallInput::RESERVED_MASK == 0);
        }

        #[test]
        fn output_round_trips(bits: u64) {
            let v = HypercallOutput::from_bits(bits);
            let rebuilt = HypercallOutput::from_bits(bits & HypercallOutput::RESERVED_MASK)
                .with_status(v.status())
                .with_reps_completed(v.reps_completed());
            prop_assert_eq!(rebuilt.into_bits(), bits);
        }
    }
}
