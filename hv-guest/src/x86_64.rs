//! The x86_64 instructions behind the traits: CPUID, RDMSR/WRMSR and the call into the hypercall page.
//! This module is the crate's only `unsafe` code; each block says why it is sound.
//!
//! These run in a guest kernel (CPL 0) on the Hyper-V interface. On the host they are compiled, never
//! run, by the tests; everything around them is tested through the traits.
#![allow(unsafe_code)]

use core::arch::asm;

use hv_abi::{HypercallInput, HypercallOutput};
use hv_x64::cpuid::CpuidResult;
use hv_x64::msr::SyntheticMsr;

use crate::{Hypercall, Msrs};

/// CPUID of `leaf`, subleaf 0: what [`crate::detect`] takes.
#[must_use]
pub fn cpuid(leaf: u32) -> CpuidResult {
    // SAFETY: CPUID only reads processor identification; every x86_64 processor has it. (`__cpuid` is
    // a safe function from Rust 1.89; the block is for the older compilers this crate supports.)
    #[allow(unused_unsafe)]
    let r = unsafe { core::arch::x86_64::__cpuid_count(leaf, 0) };
    CpuidResult {
        eax: r.eax,
        ebx: r.ebx,
        ecx: r.ecx,
        edx: r.edx,
    }
}

/// RDMSR and WRMSR of the running VP's synthetic MSRs.
#[derive(Debug)]
pub struct Msr(());

impl Msr {
    /// The MSRs of the running VP.
    ///
    /// # Safety
    ///
    /// The caller runs at CPL 0 (RDMSR and WRMSR fault elsewhere) on a hypervisor that presents the
    /// Hyper-V synthetic MSRs ([`crate::detect`] succeeded), and owns the VP's hypercall configuration:
    /// writing `HV_X64_MSR_HYPERCALL` makes the hypervisor overwrite the page it names.
    #[must_use]
    pub const unsafe fn new() -> Self {
        Self(())
    }
}

impl Msrs for Msr {
    fn read(&mut self, msr: SyntheticMsr) -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: `Msr::new`'s contract: CPL 0 and the synthetic MSRs exist, so RDMSR of one does not
        // fault; it touches no memory and only EAX, EDX.
        unsafe {
            asm!("rdmsr", in("ecx") msr.into_bits(), out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags));
        }
        u64::from(hi) << 32 | u64::from(lo)
    }

    fn write(&mut self, msr: SyntheticMsr, value: u64) {
        // SAFETY: `Msr::new`'s contract: CPL 0, the synthetic MSRs exist, and the caller owns what the
        // write configures. WRMSR touches no memory of this program (the hypervisor writes the page the
        // caller gave it).
        unsafe {
            asm!("wrmsr", in("ecx") msr.into_bits(), in("eax") value as u32, in("edx") (value >> 32) as u32, options(nostack, preserves_flags));
        }
    }
}

/// The hypercall page, enabled: a [`Hypercall`] that calls it.
#[derive(Debug)]
pub struct HypercallPage {
    entry: usize,
}

impl HypercallPage {
    /// The hypercall page mapped executable at virtual address `va`.
    ///
    /// # Safety
    ///
    /// `va` is the page [`crate::enable_hypercalls`] enabled, mapped executable for as long as this
    /// value lives, and the hypervisor keeps its contents: the TLFS hypercall sequence, which returns
    /// with RAX set and changes only the registers the TLFS lists as volatile.
    #[must_use]
    pub const unsafe fn new(va: usize) -> Self {
        Self { entry: va }
    }
}

impl Hypercall for HypercallPage {
    fn hypercall(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> HypercallOutput {
        let rax: u64;
        // SAFETY: `HypercallPage::new`'s contract: `entry` is the hypervisor's hypercall code, which
        // returns with `ret`. The TLFS lets a hypercall change RAX, RCX, RDX, R8-R11 and XMM0-XMM5;
        // `clobber_abi("C")` declares all of those (and more) clobbered. The 128 bytes below RSP are
        // stepped over so a caller's red zone survives the return address the call pushes. Memory is
        // not marked untouched: the hypervisor writes the output page.
        unsafe {
            asm!(
                "sub rsp, 128",
                "call {entry}",
                "add rsp, 128",
                entry = in(reg) self.entry,
                inout("rcx") input.into_bits() => _,
                inout("rdx") rdx => _,
                inout("r8") r8 => _,
                out("rax") rax,
                clobber_abi("C"),
            );
        }
        HypercallOutput::from_bits(rax)
    }
}
