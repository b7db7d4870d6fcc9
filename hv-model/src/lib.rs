//! A reference model of the Hyper-V debug hypercalls: a table-driven dispatcher over an in-memory
//! partition model that executes HvPostDebugData, HvRetrieveDebugData and HvResetDebugSession exactly as
//! the 2013 WDK reference specifies (DESIGN.md, "Chosen semantics").
//!
//! - [`Hypervisor`] owns [`Partition`]s (privileges, properties, sparse [`GuestMemory`], VPs, a
//!   [`DebugChannel`]) and a virtual clock; [`Hypervisor::dispatch`] runs one call from the x64
//!   [`Registers`].
//! - The host end of each channel: [`Hypervisor::deliver`] and [`Hypervisor::receive`].
//! - Lifecycle changes ([`Hypervisor::reset`], [`Hypervisor::save`], [`Hypervisor::terminate`],
//!   [`Hypervisor::complete`], property and privilege changes, debugging disabled) return a
//!   [`PartitionEvent`] for the debugger engine.
//!
//! - [`guest::GuestVp`]: a guest VP issuing the debug calls through registers and its parameter pages.
//! - [`engine::Engine`]: the host-side debugger engine of a channel, reporting session changes as
//!   dbgeng's `IDebugEventCallbacks::SessionStatus` documents.
//!
//! Nothing blocks: a retrieve that would wait reports [`Dispatch::Suspended`]. Nothing is lost: every byte
//! is read, purged, dropped or pending ([`Accounting`]). Nothing panics on guest input, and a hypercall
//! allocates nothing once the partition is set up.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;

mod channel;
pub mod debug_calls;
pub mod engine;
pub mod guest;
mod hypervisor;
mod memory;

pub use channel::{Accounting, DebugChannel};
pub use hypervisor::{
    Config, ConfigError, Dispatch, Hypervisor, Partition, PartitionEvent, PartitionState, Registers,
};
pub use memory::{GuestMemory, PAGE_SIZE, Unmapped};

/// `Err` with a failing `status` that is known at the call site.
pub(crate) fn fail<T>(status: hv_abi::HvStatus) -> hv_abi::HvResult<T> {
    Err(hv_abi::HvError::new(status).expect("callers pass a failing status"))
}
