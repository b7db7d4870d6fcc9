//! x64 Hyper-V ABI types: segment registers, VP execution state, intercept access types, and the
//! intercept messages a hypervisor sends to a partition's SynIC (payloads of [`hv_abi::synic::Message`]).
//!
//! Layouts follow the 2013 WDK reference, HDK, the mshv headers and OpenVMM (see each type); every size
//! and offset is checked at compile time and listed in [`registry()`].
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The `arbitrary` derive expands to code that names `std` (its recursion guard is a thread-local), so the
// feature, like the `arbitrary` crate itself, needs std.
#[cfg(feature = "arbitrary")]
extern crate std;

mod hypercall;
mod intercept;
mod registers;

pub use hypercall::HypercallRegisters;
pub use intercept::{
    CacheType, CpuidInterceptMessage, ExceptionInfo, ExceptionInterceptMessage, InstructionLengthCr8,
    InterceptAccessType, InterceptAccessTypeMask, InterceptMessageHeader, IoPortAccessInfo, IoPortInterceptMessage,
    MemoryAccessInfo, MemoryInterceptMessage, MsrInterceptMessage,
};
pub use registers::{SegmentAttributes, SegmentRegister, VpExecutionState};

use hv_abi::registry::{CodeTable, Registry, Section};
use hv_abi::{Bitfield, Layout};

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
    ],
    bitfields: &[
        SegmentAttributes::BITFIELD,
        VpExecutionState::BITFIELD,
        InstructionLengthCr8::BITFIELD,
        IoPortAccessInfo::BITFIELD,
        ExceptionInfo::BITFIELD,
        MemoryAccessInfo::BITFIELD,
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
    ],
    flags: &[InterceptAccessTypeMask::FLAG_TABLE],
};

/// Every table of the ABI: the arch-neutral ones of `hv-abi` and the x64 ones of this crate.
#[must_use]
pub fn registry() -> Registry {
    static SECTIONS: [&Section; 2] = [&hv_abi::SECTION, &SECTION];
    Registry(&SECTIONS)
}
