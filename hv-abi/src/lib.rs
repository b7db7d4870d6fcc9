//! The arch-neutral Microsoft Hyper-V hypercall ABI.
#![no_std]

// Lets the derives' `::hv_abi::...` paths resolve inside this crate too.
#[allow(unused_extern_crates)]
extern crate self as hv_abi;

pub mod layout;
pub use hv_abi_derive::{Layout, bitfield, open_enum};
pub use hv_status::{HvError, HvResult, HvStatus};

#[cfg(target_endian = "big")]
compile_error!("the Hyper-V ABI is little-endian; hv-abi does not support big-endian targets");
