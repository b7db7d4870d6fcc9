//! The guest side of the Hyper-V hypercall interface, for guest kernels and drivers: detect the
//! hypervisor, enable the hypercall page, and issue the debug hypercalls a guest debug transport uses.
//!
//! - [`detect`]: CPUID leaves 0x40000000-0x40000003 checked as the TLFS tells a guest to ("Microsoft Hv"
//!   or any vendor, max leaf, "Hv#1"), then the partition's privileges and the hypervisor's features
//!   against what the caller needs; what is missing is a typed [`DetectError`].
//! - [`enable_hypercalls`]: writes the guest OS id, places the hypercall page at a GPA the caller owns
//!   through `HV_X64_MSR_HYPERCALL` and reads it back (TLFS "Establishing the Hypercall Interface").
//! - [`Hypercall`]: one hypercall from its three x64 registers (RCX input value, RDX, R8) to RAX.
//!   [`x86_64::HypercallPage`] calls the hypercall page; `hv-model`'s `ModelVp` runs the reference
//!   model, so guest code is tested without a hypervisor.
//! - [`debug`]: HvPostDebugData, HvRetrieveDebugData and HvResetDebugSession over the caller's
//!   parameter pages ([`ParameterPages`]), returning `HvResult` with the typed outputs.
//! - [`transport`]: a byte stream over those calls that relies only on what the reference, QEMU's
//!   `hv-syndbg` and VirtualBox share: one datagram per chunk, polled retrieves, the undelivered rest of
//!   a datagram kept in a fixed buffer, and Ethernet/IPv4/UDP framing ([`transport::udp`]) where the
//!   host wants frames.
//!
//! The only `unsafe` code is in [`x86_64`]: the `call` into the hypercall page and RDMSR/WRMSR, each
//! block with its SAFETY argument. Everything else is safe code over traits, and tested on the host.
//!
//! ```
//! use hv_guest::{Msrs, enable_hypercalls};
//! use hv_x64::msr::{GuestOsId, GuestOsIdOpenSource, SyntheticMsr};
//!
//! // A stand-in for the MSRs of a VP (a real guest uses `hv_guest::x86_64::Msr`).
//! #[derive(Default)]
//! struct Fake { os_id: u64, hypercall: u64 }
//! impl Msrs for Fake {
//!     fn read(&mut self, msr: SyntheticMsr) -> u64 {
//!         if msr == SyntheticMsr::HYPERCALL { self.hypercall } else { self.os_id }
//!     }
//!     fn write(&mut self, msr: SyntheticMsr, value: u64) {
//!         if msr == SyntheticMsr::HYPERCALL { self.hypercall = value } else { self.os_id = value }
//!     }
//! }
//!
//! let mut msrs = Fake::default();
//! let id = GuestOsId(u64::from(GuestOsIdOpenSource::linux(0x0006_0800)));
//! let page = enable_hypercalls(&mut msrs, id, 0x5000).unwrap();
//! assert_eq!((page.enable(), page.gpfn()), (true, 5));
//! ```
#![no_std]
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod debug;
mod enable;
pub mod transport;
#[cfg(target_arch = "x86_64")]
pub mod x86_64;

pub use enable::{DetectError, EnableError, HyperV, Msrs, Required, detect, enable_hypercalls};

use hv_abi::{HypercallInput, HypercallOutput};

/// The size of a parameter page and of the hypercall page.
pub const PAGE_SIZE: usize = 4096;

/// One page, page-aligned: what a guest gives the hypervisor as a parameter page.
#[derive(Clone)]
#[repr(C, align(4096))]
pub struct Page(pub [u8; PAGE_SIZE]);

impl Page {
    /// A zeroed page.
    #[must_use]
    pub const fn zeroed() -> Self {
        Self([0; PAGE_SIZE])
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::zeroed()
    }
}

/// Issues hypercalls (TLFS "Hypercall Interface", x64 register mapping): RCX holds the input value, RDX
/// the input parameter GPA (memory form) or the first 8 bytes of input (fast form), R8 the output GPA or
/// the next 8 bytes; the result value comes back in RAX.
pub trait Hypercall {
    /// Issues one hypercall and returns its result value. The call returns when the hypervisor has
    /// finished it: a wait (a `RETRIEVE_LOOP` retrieve) ends before this returns.
    fn hypercall(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> HypercallOutput;
}

/// The two parameter pages of the memory-form calls: where the hypervisor finds them, and the guest's
/// view of them. The guest fills the input page before a call and reads the output page after it.
pub trait ParameterPages {
    /// The input page's guest physical address (page-aligned).
    fn input_gpa(&self) -> u64;
    /// The output page's guest physical address (page-aligned).
    fn output_gpa(&self) -> u64;
    /// The input page, to fill.
    fn input(&mut self) -> &mut [u8; PAGE_SIZE];
    /// The output page, as the last call left it.
    fn output(&self) -> &[u8; PAGE_SIZE];
}

/// Two parameter pages the caller owns, with their guest physical addresses (for a guest whose memory
/// is identity-mapped, the pages' own addresses).
pub struct OwnedPages<'a> {
    /// The input page.
    pub input: &'a mut Page,
    /// Its guest physical address.
    pub input_gpa: u64,
    /// The output page.
    pub output: &'a mut Page,
    /// Its guest physical address.
    pub output_gpa: u64,
}

impl ParameterPages for OwnedPages<'_> {
    fn input_gpa(&self) -> u64 {
        self.input_gpa
    }
    fn output_gpa(&self) -> u64 {
        self.output_gpa
    }
    fn input(&mut self) -> &mut [u8; PAGE_SIZE] {
        &mut self.input.0
    }
    fn output(&self) -> &[u8; PAGE_SIZE] {
        &self.output.0
    }
}

/// A VP as the debug calls use it: a way to issue hypercalls and a pair of parameter pages.
pub struct Vp<H, P> {
    /// Issues the hypercalls.
    pub hypercall: H,
    /// The parameter pages.
    pub pages: P,
}

impl<H: Hypercall, P> Hypercall for Vp<H, P> {
    fn hypercall(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> HypercallOutput {
        self.hypercall.hypercall(input, rdx, r8)
    }
}

impl<H, P: ParameterPages> ParameterPages for Vp<H, P> {
    fn input_gpa(&self) -> u64 {
        self.pages.input_gpa()
    }
    fn output_gpa(&self) -> u64 {
        self.pages.output_gpa()
    }
    fn input(&mut self) -> &mut [u8; PAGE_SIZE] {
        self.pages.input()
    }
    fn output(&self) -> &[u8; PAGE_SIZE] {
        self.pages.output()
    }
}
