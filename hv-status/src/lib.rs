//! `HV_STATUS`: the 16-bit status a Hyper-V hypercall returns in bits 15:0 of its result value.
//!
//! [`HvStatus`] is an *open* code: every `u16` is a valid `HvStatus` and round-trips unchanged, so a
//! status from a newer hypervisor is never lost. Named codes print their TLFS name
//! (`HV_STATUS_NO_DATA`); others print the number (`HvStatus(0x1234)`). [`HvError`] is a status that is
//! known not to be `HV_STATUS_SUCCESS`, for use in [`HvResult`].
//!
//! Sources: TLFS "Hypercall Status Codes" and `datatypes/hv_status.md`; the 2013 WDK hypervisor
//! reference (MSDN ff541429); Linux `hvgdk_mini.h`; OpenVMM `hvdef`. Codes 0x1001 and up are
//! hypervisor-internal and never returned to a guest; they are deliberately not named here.
//!
//! ```
//! use hv_status::{HvError, HvStatus};
//!
//! // Bits 15:0 of RAX after HvRetrieveDebugData.
//! let status = HvStatus::from_bits(0x001B);
//! assert_eq!(status, HvStatus::NO_DATA);
//! assert_eq!(status.to_string(), "HV_STATUS_NO_DATA");
//! assert!(status.description().unwrap().starts_with("No data is available"));
//!
//! // As a Result, for `?`.
//! let err: HvError = status.result().unwrap_err();
//! assert_eq!(err.status(), HvStatus::NO_DATA);
//! assert!(HvStatus::SUCCESS.result().is_ok());
//!
//! // Names from traces, aliases included; unknown values round-trip.
//! assert_eq!(HvStatus::from_name("HV_STATUS_FIRMWARE_EXCEPTION"), Some(HvStatus::SMX_ENABLED));
//! assert_eq!(format!("{:?}", HvStatus::from_bits(0x1234)), "HvStatus(0x1234)");
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The `arbitrary` derive expands to code that names `std` (its recursion guard is a thread-local), so the
// feature, like the `arbitrary` crate itself, needs std.
#[cfg(any(feature = "arbitrary", feature = "proptest"))]
extern crate std;

use core::fmt;
use core::num::NonZeroU16;

use hv_abi_derive::open_enum;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

#[cfg(target_endian = "big")]
compile_error!("the Hyper-V ABI is little-endian; hv-status does not support big-endian targets");

/// `HV_STATUS` (TLFS "Hypercall Status Codes"): the result of a hypercall.
///
/// Open: any `u16` is representable and kept as it is. Use the associated consts for named codes,
/// [`HvStatus::name`] / [`HvStatus::from_name`] for TLFS names and [`HvStatus::description`] for the
/// documented meaning.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct HvStatus(u16);

impl HvStatus {
    /// `true` for `HV_STATUS_SUCCESS` (0).
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.0 == 0
    }

    /// `Ok(())` for success, otherwise the status as an [`HvError`].
    pub const fn result(self) -> HvResult<()> {
        match NonZeroU16::new(self.0) {
            None => Ok(()),
            Some(code) => Err(HvError(code)),
        }
    }
}

#[open_enum(u16, prefix = "HV_STATUS_")]
impl HvStatus {
    /// The operation succeeded.
    pub const SUCCESS: Self = Self(0x0000);
    /// The hypercall code is not recognised.
    pub const INVALID_HYPERCALL_CODE: Self = Self(0x0002);
    /// The hypercall input value is malformed: a reserved bit is set, the rep count or start index is
    /// invalid, or a variable header is given to a call that takes none.
    pub const INVALID_HYPERCALL_INPUT: Self = Self(0x0003);
    /// A parameter GPA is not 8-byte aligned, a parameter list crosses a page, or a GPA is outside the
    /// guest physical address space.
    pub const INVALID_ALIGNMENT: Self = Self(0x0004);
    /// A parameter of the call is invalid.
    pub const INVALID_PARAMETER: Self = Self(0x0005);
    /// The caller lacks the privilege or access the operation needs.
    pub const ACCESS_DENIED: Self = Self(0x0006);
    /// The partition is not in a state that allows the operation.
    pub const INVALID_PARTITION_STATE: Self = Self(0x0007);
    /// The operation is not permitted in the current configuration.
    pub const OPERATION_DENIED: Self = Self(0x0008);
    /// The partition property is not recognised.
    pub const UNKNOWN_PROPERTY: Self = Self(0x0009);
    /// The value given for a partition property is out of range.
    pub const PROPERTY_VALUE_OUT_OF_RANGE: Self = Self(0x000A);
    /// There is not enough memory in the partition's pool to complete the operation.
    pub const INSUFFICIENT_MEMORY: Self = Self(0x000B);
    /// The partition hierarchy is already as deep as it may go.
    pub const PARTITION_TOO_DEEP: Self = Self(0x000C);
    /// The partition id is not valid.
    pub const INVALID_PARTITION_ID: Self = Self(0x000D);
    /// The virtual processor index is not valid.
    pub const INVALID_VP_INDEX: Self = Self(0x000E);
    /// The requested object was not found (the 2013 reference lists 0x0010 as reserved).
    pub const NOT_FOUND: Self = Self(0x0010);
    /// The port id is not valid.
    pub const INVALID_PORT_ID: Self = Self(0x0011);
    /// The connection id is not valid.
    pub const INVALID_CONNECTION_ID: Self = Self(0x0012);
    /// Not enough buffers to complete the operation (HvPostDebugData: the outgoing buffer cannot take the
    /// whole block).
    pub const INSUFFICIENT_BUFFERS: Self = Self(0x0013);
    /// The message or event was not acknowledged.
    pub const NOT_ACKNOWLEDGED: Self = Self(0x0014);
    /// The virtual processor is not in a state that allows the operation (the 2013 reference lists
    /// 0x0015 as reserved).
    pub const INVALID_VP_STATE: Self = Self(0x0015);
    /// The message or event was already acknowledged.
    pub const ACKNOWLEDGED: Self = Self(0x0016);
    /// The saved state cannot be restored.
    pub const INVALID_SAVE_RESTORE_STATE: Self = Self(0x0017);
    /// The synthetic interrupt controller is not in a state that allows the operation.
    pub const INVALID_SYNIC_STATE: Self = Self(0x0018);
    /// The object is in use.
    pub const OBJECT_IN_USE: Self = Self(0x0019);
    /// The proximity domain information is not valid.
    pub const INVALID_PROXIMITY_DOMAIN_INFO: Self = Self(0x001A);
    /// No data is available (debug calls: nothing to retrieve, or nothing was purged).
    pub const NO_DATA: Self = Self(0x001B);
    /// No receive activity since the caller's last retrieve (HvRetrieveDebugData with TEST_ACTIVITY).
    pub const INACTIVE: Self = Self(0x001C);
    /// There are not enough resources to complete the operation.
    pub const NO_RESOURCES: Self = Self(0x001D);
    /// The feature is not present or not enabled (debug calls: guest debugging is off in the hypervisor).
    pub const FEATURE_UNAVAILABLE: Self = Self(0x001E);
    /// A debug packet was only partly transferred because of an I/O error.
    pub const PARTIAL_PACKET: Self = Self(0x001F);
    /// A processor feature the partition needs is not supported (the 2013 name is
    /// `HV_STATUS_PROCESSOR_FEATURE_SSE3_NOT_SUPPORTED`, kept as an alias; Linux and OpenVMM use this
    /// generic name for the same value).
    pub const PROCESSOR_FEATURE_NOT_SUPPORTED: Self = Self(0x0020);
    /// The 2013 name of [`PROCESSOR_FEATURE_NOT_SUPPORTED`](Self::PROCESSOR_FEATURE_NOT_SUPPORTED) (0x0020).
    #[alias]
    pub const PROCESSOR_FEATURE_SSE3_NOT_SUPPORTED: Self = Self(0x0020);
    /// The processor does not support LAHF/SAHF in long mode.
    pub const PROCESSOR_FEATURE_LAHFSAHF_NOT_SUPPORTED: Self = Self(0x0021);
    /// The processor does not support SSSE3.
    pub const PROCESSOR_FEATURE_SSSE3_NOT_SUPPORTED: Self = Self(0x0022);
    /// The processor does not support SSE4.1.
    pub const PROCESSOR_FEATURE_SSE4_1_NOT_SUPPORTED: Self = Self(0x0023);
    /// The processor does not support SSE4.2.
    pub const PROCESSOR_FEATURE_SSE4_2_NOT_SUPPORTED: Self = Self(0x0024);
    /// The processor does not support SSE4A.
    pub const PROCESSOR_FEATURE_SSE4A_NOT_SUPPORTED: Self = Self(0x0025);
    /// The processor does not support SSE5.
    pub const PROCESSOR_FEATURE_SSE5_NOT_SUPPORTED: Self = Self(0x0026);
    /// The processor does not support POPCNT.
    pub const PROCESSOR_FEATURE_POPCNT_NOT_SUPPORTED: Self = Self(0x0027);
    /// The processor does not support CMPXCHG16B.
    pub const PROCESSOR_FEATURE_CMPXCHG16B_NOT_SUPPORTED: Self = Self(0x0028);
    /// The processor does not support the alternative MOV CR8 encoding.
    pub const PROCESSOR_FEATURE_ALTMOVCR8_NOT_SUPPORTED: Self = Self(0x0029);
    /// The processor does not support LZCNT.
    pub const PROCESSOR_FEATURE_LZCNT_NOT_SUPPORTED: Self = Self(0x002A);
    /// The processor does not support misaligned SSE accesses.
    pub const PROCESSOR_FEATURE_MISALIGNED_SSE_NOT_SUPPORTED: Self = Self(0x002B);
    /// The processor does not support the MMX extensions.
    pub const PROCESSOR_FEATURE_MMX_EXT_NOT_SUPPORTED: Self = Self(0x002C);
    /// The processor does not support 3DNow!.
    pub const PROCESSOR_FEATURE_3DNOW_NOT_SUPPORTED: Self = Self(0x002D);
    /// The processor does not support extended 3DNow!.
    pub const PROCESSOR_FEATURE_EXTENDED_3DNOW_NOT_SUPPORTED: Self = Self(0x002E);
    /// The processor does not support 1 GiB pages.
    pub const PROCESSOR_FEATURE_PAGE_1GB_NOT_SUPPORTED: Self = Self(0x002F);
    /// The processor's cache-line flush size is incompatible with the partition.
    pub const PROCESSOR_CACHE_LINE_FLUSH_SIZE_INCOMPATIBLE: Self = Self(0x0030);
    /// The processor does not support XSAVE.
    pub const PROCESSOR_FEATURE_XSAVE_NOT_SUPPORTED: Self = Self(0x0031);
    /// The processor does not support XSAVEOPT.
    pub const PROCESSOR_FEATURE_XSAVEOPT_NOT_SUPPORTED: Self = Self(0x0032);
    /// A buffer is too small (current headers and OpenVMM; the 2013 reference and HDK name 0x0033
    /// `HV_STATUS_PROCESSOR_FEATURE_XSAVE_LEGACY_SSE_NOT_SUPPORTED`, kept as an alias). Not to be confused
    /// with [`INSUFFICIENT_BUFFERS`](Self::INSUFFICIENT_BUFFERS) (0x0013).
    pub const INSUFFICIENT_BUFFER: Self = Self(0x0033);
    /// The 2013 name of [`INSUFFICIENT_BUFFER`](Self::INSUFFICIENT_BUFFER) (0x0033).
    #[alias]
    pub const PROCESSOR_FEATURE_XSAVE_LEGACY_SSE_NOT_SUPPORTED: Self = Self(0x0033);
    /// The processor does not support XSAVE of AVX state.
    pub const PROCESSOR_FEATURE_XSAVE_AVX_NOT_SUPPORTED: Self = Self(0x0034);
    /// The processor reports an XSAVE feature the hypervisor does not know.
    pub const PROCESSOR_FEATURE_XSAVE_UNKNOWN_FEATURE_NOT_SUPPORTED: Self = Self(0x0035);
    /// The processor's XSAVE save area is incompatible with the partition.
    pub const PROCESSOR_XSAVE_SAVE_AREA_INCOMPATIBLE: Self = Self(0x0036);
    /// The processor is incompatible with the partition.
    pub const INCOMPATIBLE_PROCESSOR: Self = Self(0x0037);
    /// There are not enough device domains.
    pub const INSUFFICIENT_DEVICE_DOMAINS: Self = Self(0x0038);
    /// The processor does not support AES-NI.
    pub const PROCESSOR_FEATURE_AES_NOT_SUPPORTED: Self = Self(0x0039);
    /// The processor does not support PCLMULQDQ.
    pub const PROCESSOR_FEATURE_PCLMULQDQ_NOT_SUPPORTED: Self = Self(0x003A);
    /// The processor's XSAVE features are incompatible with the partition.
    pub const PROCESSOR_FEATURE_INCOMPATIBLE_XSAVE_FEATURES: Self = Self(0x003B);
    /// The requested CPUID features failed validation.
    pub const CPUID_FEATURE_VALIDATION_ERROR: Self = Self(0x003C);
    /// The requested CPUID XSAVE features failed validation.
    pub const CPUID_XSAVE_FEATURE_VALIDATION_ERROR: Self = Self(0x003D);
    /// A processor did not start in time.
    pub const PROCESSOR_STARTUP_TIMEOUT: Self = Self(0x003E);
    /// SMX is enabled on the processor (HDK, OpenVMM; current Windows headers name 0x003F
    /// `HV_STATUS_FIRMWARE_EXCEPTION`, kept as an alias).
    pub const SMX_ENABLED: Self = Self(0x003F);
    /// The name current Windows headers give [`SMX_ENABLED`](Self::SMX_ENABLED) (0x003F).
    #[alias]
    pub const FIRMWARE_EXCEPTION: Self = Self(0x003F);
    /// The logical processor index is not valid.
    pub const INVALID_LP_INDEX: Self = Self(0x0041);
    /// The processor does not support FMA4.
    pub const PROCESSOR_FEATURE_FMA4_NOT_SUPPORTED: Self = Self(0x0042);
    /// The processor does not support F16C.
    pub const PROCESSOR_FEATURE_F16C_NOT_SUPPORTED: Self = Self(0x0043);
    /// The processor does not support RDRAND.
    pub const PROCESSOR_FEATURE_RDRAND_NOT_SUPPORTED: Self = Self(0x0044);
    /// The processor does not support RDFSBASE/WRFSBASE and friends.
    pub const PROCESSOR_FEATURE_RDWRFSGS_NOT_SUPPORTED: Self = Self(0x0045);
    /// The processor does not support SMEP.
    pub const PROCESSOR_FEATURE_SMEP_NOT_SUPPORTED: Self = Self(0x0046);
    /// The processor does not support enhanced fast string operations.
    pub const PROCESSOR_FEATURE_ENHANCED_FAST_STRING_NOT_SUPPORTED: Self = Self(0x0047);
    /// The processor does not support MOVBE.
    pub const PROCESSOR_FEATURE_MOVBE_NOT_SUPPORTED: Self = Self(0x0048);
    /// The processor does not support BMI1.
    pub const PROCESSOR_FEATURE_BMI1_NOT_SUPPORTED: Self = Self(0x0049);
    /// The processor does not support BMI2.
    pub const PROCESSOR_FEATURE_BMI2_NOT_SUPPORTED: Self = Self(0x004A);
    /// The processor does not support HLE.
    pub const PROCESSOR_FEATURE_HLE_NOT_SUPPORTED: Self = Self(0x004B);
    /// The processor does not support RTM.
    pub const PROCESSOR_FEATURE_RTM_NOT_SUPPORTED: Self = Self(0x004C);
    /// The processor does not support XSAVE of FMA state.
    pub const PROCESSOR_FEATURE_XSAVE_FMA_NOT_SUPPORTED: Self = Self(0x004D);
    /// The processor does not support AVX2.
    pub const PROCESSOR_FEATURE_AVX2_NOT_SUPPORTED: Self = Self(0x004E);
    /// The processor does not support NPIEP1.
    pub const PROCESSOR_FEATURE_NPIEP1_NOT_SUPPORTED: Self = Self(0x004F);
    /// A register value is not valid.
    pub const INVALID_REGISTER_VALUE: Self = Self(0x0050);
    /// The virtual trust level is not in a state that allows the operation (the TLFS names this code
    /// without giving its value; 0x0051 is OpenVMM's).
    pub const INVALID_VTL_STATE: Self = Self(0x0051);
    /// The processor does not support RDSEED.
    pub const PROCESSOR_FEATURE_RDSEED_NOT_SUPPORTED: Self = Self(0x0052);
    /// The processor does not support ADX.
    pub const PROCESSOR_FEATURE_ADX_NOT_SUPPORTED: Self = Self(0x0053);
    /// The processor does not support SMAP.
    pub const PROCESSOR_FEATURE_SMAP_NOT_SUPPORTED: Self = Self(0x0054);
    /// No-execute protection was not detected.
    pub const NX_NOT_DETECTED: Self = Self(0x0055);
    /// The processor does not support Intel PREFETCHW.
    pub const PROCESSOR_FEATURE_INTEL_PREFETCH_NOT_SUPPORTED: Self = Self(0x0056);
    /// The device id is not valid.
    pub const INVALID_DEVICE_ID: Self = Self(0x0057);
    /// The device is not in a state that allows the operation.
    pub const INVALID_DEVICE_STATE: Self = Self(0x0058);
    /// Page requests are still pending.
    pub const PENDING_PAGE_REQUESTS: Self = Self(0x0059);
    /// The page request is not valid.
    pub const PAGE_REQUEST_INVALID: Self = Self(0x0060);
    /// The key already exists (OpenVMM's value; HDK puts an internal code of this name at 0x1006).
    pub const KEY_ALREADY_EXISTS: Self = Self(0x0065);
    /// The device is already in the domain.
    pub const DEVICE_ALREADY_IN_DOMAIN: Self = Self(0x0066);
    /// The CPU group id is not valid.
    pub const INVALID_CPU_GROUP_ID: Self = Self(0x006F);
    /// The CPU group is not in a state that allows the operation.
    pub const INVALID_CPU_GROUP_STATE: Self = Self(0x0070);
    /// The operation failed.
    pub const OPERATION_FAILED: Self = Self(0x0071);
    /// The operation is not allowed while nested virtualization is active.
    pub const NOT_ALLOWED_WITH_NESTED_VIRT_ACTIVE: Self = Self(0x0072);
    /// The root partition does not have enough memory.
    pub const INSUFFICIENT_ROOT_MEMORY: Self = Self(0x0073);
    /// The event buffer was already freed.
    pub const EVENT_BUFFER_ALREADY_FREED: Self = Self(0x0074);
    /// The operation timed out (Linux `HV_STATUS_TIME_OUT`, OpenVMM `Timeout`; HDK's internal
    /// `HV_STATUS_TIMEOUT` is 0x1016 and is not this code).
    pub const TIME_OUT: Self = Self(0x0078);
    /// The call is pending and will complete later.
    pub const CALL_PENDING: Self = Self(0x0079);
    /// The virtual trust level is already enabled.
    pub const VTL_ALREADY_ENABLED: Self = Self(0x0086);
    /// The register name is not recognised.
    pub const UNKNOWN_REGISTER_NAME: Self = Self(0x0087);
}

/// A hypercall status that is not `HV_STATUS_SUCCESS`.
///
/// Implements [`core::error::Error`]; its `Display` gives the TLFS name, the number and the meaning.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HvError(NonZeroU16);

/// The result of a hypercall: `Ok` on `HV_STATUS_SUCCESS`, otherwise the failing status.
pub type HvResult<T> = Result<T, HvError>;

impl HvError {
    /// The error for `status`, or `None` if `status` is `HV_STATUS_SUCCESS`.
    #[must_use]
    pub const fn new(status: HvStatus) -> Option<Self> {
        match status.result() {
            Ok(()) => None,
            Err(e) => Some(e),
        }
    }

    /// The failing status.
    #[must_use]
    pub const fn status(self) -> HvStatus {
        HvStatus(self.0.get())
    }
}

impl From<HvError> for HvStatus {
    fn from(e: HvError) -> Self {
        e.status()
    }
}

/// `HV_STATUS_SUCCESS` was given where a failing status was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuccessIsNotAnError;

impl fmt::Display for SuccessIsNotAnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HV_STATUS_SUCCESS is not an error")
    }
}

impl core::error::Error for SuccessIsNotAnError {}

impl TryFrom<HvStatus> for HvError {
    type Error = SuccessIsNotAnError;
    fn try_from(s: HvStatus) -> Result<Self, Self::Error> {
        Self::new(s).ok_or(SuccessIsNotAnError)
    }
}

impl From<HvResult<()>> for HvStatus {
    fn from(r: HvResult<()>) -> Self {
        match r {
            Ok(()) => Self::SUCCESS,
            Err(e) => e.status(),
        }
    }
}

impl fmt::Debug for HvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HvError({:?})", self.status())
    }
}

impl fmt::Display for HvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.status();
        match (s.name(), s.description()) {
            (Some(name), Some(text)) => write!(f, "{name} ({:#06x}): {text}", s.0),
            _ => write!(f, "unnamed hypercall status {:#06x}", s.0),
        }
    }
}

impl core::error::Error for HvError {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;
    use std::string::ToString;

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_print_and_parse() {
        assert_eq!(format!("{:?}", HvStatus::NO_DATA), "HV_STATUS_NO_DATA");
        assert_eq!(HvStatus::NO_DATA.to_string(), "HV_STATUS_NO_DATA");
        assert_eq!(
            HvStatus::from_name("HV_STATUS_INACTIVE"),
            Some(HvStatus::from_bits(0x1C))
        );
        assert_eq!(HvStatus::from_name("hv_status_inactive"), None);
        assert_eq!(format!("{:?}", HvStatus::from_bits(0x1234)), "HvStatus(0x1234)");
        assert_eq!(HvStatus::from_bits(0x40).to_string(), "0x0040");
        assert_eq!(HvStatus::from_bits(0x40).description(), None);
    }

    #[test]
    fn documented_values() {
        let expect = [
            (HvStatus::INVALID_HYPERCALL_INPUT, 0x03),
            (HvStatus::INVALID_PARAMETER, 0x05),
            (HvStatus::ACCESS_DENIED, 0x06),
            (HvStatus::OPERATION_DENIED, 0x08),
            (HvStatus::INSUFFICIENT_BUFFERS, 0x13),
            (HvStatus::NO_DATA, 0x1B),
            (HvStatus::INACTIVE, 0x1C),
            (HvStatus::FEATURE_UNAVAILABLE, 0x1E),
            (HvStatus::PARTIAL_PACKET, 0x1F),
            (HvStatus::PROCESSOR_FEATURE_PAGE_1GB_NOT_SUPPORTED, 0x2F),
            (HvStatus::PROCESSOR_FEATURE_NPIEP1_NOT_SUPPORTED, 0x4F),
            (HvStatus::TIME_OUT, 0x78),
            (HvStatus::UNKNOWN_REGISTER_NAME, 0x87),
        ];
        for (s, v) in expect {
            assert_eq!(s.into_bits(), v, "{s:?}");
        }
    }

    #[test]
    fn table_is_ordered_unique_and_public_range() {
        let values: std::vec::Vec<u16> = HvStatus::NAMED.iter().map(|(_, s)| s.into_bits()).collect();
        assert!(
            values.windows(2).all(|w| w[0] < w[1]),
            "NAMED is sorted by value without repeats"
        );
        assert!(values.iter().all(|&v| v <= 0x87), "only public codes (0x0000-0x0087)");
        // abi-facts.md section 1: 0x00, 0x02-0x0E (13), 0x10-0x37 (40), 0x38-0x3F (8), 0x41-0x4F (15),
        // 0x50-0x59 (10), and 0x60 0x65 0x66 0x6F 0x70 0x71 0x72 0x73 0x74 0x78 0x79 0x86 0x87 (13).
        assert_eq!(values.len(), 1 + 13 + 40 + 8 + 15 + 10 + 13);
        for (name, s) in HvStatus::NAMED {
            assert_eq!(s.name(), Some(*name));
            assert!(name.starts_with("HV_STATUS_"));
            assert!(!s.description().unwrap().is_empty());
        }
    }

    #[test]
    fn aliases_resolve_to_the_canonical_value() {
        assert_eq!(
            HvStatus::from_name("HV_STATUS_PROCESSOR_FEATURE_SSE3_NOT_SUPPORTED"),
            Some(HvStatus::PROCESSOR_FEATURE_NOT_SUPPORTED)
        );
        assert_eq!(
            HvStatus::from_name("HV_STATUS_PROCESSOR_FEATURE_XSAVE_LEGACY_SSE_NOT_SUPPORTED"),
            Some(HvStatus::INSUFFICIENT_BUFFER)
        );
        assert_eq!(HvStatus::from_bits(0x33).name(), Some("HV_STATUS_INSUFFICIENT_BUFFER"));
        assert_eq!(
            HvStatus::from_name("HV_STATUS_FIRMWARE_EXCEPTION"),
            Some(HvStatus::SMX_ENABLED)
        );
        assert_eq!(HvStatus::from_bits(0x3F).name(), Some("HV_STATUS_SMX_ENABLED"));
        assert_eq!(HvStatus::ALIASES.len(), 3);
    }

    #[test]
    fn error_conversions() {
        assert_eq!(HvStatus::SUCCESS.result(), Ok(()));
        let e = HvStatus::NO_DATA.result().unwrap_err();
        assert_eq!(e.status(), HvStatus::NO_DATA);
        assert_eq!(HvStatus::from(e), HvStatus::NO_DATA);
        assert_eq!(HvError::try_from(HvStatus::SUCCESS), Err(SuccessIsNotAnError));
        assert_eq!(HvStatus::from(Err::<(), _>(e)), HvStatus::NO_DATA);
        assert_eq!(HvStatus::from(Ok::<(), HvError>(())), HvStatus::SUCCESS);
        assert_eq!(format!("{e:?}"), "HvError(HV_STATUS_NO_DATA)");
        assert_eq!(
            e.to_string(),
            "HV_STATUS_NO_DATA (0x001b): No data is available (debug calls: nothing to retrieve, or nothing was purged)."
        );
        let unknown = HvError::new(HvStatus::from_bits(0x9999)).unwrap();
        assert_eq!(unknown.to_string(), "unnamed hypercall status 0x9999");
    }

    proptest! {
        #[test]
        fn every_u16_round_trips(v: u16) {
            let s = HvStatus::from_bits(v);
            prop_assert_eq!(s.into_bits(), v);
            prop_assert_eq!(s.as_bytes(), &v.to_le_bytes());
            prop_assert_eq!(HvStatus::read_from_bytes(&v.to_le_bytes()).unwrap(), s);
            prop_assert_eq!(s.is_success(), v == 0);
            prop_assert_eq!(HvStatus::from(s.result()), s);
            match s.name() {
                Some(n) => prop_assert_eq!(HvStatus::from_name(n), Some(s)),
                None => {
                    let shown = format!("{s:?}");
                    prop_assert_eq!(shown, format!("HvStatus({v:#06x})"));
                }
            }
        }
    }
}
