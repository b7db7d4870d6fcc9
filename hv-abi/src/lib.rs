//! The arch-neutral Microsoft Hyper-V hypercall ABI, bit-exact and zero-copy.
//!
//! - [`HypercallInput`] / [`HypercallOutput`]: the 64-bit input value (RCX) and result value (RAX).
//! - [`CallCode`]: every published call code, with [`CallDescriptor`]s for the calls the model implements.
//! - [`debug`]: HvPostDebugData (0x69), HvRetrieveDebugData (0x6A), HvResetDebugSession (0x6B): their
//!   structs and per-call option flags.
//! - [`PartitionPrivileges`], [`PartitionPropertyCode`], [`VpIndex`], [`PartitionId`].
//! - [`synic`]: `HV_MESSAGE_TYPE`, `HV_MESSAGE_HEADER`, `HV_MESSAGE`.
//! - [`layout`](mod@layout) / [`registry`]: every type's published layout, checked at compile time, as data.
//!
//! Wire structs are `#[repr(C)]` with zerocopy derives: read them with `T::ref_from_prefix(bytes)`.
//! Open code spaces are `#[repr(transparent)]` newtypes, so unknown values round-trip. Type names are the
//! TLFS names without the `HV_` prefix; each type's doc names the TLFS type. The ABI is little-endian.
//!
//! ```
//! use hv_abi::{CallCode, HvStatus, HypercallInput, HypercallOutput};
//! use hv_abi::debug::{DebugPurgeOptions, ResetDebugSessionInput};
//! use zerocopy::FromBytes;
//!
//! // RCX of a fast HvResetDebugSession.
//! let input = HypercallInput::from_bits(0x0001_006B);
//! assert_eq!(input.call_code(), CallCode::RESET_DEBUG_SESSION);
//! assert!(input.fast() && input.validate().is_ok());
//!
//! // Its 8 input bytes (RDX), read by value; unknown flag bits are kept and reported.
//! let rdx = 0x0000_0000_0000_0007u64.to_le_bytes();
//! let reset = ResetDebugSessionInput::read_from_bytes(&rdx).unwrap();
//! assert_eq!(reset.options.unknown_bits(), 0x4);
//! assert!(reset.options.contains(DebugPurgeOptions::PURGE_INCOMING_DATA));
//!
//! // RAX on return.
//! let rax = HypercallOutput::from_status(HvStatus::NO_DATA);
//! assert_eq!(format!("{:?}", rax.status()), "HV_STATUS_NO_DATA");
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The `arbitrary` derive expands to code that names `std` (its recursion guard is a thread-local), so the
// feature, like the `arbitrary` crate itself, needs std.
#[cfg(any(feature = "arbitrary", feature = "proptest"))]
extern crate std;

// Lets the derives' `::hv_abi::...` paths resolve inside this crate too.
#[allow(unused_extern_crates)]
extern crate self as hv_abi;

mod call_code;
pub mod debug;
pub mod flags;
#[cfg(feature = "arbitrary")]
pub mod fuzz;
mod hypercall;
pub mod layout;
mod partition;
pub mod registry;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod synic;

pub use call_code::{CallCode, CallDescriptor, CallKind, InputRejection, Violation};
pub use hv_abi_derive::{Layout, bitfield, layout, open_enum};
pub use hv_status::{HvError, HvResult, HvStatus};
pub use hypercall::{HypercallInput, HypercallOutput, RepError};
pub use layout::{Bitfield, Layout};
pub use partition::{PartitionId, PartitionPrivileges, PartitionPropertyCode, VpIndex};

#[cfg(target_endian = "big")]
compile_error!("the Hyper-V ABI is little-endian; hv-abi does not support big-endian targets");

/// The arch-neutral tables: every wire struct, bitfield, code space and flag type of this crate.
pub static SECTION: registry::Section = registry::Section {
    types: &[
        debug::PostDebugDataInput::TYPE_LAYOUT,
        debug::PostDebugDataOutput::TYPE_LAYOUT,
        debug::RetrieveDebugDataInput::TYPE_LAYOUT,
        debug::RetrieveDebugDataOutput::TYPE_LAYOUT,
        debug::ResetDebugSessionInput::TYPE_LAYOUT,
        debug::DebugNetData::TYPE_LAYOUT,
        debug::ResetDebugSessionOutput::TYPE_LAYOUT,
        debug::MuxPacketHeader::TYPE_LAYOUT,
        synic::MessageHeader::TYPE_LAYOUT,
        synic::Message::TYPE_LAYOUT,
    ],
    bitfields: &[
        HypercallInput::BITFIELD,
        HypercallOutput::BITFIELD,
        synic::MessageFlags::BITFIELD,
    ],
    codes: &[
        code_table!("status", "HV_STATUS", HvStatus),
        code_table!("call", "HV_CALL_CODE", CallCode),
        code_table!("message_type", "HV_MESSAGE_TYPE", synic::MessageType),
        code_table!(
            "partition_property",
            "HV_PARTITION_PROPERTY_CODE",
            PartitionPropertyCode
        ),
    ],
    flags: &[
        debug::DebugPostOptions::FLAG_TABLE,
        debug::DebugRetrieveOptions::FLAG_TABLE,
        debug::DebugPurgeOptions::FLAG_TABLE,
        PartitionPrivileges::FLAG_TABLE,
    ],
};
