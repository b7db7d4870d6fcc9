//! The x64 Hyper-V ABI, one import away: the guest protocol ([`cpuid`] leaves and synthetic [`msr`]s), the
//! hypercall registers, segment registers, VP execution state, intercept access types, and the intercept
//! messages a hypervisor sends to a partition's SynIC (payloads of [`synic::Message`]); with the
//! arch-neutral types of `hv-abi` and the zerocopy traits re-exported.
//!
//! ```
//! use hv_x64::parse::{self, X64Payload};
//! use hv_x64::synic::Message;
//! use hv_x64::{FromZeros, InterceptAccessType, IoPortInterceptMessage, VpIndex};
//!
//! // A 256-byte SynIC message as a VMM receives it: an I/O port intercept of an `out dx, al`.
//! let mut io = IoPortInterceptMessage::new_zeroed();
//! io.header.vp_index = VpIndex(1);
//! io.header.intercept_access_type = InterceptAccessType::Write.into();
//! io.header.rip = 0x1_0000;
//! io.port_number = 0xE9;
//! io.rax = u64::from(b'!');
//! let message = Message::new(hv_x64::synic::MessageType::X64_IO_PORT_INTERCEPT, 0, &io).unwrap();
//!
//! // Captured one byte into an 8-aligned buffer, as a trace file holds it: 256 unaligned bytes.
//! let mut buffer = [0u64; 33];
//! let bytes = hv_x64::IntoBytes::as_mut_bytes(&mut buffer);
//! bytes[1..257].copy_from_slice(hv_x64::IntoBytes::as_bytes(&message));
//! let raw: &[u8] = &bytes[1..257];
//!
//! // Raw bytes to a typed intercept to its fields (read through `scratch`, since they are unaligned).
//! let mut scratch = Message::new_zeroed();
//! let X64Payload::IoPort(intercept) = parse::parse(raw, &mut scratch).unwrap().payload else {
//!     unreachable!("the message type says I/O port")
//! };
//! assert_eq!(intercept.header.access_type(), Ok(InterceptAccessType::Write));
//! assert_eq!((intercept.port_number, intercept.rax as u8), (0xE9, b'!'));
//! ```
//!
//! Layouts follow the 2013 WDK reference, HDK, the mshv headers and OpenVMM (see each type); every size
//! and offset is checked at compile time and listed in [`registry()`].
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The `arbitrary` derive expands to code that names `std` (its recursion guard is a thread-local), so the
// feature, like the `arbitrary` crate itself, needs std.
#[cfg(any(feature = "arbitrary", feature = "proptest"))]
extern crate std;

pub mod cpuid;
pub mod hypercall;
mod intercept;
pub mod msr;
mod notifications;
pub mod parse;
mod register;
mod registers;
#[cfg(feature = "proptest")]
pub mod strategy;

pub use hypercall::{HypercallRegisters, result_32bit};

// One import for the whole x64 ABI: the arch-neutral types and modules of hv-abi (HV_STATUS included), and
// the zerocopy traits that read and write them.
pub use hv_abi::{
    Bitfield, CallCode, CallDescriptor, CallKind, HvError, HvResult, HvStatus, HypercallInput, HypercallOutput, Layout,
    PartitionId, PartitionPrivileges, PartitionPropertyCode, RepError, VpIndex, debug, flags, layout, registry, synic,
};
pub use intercept::{
    CacheType, CpuidInterceptMessage, ExceptionInfo, ExceptionInterceptMessage, GpaAttributeFlags,
    GpaAttributeInterceptMessage, GpaPageRange, HypercallInterceptFlags, HypercallInterceptMessage,
    InstructionLengthCr8, InterceptAccessType, InterceptAccessTypeMask, InterceptMessageHeader, IoPortAccessInfo,
    IoPortInterceptMessage, MemoryAccessInfo, MemoryInterceptMessage, MsrInterceptMessage, RegisterAccessInfo,
    RegisterInterceptFlags, RegisterInterceptMessage, UnknownAccessType, VmgexitFlags, VmgexitInterceptMessage,
};
pub use notifications::{
    ApicEoiMessage, InterruptionDeliverableMessage, InvalidVpRegisterMessage, OpaqueInterceptMessage,
    SintDeliverableMessage, SipiInterceptMessage, TimerMessage, UnsupportedFeatureMessage,
};
pub use register::{InterceptType, RegisterName, RegisterValue};
pub use registers::{SegmentAttributes, SegmentRegister, VpExecutionState};
pub use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

use hv_abi::registry::{CodeTable, Registry, Section};

/// The x64 tables: every wire struct, bitfield, code space and flag type of this crate.
pub static SECTION: Section = Section {
    types: &[
        SegmentRegister::TYPE_LAYOUT,
        InterceptMessageHeader::TYPE_LAYOUT,
        IoPortInterceptMessage::TYPE_LAYOUT,
        MsrInterceptMessage::TYPE_LAYOUT,
        CpuidInterceptMessage::TYPE_LAYOUT,
        ExceptionInterceptMessage::TYPE_LAYOUT,
        MemoryInterceptMessage::TYPE_LAYOUT,
        TimerMessage::TYPE_LAYOUT,
        ApicEoiMessage::TYPE_LAYOUT,
        UnsupportedFeatureMessage::TYPE_LAYOUT,
        InvalidVpRegisterMessage::TYPE_LAYOUT,
        OpaqueInterceptMessage::TYPE_LAYOUT,
        InterruptionDeliverableMessage::TYPE_LAYOUT,
        SintDeliverableMessage::TYPE_LAYOUT,
        SipiInterceptMessage::TYPE_LAYOUT,
        HypercallInterceptMessage::TYPE_LAYOUT,
        RegisterInterceptMessage::TYPE_LAYOUT,
        GpaAttributeInterceptMessage::TYPE_LAYOUT,
        VmgexitInterceptMessage::TYPE_LAYOUT,
        cpuid::VendorAndMaxFunction::TYPE_LAYOUT,
        cpuid::HypervisorInterface::TYPE_LAYOUT,
        cpuid::HypervisorVersion::TYPE_LAYOUT,
        cpuid::HypervisorFeatures::TYPE_LAYOUT,
        cpuid::EnlightenmentInformation::TYPE_LAYOUT,
        cpuid::ImplementationLimits::TYPE_LAYOUT,
        cpuid::HardwareFeatures::TYPE_LAYOUT,
        cpuid::NestedFeatures::TYPE_LAYOUT,
    ],
    bitfields: &[
        SegmentAttributes::BITFIELD,
        VpExecutionState::BITFIELD,
        InstructionLengthCr8::BITFIELD,
        IoPortAccessInfo::BITFIELD,
        ExceptionInfo::BITFIELD,
        MemoryAccessInfo::BITFIELD,
        HypercallInterceptFlags::BITFIELD,
        RegisterInterceptFlags::BITFIELD,
        GpaPageRange::BITFIELD,
        GpaAttributeFlags::BITFIELD,
        VmgexitFlags::BITFIELD,
        cpuid::VersionNumbers::BITFIELD,
        cpuid::ServiceInfo::BITFIELD,
        cpuid::PowerFeatures::BITFIELD,
        cpuid::PhysicalAddressBits::BITFIELD,
        cpuid::HardwareFeatureFlags::BITFIELD,
        cpuid::DeviceDomainInfo::BITFIELD,
        cpuid::NestedFeatureFlags::BITFIELD,
        msr::GuestOsIdMicrosoft::BITFIELD,
        msr::GuestOsIdOpenSource::BITFIELD,
        msr::HypercallMsr::BITFIELD,
        msr::PageMsr::BITFIELD,
        msr::SynicControl::BITFIELD,
        msr::SynicSint::BITFIELD,
        msr::StimerConfig::BITFIELD,
        msr::CrashControl::BITFIELD,
        msr::ReenlightenmentControl::BITFIELD,
        msr::TscEmulationControl::BITFIELD,
        msr::TscEmulationStatus::BITFIELD,
        msr::TscInvariantControl::BITFIELD,
        msr::SyndbgControl::BITFIELD,
        msr::SyndbgStatus::BITFIELD,
        msr::SyndbgOptions::BITFIELD,
    ],
    codes: &[
        CodeTable {
            name: "intercept_access_type",
            tlfs_name: "HV_INTERCEPT_ACCESS_TYPE",
            entries: &[
                ("HV_INTERCEPT_ACCESS_READ", InterceptAccessType::Read as u64),
                ("HV_INTERCEPT_ACCESS_WRITE", InterceptAccessType::Write as u64),
                ("HV_INTERCEPT_ACCESS_EXECUTE", InterceptAccessType::Execute as u64),
            ],
        },
        hv_abi::code_table!("cache_type", "HV_CACHE_TYPE", CacheType),
        hv_abi::code_table!("cpuid_leaf", "HV_CPUID_FUNCTION", cpuid::CpuidLeaf),
        hv_abi::code_table!("register_name", "HV_REGISTER_NAME", RegisterName),
        hv_abi::code_table!("intercept_type", "HV_INTERCEPT_TYPE", InterceptType),
        hv_abi::code_table!("synthetic_msr", "HV_X64_SYNTHETIC_MSR", msr::SyntheticMsr),
        hv_abi::code_table!("open_source_os_type", "HvGuestOsOpenSourceType", msr::OpenSourceOsType),
    ],
    flags: &[
        InterceptAccessTypeMask::FLAG_TABLE,
        cpuid::FeatureFlags::FLAG_TABLE,
        cpuid::Recommendations::FLAG_TABLE,
        cpuid::NestedFeatures2::FLAG_TABLE,
    ],
};

/// Every table of the ABI: the arch-neutral ones of `hv-abi` and the x64 ones of this crate.
#[must_use]
pub fn registry() -> Registry {
    static SECTIONS: [&Section; 2] = [&hv_abi::SECTION, &SECTION];
    Registry(&SECTIONS)
}
