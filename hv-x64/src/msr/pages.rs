//! MSRs that place a page: the hypercall page, and the enable-plus-GPFN shape the reference TSC, VP
//! assist, SIMP and SIEFP MSRs share.

use hv_abi::bitfield;

/// `HV_X64_MSR_HYPERCALL_CONTENTS` (TLFS "Establishing the Hypercall Interface": bit 0 Enable, bit 1
/// Locked, 11:2 RsvdP, 63:12 the hypercall GPFN). Linux's `hv_x64_msr_hypercall_contents` declares bits
/// 11:1 reserved; the TLFS makes bit 1 `Locked` (available when CPUID 0x40000003 EDX bit 18 is set), as
/// here.
#[bitfield(u64, tlfs = "HV_X64_MSR_HYPERCALL_CONTENTS")]
pub struct HypercallMsr {
    /// The hypercall page is enabled.
    #[bits(0, tlfs = "Enable")]
    pub enable: bool,
    /// The MSR is locked until the partition resets.
    #[bits(1, tlfs = "Locked")]
    pub locked: bool,
    #[bits(2..=11, tlfs = "RsvdP")]
    reserved: Reserved,
    /// The guest page frame number of the hypercall page.
    #[bits(12..=63, tlfs = "HypercallGpfn")]
    pub gpfn: u64,
}

/// An MSR that enables a page at a guest page frame: `HV_X64_MSR_REFERENCE_TSC` (Linux
/// `hv_reference_tsc_msr`), `HV_X64_MSR_VP_ASSIST_PAGE` (`hv_vp_assist_msr_contents`), and the SynIC's
/// `HV_X64_MSR_SIMP` / `HV_X64_MSR_SIEFP` (`hv_synic_simp`, whose bits 11:1 are "preserved").
#[bitfield(u64, tlfs = "hv_reference_tsc_msr")]
pub struct PageMsr {
    /// The page is enabled.
    #[bits(0, tlfs = "enable")]
    pub enable: bool,
    #[bits(1..=11, tlfs = "reserved")]
    reserved: Reserved,
    /// The guest page frame number of the page.
    #[bits(12..=63, tlfs = "pfn")]
    pub gpfn: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_bits_and_page_frames() {
        let h = HypercallMsr::from_bits(0x0000_0000_0000_5003);
        assert!(h.enable() && h.locked());
        assert_eq!(h.gpfn(), 5);
        assert_eq!(HypercallMsr::RESERVED_MASK, 0xFFC);
        let p = PageMsr::new().with_enable(true).with_gpfn(0xF_FFFF_FFFF_FFFF);
        assert_eq!(p.into_bits(), 0xFFFF_FFFF_FFFF_F001);
        assert_eq!(PageMsr::RESERVED_MASK, 0xFFE);
    }
}
