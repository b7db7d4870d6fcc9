//! The reference dispatcher of the Hyper-V debug hypercalls, and an in-memory partition model around it:
//! HvPostDebugData, HvRetrieveDebugData and HvResetDebugSession exactly as the 2013 WDK reference
//! specifies them, with the choices it leaves open made as each item's documentation states.
//!
//! - [`debug_calls::dispatch`]: the dispatcher as a library. A VMM passes the x64 [`Registers`], its
//!   partition's [`DebugAccess`] and [`DebugChannel`], and its guest memory (any [`GuestMemoryAccess`]:
//!   the model's [`GuestMemory`], or rust-vmm's `GuestMemoryMmap` with the `vm-memory` feature), and gets
//!   RAX or "suspended until". It allocates nothing and costs the same for any number of partitions and
//!   any size of guest memory.
//! - [`Hypervisor`] owns [`Partition`]s (privileges, properties, sparse [`GuestMemory`], VPs, a
//!   [`DebugChannel`]) and a virtual clock; [`Hypervisor::dispatch`] runs one call from the x64
//!   [`Registers`] through the library.
//! - The host end of each channel: [`Hypervisor::deliver`] and [`Hypervisor::receive`].
//! - Lifecycle changes ([`Hypervisor::reset`], [`Hypervisor::save`], [`Hypervisor::terminate`],
//!   [`Hypervisor::complete`], property and privilege changes, debugging disabled) return a
//!   [`PartitionEvent`] for the debugger engine.
//!
//! - [`guest::GuestVp`]: a VP of a model partition as `hv-guest` sees a VP ([`guest::ModelVp`] implements
//!   its `Hypercall` and `ParameterPages`), so guest code runs against the model.
//! - [`hosts`]: KVM, QEMU under KVM and VirtualBox as profiles of the dispatcher, each difference from the
//!   reference a named rule with its source; [`Config::profile`] picks one for a model's partitions.
//! - [`engine::Engine`]: the host-side debugger engine of a channel, reporting session changes as
//!   dbgeng's `IDebugEventCallbacks::SessionStatus` documents, over any [`engine::DebugHost`] (the model,
//!   or a VMM's VMs).
//!
//! Nothing blocks: a retrieve that would wait reports [`Dispatch::Suspended`]. Nothing is lost: every byte
//! is read, purged, dropped or pending ([`Accounting`]). Nothing panics on guest input, and a hypercall
//! allocates nothing once the partition is set up.
//!
//! ```
//! use hv_abi::debug::{DebugPostOptions, DebugRetrieveOptions};
//! use hv_abi::{PartitionPrivileges, PartitionPropertyCode, VpIndex};
//! use hv_guest::debug::{DebugCalls, Retrieved};
//! use hv_model::guest::GuestVp;
//! use hv_model::{Config, Hypervisor};
//!
//! let mut hv = Hypervisor::new(Config::default()).unwrap();
//! let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
//! hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
//! let guest = GuestVp::new(&mut hv, p, VpIndex(0), 0x1000, 0x2000).unwrap();
//!
//! // Guest to host.
//! assert_eq!(guest.on(&mut hv).post(b"hello", DebugPostOptions::empty()), Ok(5));
//! let mut buf = [0u8; 16];
//! assert_eq!(hv.receive(p, &mut buf), Ok(5));
//!
//! // Host to guest.
//! hv.deliver(p, b"go").unwrap();
//! let got = guest.on(&mut hv).retrieve(&mut buf[..2], DebugRetrieveOptions::empty(), 0).unwrap();
//! assert_eq!(got, Retrieved { retrieved: 2, remaining: 0 });
//! assert_eq!(&buf[..2], b"go");
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The `arbitrary` derive expands to code that names `std` (its recursion guard is a thread-local), so the
// feature, like the `arbitrary` crate itself, needs std; so do `proptest` and `vm-memory`.
#[cfg(any(feature = "arbitrary", feature = "proptest", feature = "vm-memory"))]
extern crate std;

extern crate alloc;

mod channel;
pub mod conformance;
pub mod debug_calls;
pub mod engine;
pub mod guest;
pub mod hosts;
mod hypervisor;
mod memory;
pub mod synthetic;
#[cfg(feature = "vm-memory")]
mod vm_memory;

pub use channel::{Accounting, DebugChannel};
pub use debug_calls::{DebugAccess, Dispatch};
pub use hv_x64::HypercallRegisters as Registers;
pub use hypervisor::{Config, ConfigError, Hypervisor, Partition, PartitionEvent, PartitionState};
pub use memory::{BlockError, GuestMemory, GuestMemoryAccess, ModelPage, PAGE_SIZE, Unmapped};
#[cfg(feature = "vm-memory")]
pub use vm_memory::Shared;

/// `Err` with a failing `status` that is known at the call site.
pub(crate) fn fail<T>(status: hv_abi::HvStatus) -> hv_abi::HvResult<T> {
    Err(hv_abi::HvError::new(status).expect("callers pass a failing status"))
}
