//! `HV_X64_SEGMENT_REGISTER` and `HV_X64_VP_EXECUTION_STATE`.

use hv_abi::{bitfield, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The `Attributes` of `HV_X64_SEGMENT_REGISTER` (TLFS `hv_x64_segment_register.md`): the descriptor's
/// access-rights bits as the processor stores them.
#[bitfield(u16, tlfs = "HV_X64_SEGMENT_REGISTER.Attributes")]
pub struct SegmentAttributes {
    /// Segment type (code/data/system type field).
    #[bits(0..=3, tlfs = "SegmentType")]
    pub segment_type: u8,
    /// S: a code or data segment rather than a system segment.
    #[bits(4, tlfs = "NonSystemSegment")]
    pub non_system_segment: bool,
    /// DPL: the descriptor privilege level.
    #[bits(5..=6, tlfs = "DescriptorPrivilegeLevel")]
    pub descriptor_privilege_level: u8,
    /// P: the segment is present.
    #[bits(7, tlfs = "Present")]
    pub present: bool,
    #[bits(8..=11, tlfs = "Reserved")]
    reserved: Reserved,
    /// AVL: available for software.
    #[bits(12, tlfs = "Available")]
    pub available: bool,
    /// L: a 64-bit code segment.
    #[bits(13, tlfs = "Long")]
    pub long: bool,
    /// D/B: default operation size 32 bits.
    #[bits(14, tlfs = "Default")]
    pub default: bool,
    /// G: the limit counts 4 KiB units.
    #[bits(15, tlfs = "Granularity")]
    pub granularity: bool,
}

/// `HV_X64_SEGMENT_REGISTER` (TLFS `hv_x64_segment_register.md`; 2013 WDK ff541326): 16 bytes.
#[layout(tlfs = "HV_X64_SEGMENT_REGISTER", size = 16, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct SegmentRegister {
    /// Segment base address.
    #[hv(offset = 0, tlfs = "Base")]
    pub base: u64,
    /// Segment limit.
    #[hv(offset = 8, tlfs = "Limit")]
    pub limit: u32,
    /// Segment selector.
    #[hv(offset = 12, tlfs = "Selector")]
    pub selector: u16,
    /// Access-rights attributes.
    #[hv(offset = 14, tlfs = "Attributes")]
    pub attributes: SegmentAttributes,
}

/// `HV_X64_VP_EXECUTION_STATE` (mshv `hvhdk.h`, OpenVMM `HvX64VpExecutionState`; 2013 WDK ff541363).
///
/// This is the newer layout. In the TLFS-era reading (2013 reference, HDK) bits 15:7 are one reserved
/// field that "should be zero"; there, `vtl`, `enclave_mode`, `interrupt_shadow` and
/// `virtualization_fault_active` always read as zero. Bits 15:14 are reserved in both.
#[bitfield(u16, tlfs = "HV_X64_VP_EXECUTION_STATE")]
pub struct VpExecutionState {
    /// Current privilege level.
    #[bits(0..=1, tlfs = "Cpl")]
    pub cpl: u8,
    /// CR0.PE: protected mode.
    #[bits(2, tlfs = "Cr0Pe")]
    pub cr0_pe: bool,
    /// CR0.AM: alignment mask.
    #[bits(3, tlfs = "Cr0Am")]
    pub cr0_am: bool,
    /// EFER.LMA: long mode active.
    #[bits(4, tlfs = "EferLma")]
    pub efer_lma: bool,
    /// Debug registers are active.
    #[bits(5, tlfs = "DebugActive")]
    pub debug_active: bool,
    /// An interruption is pending.
    #[bits(6, tlfs = "InterruptionPending")]
    pub interruption_pending: bool,
    /// The VTL the VP was running in (newer layout; reserved in the TLFS era).
    #[bits(7..=10, tlfs = "Vtl")]
    pub vtl: u8,
    /// The VP was in an enclave (newer layout; reserved in the TLFS era).
    #[bits(11, tlfs = "EnclaveMode")]
    pub enclave_mode: bool,
    /// Interrupts are blocked by MOV SS / STI (newer layout; reserved in the TLFS era).
    #[bits(12, tlfs = "InterruptShadow")]
    pub interrupt_shadow: bool,
    /// A virtualization fault is being delivered (newer layout; reserved in the TLFS era).
    #[bits(13, tlfs = "VirtualizationFaultActive")]
    pub virtualization_fault_active: bool,
    #[bits(14..=15, tlfs = "Reserved")]
    reserved: Reserved,
}

impl VpExecutionState {
    /// The bits the 2013 reference reserves (15:7), which its reading requires to be zero.
    pub const TLFS_ERA_RESERVED_MASK: u16 = 0xFF80;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn long_mode_code_segment() {
        // A typical 64-bit ring-0 code segment: type 0xB, S, DPL 0, P, L, G.
        let a = SegmentAttributes::from_bits(0xA09B);
        assert_eq!(a.segment_type(), 0xB);
        assert!(a.non_system_segment() && a.present() && a.long() && a.granularity());
        assert!(!a.default() && !a.available());
        assert_eq!(a.descriptor_privilege_level(), 0);
        assert_eq!(SegmentAttributes::RESERVED_MASK, 0x0F00);
        let user = a.with_descriptor_privilege_level(3);
        assert_eq!(user.into_bits(), 0xA0FB);
    }

    #[test]
    fn execution_state_fields() {
        let s = VpExecutionState::new()
            .with_cpl(3)
            .with_efer_lma(true)
            .with_vtl(2)
            .with_interrupt_shadow(true);
        assert_eq!(s.into_bits(), 0b0001_0001_0001_0011);
        assert_eq!(VpExecutionState::RESERVED_MASK, 0xC000);
        assert_eq!(s.into_bits() & VpExecutionState::TLFS_ERA_RESERVED_MASK, 0x1100);
    }

    proptest! {
        #[test]
        fn segment_register_round_trips(bytes: [u8; 16]) {
            let r = SegmentRegister::read_from_bytes(&bytes).unwrap();
            prop_assert_eq!(r.as_bytes(), &bytes);
            let a = r.attributes;
            let rebuilt = SegmentAttributes::from_bits(a.reserved_bits())
                .with_segment_type(a.segment_type())
                .with_non_system_segment(a.non_system_segment())
                .with_descriptor_privilege_level(a.descriptor_privilege_level())
                .with_present(a.present())
                .with_available(a.available())
                .with_long(a.long())
                .with_default(a.default())
                .with_granularity(a.granularity());
            prop_assert_eq!(rebuilt, a);
        }

        #[test]
        fn execution_state_round_trips(bits: u16) {
            let s = VpExecutionState::from_bits(bits);
            let rebuilt = VpExecutionState::from_bits(s.reserved_bits())
                .with_cpl(s.cpl())
                .with_cr0_pe(s.cr0_pe())
                .with_cr0_am(s.cr0_am())
                .with_efer_lma(s.efer_lma())
                .with_debug_active(s.debug_active())
                .with_interruption_pending(s.interruption_pending())
                .with_vtl(s.vtl())
                .with_enclave_mode(s.enclave_mode())
                .with_interrupt_shadow(s.interrupt_shadow())
                .with_virtualization_fault_active(s.virtualization_fault_active());
            prop_assert_eq!(rebuilt.into_bits(), bits);
        }
    }
}
