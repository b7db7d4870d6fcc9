//! Structure-aware proptest strategies for the x64 messages (feature `proptest`): an intercept header
//! whose execution state agrees with its segments, and a SynIC message of a given type whose payload is
//! that type's, sized as `payload_size` says. Every x64 ABI type also implements
//! `proptest::arbitrary::Arbitrary` (any bits) under the same feature.
//!
//! ```
//! use hv_abi::synic::{Message, MessageType};
//! use hv_x64::parse::{self, X64Payload};
//! use hv_x64::strategy;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//! use zerocopy::{FromZeros, IntoBytes};
//!
//! let io_port = strategy::message(MessageType::X64_IO_PORT_INTERCEPT).unwrap();
//! TestRunner::default().run(&io_port, |m| {
//!     let mut scratch = Message::new_zeroed();
//!     let parsed = parse::parse(m.as_bytes(), &mut scratch).unwrap();
//!     prop_assert!(matches!(parsed.payload, X64Payload::IoPort(_)));
//!     Ok(())
//! }).unwrap();
//! ```

use std::vec::Vec;

use hv_abi::VpIndex;
use hv_abi::layout::{Layout, TypeLayout};
use hv_abi::synic::{Message, MessageFlags, MessageHeader, MessageType};
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use zerocopy::{FromZeros, IntoBytes};

use crate::parse::{self, X64Payload};
use crate::{
    InstructionLengthCr8, InterceptAccessType, InterceptMessageHeader, SegmentAttributes, SegmentRegister,
    VpExecutionState,
};

/// The processor mode an intercept header describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Long mode, 64-bit code (EFER.LMA, CS.L).
    Long64,
    /// Long mode, 32-bit compatibility code (EFER.LMA, CS.D).
    Compatibility,
    /// Protected mode without long mode (CR0.PE).
    Protected,
    /// Real mode (CPL 0, CR0.PE clear).
    Real,
}

/// The payload type of `message_type` as hv-x64 parses it, or `None` for a type it leaves untyped.
#[must_use]
///
/// ```
/// use hv_abi::synic::MessageType;
///
/// let layout = hv_x64::strategy::payload_layout(MessageType::X64_MSR_INTERCEPT).unwrap();
/// assert_eq!((layout.tlfs_name, layout.size), ("HV_X64_MSR_INTERCEPT_MESSAGE", 64));
/// assert!(hv_x64::strategy::payload_layout(MessageType::NONE).is_none());
/// ```
pub fn payload_layout(message_type: MessageType) -> Option<TypeLayout> {
    let mut probe = Message::new_zeroed();
    probe.header.message_type = message_type;
    probe.header.payload_size = Message::PAYLOAD_SIZE as u8;
    let mut scratch = Message::new_zeroed();
    let parsed = parse::parse(probe.as_bytes(), &mut scratch).ok()?;
    match parsed.payload {
        X64Payload::Other(_) => None,
        typed => typed.layout_and_bytes().map(|(layout, _)| layout),
    }
}

/// Intercept headers in `mode`: CS a present code segment whose L and D bits fit the mode, CPL its DPL
/// (0 in real mode), CR0.PE and EFER.LMA as the mode has them, RIP within the mode's address width, an
/// access type of 0 to 2 and an instruction length of at most 15.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// use hv_x64::strategy::{self, Mode};
///
/// let h = strategy::intercept_header(Mode::Long64).new_tree(&mut TestRunner::default()).unwrap().current();
/// assert!(h.cs_segment.attributes.long() && h.execution_state.efer_lma());
/// assert_eq!(h.execution_state.cpl(), h.cs_segment.attributes.descriptor_privilege_level());
/// ```
pub fn intercept_header(mode: Mode) -> BoxedStrategy<InterceptMessageHeader> {
    let cpl = if mode == Mode::Real { 0..=0u8 } else { 0..=3u8 };
    let rip = match mode {
        Mode::Long64 => prop_oneof![0u64..0x0000_8000_0000_0000, 0xFFFF_8000_0000_0000..=u64::MAX].boxed(),
        Mode::Compatibility | Mode::Protected => (0..=u64::from(u32::MAX)).boxed(),
        Mode::Real => (0u64..0x10_0000).boxed(),
    };
    (
        any::<u32>(),
        0u8..=15,
        proptest::sample::select(
            &[
                InterceptAccessType::Read,
                InterceptAccessType::Write,
                InterceptAccessType::Execute,
            ][..],
        ),
        cpl,
        0x8u8..=0xF,
        any::<(u64, u32, u16)>(),
        rip,
        any::<u64>(),
        any::<[bool; 3]>(),
    )
        .prop_map(
            move |(vp, length, access, cpl, code_type, (base, limit, selector), rip, rflags, flags)| {
                let (long, default) = match mode {
                    Mode::Long64 => (true, false),
                    Mode::Compatibility | Mode::Protected => (false, true),
                    Mode::Real => (false, false),
                };
                let attributes = SegmentAttributes::new()
                    .with_segment_type(code_type)
                    .with_non_system_segment(true)
                    .with_descriptor_privilege_level(cpl)
                    .with_present(true)
                    .with_long(long)
                    .with_default(default)
                    .with_granularity(flags[0]);
                let cs = SegmentRegister {
                    base: if long { 0 } else { base & 0xFFFF_FFFF },
                    limit,
                    selector: selector & !3 | u16::from(cpl),
                    attributes,
                };
                let state = VpExecutionState::new()
                    .with_cpl(cpl)
                    .with_cr0_pe(mode != Mode::Real)
                    .with_efer_lma(matches!(mode, Mode::Long64 | Mode::Compatibility))
                    .with_debug_active(flags[1])
                    .with_interrupt_shadow(flags[2]);
                InterceptMessageHeader {
                    vp_index: VpIndex(vp),
                    instruction_length: InstructionLengthCr8::new().with_instruction_length(length),
                    intercept_access_type: access as u8,
                    execution_state: state,
                    cs_segment: cs,
                    rip,
                    rflags: rflags | 0x2,
                }
            },
        )
        .boxed()
}

/// Intercept headers in any of the four modes.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let h = hv_x64::strategy::any_intercept_header().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert!(h.access_type().is_ok() && h.instruction_length.instruction_length() <= 15);
/// ```
pub fn any_intercept_header() -> BoxedStrategy<InterceptMessageHeader> {
    proptest::sample::select(&[Mode::Long64, Mode::Compatibility, Mode::Protected, Mode::Real][..])
        .prop_flat_map(intercept_header)
        .boxed()
}

/// Messages of `message_type` whose payload is the type's hv-x64 parses it as, with `payload_size` its
/// size and any field values; an intercept's header is a consistent one ([`any_intercept_header`]).
/// `None` for a type hv-x64 leaves untyped.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// use hv_abi::synic::MessageType;
///
/// let halt = hv_x64::strategy::message(MessageType::X64_HALT).unwrap();
/// let m = halt.new_tree(&mut TestRunner::default()).unwrap().current();
/// assert_eq!((m.header.message_type, m.header.payload_size), (MessageType::X64_HALT, 40));
/// ```
pub fn message(message_type: MessageType) -> Option<BoxedStrategy<Message>> {
    let layout = payload_layout(message_type)?;
    let intercept = layout
        .fields
        .first()
        .is_some_and(|f| f.offset == 0 && f.tlfs_name == "Header")
        || layout.name == InterceptMessageHeader::TYPE_LAYOUT.name;
    let header = if intercept {
        any_intercept_header().prop_map(Some).boxed()
    } else {
        Just(None).boxed()
    };
    Some(
        (
            proptest::collection::vec(any::<u8>(), layout.size),
            header,
            any::<u64>(),
            any::<bool>(),
        )
            .prop_map(move |(mut payload, header, sender, pending)| {
                if let Some(header) = header {
                    payload[..size_of::<InterceptMessageHeader>()].copy_from_slice(header.as_bytes());
                }
                let mut m = Message::new_zeroed();
                m.header = MessageHeader {
                    message_type,
                    payload_size: layout.size as u8,
                    message_flags: MessageFlags::new().with_message_pending(pending),
                    reserved: 0,
                    sender,
                };
                m.payload[..payload.len()].copy_from_slice(&payload);
                m
            })
            .boxed(),
    )
}

/// The message types hv-x64 types a payload for.
#[must_use]
///
/// ```
/// use hv_abi::synic::MessageType;
///
/// let typed = hv_x64::strategy::typed_message_types();
/// assert!(typed.contains(&MessageType::X64_IO_PORT_INTERCEPT));
/// ```
pub fn typed_message_types() -> Vec<MessageType> {
    MessageType::NAMED
        .iter()
        .map(|&(_, t)| t)
        .filter(|&t| payload_layout(t).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest! {
        #[test]
        fn every_typed_message_parses_as_its_type(
            m in proptest::sample::select(typed_message_types()).prop_flat_map(|t| message(t).expect("typed")),
        ) {
            let mut scratch = Message::new_zeroed();
            let parsed = parse::parse(m.as_bytes(), &mut scratch);
            prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
            let parsed = parsed.unwrap();
            let (layout, _) = parsed.payload.layout_and_bytes().expect("typed");
            prop_assert_eq!(Some(layout), payload_layout(m.header.message_type));
        }

        #[test]
        fn intercept_headers_are_consistent(h in any_intercept_header()) {
            let es = h.execution_state;
            let cs = h.cs_segment.attributes;
            prop_assert_eq!(es.cpl(), cs.descriptor_privilege_level());
            prop_assert_eq!(u16::from(es.cpl()), h.cs_segment.selector & 3);
            prop_assert!(cs.present() && cs.non_system_segment() && cs.segment_type() & 0x8 != 0);
            prop_assert!(!(cs.long() && cs.default()), "L and D never both");
            prop_assert!(!cs.long() || es.efer_lma(), "64-bit code only in long mode");
            prop_assert!(!es.efer_lma() || es.cr0_pe(), "long mode is protected");
            prop_assert!(es.cr0_pe() || es.cpl() == 0, "real mode runs at CPL 0");
            prop_assert!(h.access_type().is_ok());
            prop_assert_eq!(es.reserved_bits(), 0);
            prop_assert!(cs.long() || h.rip <= u64::from(u32::MAX));
        }
    }

    #[test]
    fn the_intercept_and_notification_types_are_typed() {
        let typed = typed_message_types();
        assert!(typed.contains(&MessageType::X64_IO_PORT_INTERCEPT));
        assert!(typed.contains(&MessageType::TIMER_EXPIRED));
        assert!(!typed.contains(&MessageType::NONE));
        assert_eq!(payload_layout(MessageType::X64_HALT).map(|l| l.size), Some(40));
    }
}
