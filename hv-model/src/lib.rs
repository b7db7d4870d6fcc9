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
//! Nothing blocks: a retrieve that would wait reports [`Dispatch::Suspended`]. Nothing is lost: every byte
//! is read, purged, dropped or pending ([`Accounting`]). Nothing panics on guest input, and a hypercall
//! allocates nothing once the partition is set up.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;

mod channel;
mod debug_calls;
mod hypervisor;
mod memory;

pub use channel::{Accounting, DebugChannel};
pub use hypervisor::{
    Config, ConfigError, Dispatch, Hypervisor, Partition, PartitionEvent, PartitionState, Registers,
};
pub use memory::{GuestMemory, PAGE_SIZE, Unmapped};
