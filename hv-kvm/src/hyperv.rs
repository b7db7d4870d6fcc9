//! The Hyper-V guest interface as hv-kvm presents it: the hypervisor CPUID leaves and the synthetic MSRs
//! a guest uses to enable hypercalls (`hv_model::synthetic`, the one implementation of their TLFS rules,
//! which the model's VPs use too), and the hypercall page's contents.
//!
//! # The hypercall page
//!
//! The TLFS has a guest enter the hypervisor by calling the hypercall page, whose code the hypervisor
//! chooses (Hyper-V writes VMCALL or VMMCALL there). This KVM handles VMCALL itself and never passes it
//! to userspace, so hv-kvm writes [`HYPERCALL_STUB`] instead: `out 0x99, al; ret`. The port write
//! exits to the VMM with RCX, RDX and R8 untouched; the VMM serves the call, sets RAX and resumes the
//! VP at the `ret`. AL is the only other register the stub uses, and RAX is the result anyway. A write
//! to [`HYPERCALL_PORT`] from anywhere but the page's stub is an ordinary port write.

pub use hv_model::synthetic::{MsrWrite, SyntheticMsrs, cpuid_leaves};

/// The port the hypercall stub writes.
pub const HYPERCALL_PORT: u16 = 0x99;
/// The hypercall page's code: `out 0x99, al` (E6 99), `ret` (C3).
pub const HYPERCALL_STUB: [u8; 3] = [0xE6, HYPERCALL_PORT as u8, 0xC3];
/// The offset in the hypercall page of the instruction after the port write: RIP at the exit.
pub const STUB_RETURN: u64 = 2;
