//! One place that maps a SynIC message's type to its x64 payload: the library, `hvtool decode` and the
//! tests all read messages through [`parse`].
//!
//! ```
//! use hv_x64::parse::{self, X64Payload};
//! use hv_x64::{FromZeros, InterceptAccessType};
//!
//! // A raw 256-byte message page slot, here at an odd address (a capture, a byte buffer).
//! let mut raw = [0u8; 257];
//! let msg = &mut raw[1..];
//! msg[0..4].copy_from_slice(&0x8001_0000u32.to_le_bytes()); // HvMessageTypeX64IoPortIntercept
//! msg[4] = 128; // payload_size
//! msg[16 + 5] = 1; // a write
//! msg[16 + 24..16 + 32].copy_from_slice(&0xFFFF_F800_1234_5678u64.to_le_bytes()); // RIP
//! msg[16 + 40..16 + 42].copy_from_slice(&0x3F8u16.to_le_bytes()); // port
//!
//! // Unaligned bytes are copied into the scratch message; aligned ones are read in place.
//! let mut scratch = hv_x64::synic::Message::new_zeroed();
//! let parsed = parse::parse(msg, &mut scratch).unwrap();
//! let X64Payload::IoPort(io) = parsed.payload else { panic!("an I/O port intercept") };
//! assert_eq!(io.header.rip, 0xFFFF_F800_1234_5678);
//! assert_eq!(io.port_number, 0x3F8);
//! assert_eq!(io.header.access_type(), Ok(InterceptAccessType::Write));
//! ```

use core::fmt;

use hv_abi::layout::{Layout, TypeLayout};
use hv_abi::synic::{Message, MessageHeader, MessagePayload, MessageType, PayloadError};
use zerocopy::{FromBytes, IntoBytes};

use crate::{
    ApicEoiMessage, CpuidInterceptMessage, ExceptionInterceptMessage, GpaAttributeInterceptMessage,
    HypercallInterceptMessage, InterceptMessageHeader, InterruptionDeliverableMessage, InvalidVpRegisterMessage,
    IoPortInterceptMessage, MemoryInterceptMessage, MsrInterceptMessage, OpaqueInterceptMessage,
    RegisterInterceptMessage, SintDeliverableMessage, SipiInterceptMessage, TimerMessage, UnsupportedFeatureMessage,
    VmgexitInterceptMessage,
};

/// Every x64 payload this crate has a type for, chosen by the message type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum X64Payload<'a> {
    /// `HvMessageTypeX64IoPortIntercept`.
    IoPort(&'a IoPortInterceptMessage),
    /// `HvMessageTypeMsrIntercept`.
    Msr(&'a MsrInterceptMessage),
    /// `HvMessageTypeX64CpuidIntercept`.
    Cpuid(&'a CpuidInterceptMessage),
    /// `HvMessageTypeExceptionIntercept`.
    Exception(&'a ExceptionInterceptMessage),
    /// `HvMessageTypeUnmappedGpa` and `HvMessageTypeGpaIntercept`.
    Memory(&'a MemoryInterceptMessage),
    /// `HvMessageTypeX64Halt`: the header alone.
    Halt(&'a InterceptMessageHeader),
    /// `HvMessageTypeUnrecoverableException`: the header alone.
    UnrecoverableException(&'a InterceptMessageHeader),
    /// `HvMessageTypeX64ApicEoi`.
    ApicEoi(&'a ApicEoiMessage),
    /// `HvMessageTypeUnsupportedFeature`.
    UnsupportedFeature(&'a UnsupportedFeatureMessage),
    /// `HvMessageTypeInvalidVpRegisterValue`.
    InvalidVpRegister(&'a InvalidVpRegisterMessage),
    /// `HvMessageTypeOpaqueIntercept`.
    OpaqueIntercept(&'a OpaqueInterceptMessage),
    /// `HvMessageTypeX64InterruptionDeliverable`.
    InterruptionDeliverable(&'a InterruptionDeliverableMessage),
    /// `HvMessageTypeSynicSintDeliverable`.
    SintDeliverable(&'a SintDeliverableMessage),
    /// `HvMessageTypeX64SipiIntercept`.
    Sipi(&'a SipiInterceptMessage),
    /// `HvMessageTimerExpired`.
    Timer(&'a TimerMessage),
    /// `HvMessageTypeHypercallIntercept`.
    Hypercall(&'a HypercallInterceptMessage),
    /// `HvMessageTypeRegisterIntercept`.
    Register(&'a RegisterInterceptMessage),
    /// `HvMessageTypeGpaAttributeIntercept`.
    GpaAttribute(&'a GpaAttributeInterceptMessage),
    /// `HvMessageTypeX64SevVmgexitIntercept`.
    Vmgexit(&'a VmgexitInterceptMessage),
    /// A type this crate has no payload type for: its `payload_size` bytes.
    Other(&'a [u8]),
}

impl<'a> X64Payload<'a> {
    /// The payload type's published layout and the payload's bytes (that type's size), for tools that
    /// walk any payload field by field; `None` for [`X64Payload::Other`].
    #[must_use]
    pub fn layout_and_bytes(&self) -> Option<(TypeLayout, &'a [u8])> {
        match *self {
            Self::IoPort(p) => Some((IoPortInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Msr(p) => Some((MsrInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Cpuid(p) => Some((CpuidInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Exception(p) => Some((ExceptionInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Memory(p) => Some((MemoryInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Halt(p) => Some((InterceptMessageHeader::TYPE_LAYOUT, p.as_bytes())),
            Self::UnrecoverableException(p) => Some((InterceptMessageHeader::TYPE_LAYOUT, p.as_bytes())),
            Self::ApicEoi(p) => Some((ApicEoiMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::UnsupportedFeature(p) => Some((UnsupportedFeatureMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::InvalidVpRegister(p) => Some((InvalidVpRegisterMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::OpaqueIntercept(p) => Some((OpaqueInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::InterruptionDeliverable(p) => Some((InterruptionDeliverableMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::SintDeliverable(p) => Some((SintDeliverableMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Sipi(p) => Some((SipiInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Timer(p) => Some((TimerMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Hypercall(p) => Some((HypercallInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Register(p) => Some((RegisterInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::GpaAttribute(p) => Some((GpaAttributeInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Vmgexit(p) => Some((VmgexitInterceptMessage::TYPE_LAYOUT, p.as_bytes())),
            Self::Other(_) => None,
        }
    }
}

/// A message's header and its typed payload, both borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedMessage<'a> {
    /// The 16-byte header.
    pub header: &'a MessageHeader,
    /// The payload, by type.
    pub payload: X64Payload<'a>,
}

/// Why bytes are not a message this crate can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Fewer than the 16 bytes of a header.
    NoHeader {
        /// Bytes given.
        have: usize,
    },
    /// `payload_size` exceeds the 240-byte payload area.
    PayloadTooLarge {
        /// The header's `payload_size`.
        payload_size: u8,
    },
    /// The bytes end before the header's `payload_size` does.
    Truncated {
        /// 16 + `payload_size`.
        need: usize,
        /// Bytes given.
        have: usize,
    },
    /// The message type's payload type is larger than `payload_size`.
    Payload(PayloadError),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoHeader { have } => write!(f, "{have} bytes: a message header is 16"),
            Self::PayloadTooLarge { payload_size } => write!(
                f,
                "payload_size {payload_size} exceeds the {}-byte payload area",
                Message::PAYLOAD_SIZE
            ),
            Self::Truncated { need, have } => write!(
                f,
                "{have} bytes given, the header says {need} (16 + payload_size): {} missing",
                need - have
            ),
            Self::Payload(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for ParseError {}

/// The payload as `T` when `payload_size` covers it; `payload` is 8-byte aligned (it follows an aligned
/// header), so only the size can fail.
fn typed<T: MessagePayload>(payload: &[u8]) -> Result<&T, ParseError> {
    T::ref_from_prefix(payload).map(|(t, _)| t).map_err(|_| {
        ParseError::Payload(PayloadError::TooShort {
            payload: T::TYPE_LAYOUT.name,
            need: T::TYPE_LAYOUT.size,
            have: payload.len() as u8,
        })
    })
}

/// Reads a message that must carry a `T`: the fast path for a VMM that knows what it waits for. The same
/// checks as [`parse`] (length, `payload_size`, the message type among `T`'s, `T`'s size), without the
/// dispatch over every type; unaligned bytes go through `scratch` likewise.
#[inline]
pub fn payload<'a, T: MessagePayload>(bytes: &'a [u8], scratch: &'a mut Message) -> Result<&'a T, ParseError> {
    // The two paths stay apart so that, in the whole-slot one, the compiler knows the payload's alignment.
    match Message::ref_from_prefix(bytes) {
        Ok((message, _)) => {
            let (header, payload) = in_slot(message)?;
            of_type(header, payload)
        }
        Err(_) => {
            let (header, payload) = split_short(bytes, scratch)?;
            of_type(header, payload)
        }
    }
}

/// The payload as `T` when the message type is one of `T`'s and `payload_size` covers it.
#[inline]
fn of_type<'a, T: MessagePayload>(header: &MessageHeader, payload: &'a [u8]) -> Result<&'a T, ParseError> {
    if !T::MESSAGE_TYPES.contains(&header.message_type) {
        return Err(ParseError::Payload(PayloadError::WrongType {
            payload: T::TYPE_LAYOUT.name,
            found: header.message_type,
        }));
    }
    typed(payload)
}

/// The header and the `payload_size` bytes after it, in place or through `scratch`. A whole aligned
/// slot (a SynIC message page's, a `Message`) needs one check of `payload_size`; anything else takes
/// [`split_short`].
#[inline]
fn split<'a>(bytes: &'a [u8], scratch: &'a mut Message) -> Result<(&'a MessageHeader, &'a [u8]), ParseError> {
    match Message::ref_from_prefix(bytes) {
        Ok((message, _)) => in_slot(message),
        Err(_) => split_short(bytes, scratch),
    }
}

/// A whole message's header and its `payload_size` bytes of payload.
#[inline]
fn in_slot(message: &Message) -> Result<(&MessageHeader, &[u8]), ParseError> {
    let size = message.header.payload_size;
    let payload = message
        .payload
        .get(..usize::from(size))
        .ok_or(ParseError::PayloadTooLarge { payload_size: size })?;
    Ok((&message.header, payload))
}

/// [`split`] for fewer than 256 bytes or unaligned ones: aligned bytes are read in place, unaligned ones
/// copied (at most 256 bytes) into `scratch` first; either way 16 + `payload_size` of them must be there.
#[cold]
#[inline(never)]
fn split_short<'a>(bytes: &'a [u8], scratch: &'a mut Message) -> Result<(&'a MessageHeader, &'a [u8]), ParseError> {
    if bytes.len() < size_of::<MessageHeader>() {
        return Err(ParseError::NoHeader { have: bytes.len() });
    }
    let bytes: &'a [u8] = if MessageHeader::ref_from_prefix(bytes).is_ok() {
        bytes
    } else {
        let n = bytes.len().min(size_of::<Message>());
        let dst = &mut scratch.as_mut_bytes()[..n];
        dst.copy_from_slice(&bytes[..n]);
        dst
    };
    let (header, rest) =
        MessageHeader::ref_from_prefix(bytes).map_err(|_| ParseError::NoHeader { have: bytes.len() })?;
    let size = usize::from(header.payload_size);
    if size > Message::PAYLOAD_SIZE {
        return Err(ParseError::PayloadTooLarge {
            payload_size: header.payload_size,
        });
    }
    let payload = rest.get(..size).ok_or(ParseError::Truncated {
        need: 16 + size,
        have: bytes.len(),
    })?;
    Ok((header, payload))
}

/// Reads a SynIC message (`HV_MESSAGE`) from `bytes`: at least 16 + `payload_size` of them. The payload is
/// typed by the message type, with its size checked against `payload_size`.
///
/// 8-byte-aligned bytes (a SynIC message page, a `Message`) are read in place. Unaligned ones (a capture
/// in a byte buffer) are first copied, at most 256 bytes, into `scratch`, and read from there; so the
/// result borrows from one or the other, and nothing is allocated.
#[inline]
pub fn parse<'a>(bytes: &'a [u8], scratch: &'a mut Message) -> Result<ParsedMessage<'a>, ParseError> {
    let (header, payload) = split(bytes, scratch)?;
    let t = header.message_type;
    let payload = match t {
        MessageType::X64_IO_PORT_INTERCEPT => X64Payload::IoPort(typed(payload)?),
        MessageType::X64_MSR_INTERCEPT => X64Payload::Msr(typed(payload)?),
        MessageType::X64_CPUID_INTERCEPT => X64Payload::Cpuid(typed(payload)?),
        MessageType::X64_EXCEPTION_INTERCEPT => X64Payload::Exception(typed(payload)?),
        MessageType::UNMAPPED_GPA | MessageType::GPA_INTERCEPT => X64Payload::Memory(typed(payload)?),
        MessageType::X64_HALT => X64Payload::Halt(typed(payload)?),
        MessageType::UNRECOVERABLE_EXCEPTION => X64Payload::UnrecoverableException(typed(payload)?),
        MessageType::X64_APIC_EOI => X64Payload::ApicEoi(typed(payload)?),
        MessageType::UNSUPPORTED_FEATURE => X64Payload::UnsupportedFeature(typed(payload)?),
        MessageType::INVALID_VP_REGISTER_VALUE => X64Payload::InvalidVpRegister(typed(payload)?),
        MessageType::OPAQUE_INTERCEPT => X64Payload::OpaqueIntercept(typed(payload)?),
        MessageType::X64_INTERRUPTION_DELIVERABLE => X64Payload::InterruptionDeliverable(typed(payload)?),
        MessageType::SYNIC_SINT_DELIVERABLE => X64Payload::SintDeliverable(typed(payload)?),
        MessageType::X64_SIPI_INTERCEPT => X64Payload::Sipi(typed(payload)?),
        MessageType::TIMER_EXPIRED => X64Payload::Timer(typed(payload)?),
        MessageType::HYPERCALL_INTERCEPT => X64Payload::Hypercall(typed(payload)?),
        MessageType::REGISTER_INTERCEPT => X64Payload::Register(typed(payload)?),
        MessageType::GPA_ATTRIBUTE_INTERCEPT => X64Payload::GpaAttribute(typed(payload)?),
        MessageType::X64_SEV_VMGEXIT_INTERCEPT => X64Payload::Vmgexit(typed(payload)?),
        _ => X64Payload::Other(payload),
    };
    Ok(ParsedMessage { header, payload })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;
    use hv_abi::synic::MessagePayload;
    use zerocopy::FromZeros;

    #[repr(C, align(8))]
    struct Aligned([u8; 264]);

    /// A message of `t` whose payload_size is `size`, at an aligned offset or one byte past it.
    fn message(t: MessageType, size: u8, skew: usize) -> Aligned {
        let mut buf = Aligned([0; 264]);
        let m = &mut buf.0[skew..];
        m[0..4].copy_from_slice(t.as_bytes());
        m[4] = size;
        buf
    }

    /// Each payload type is parsed from exactly the types it declares.
    fn check<T: MessagePayload>(variant: fn(&X64Payload<'_>) -> bool) {
        let mut scratch = Message::new_zeroed();
        for &t in T::MESSAGE_TYPES {
            for skew in [0, 1] {
                let m = message(t, T::TYPE_LAYOUT.size as u8, skew);
                let parsed = parse(&m.0[skew..skew + 256], &mut scratch).unwrap();
                assert!(variant(&parsed.payload), "{t:?} skew {skew}: {:?}", parsed.payload);
                let short = message(t, T::TYPE_LAYOUT.size as u8 - 1, skew);
                assert!(matches!(
                    parse(&short.0[skew..], &mut scratch),
                    Err(ParseError::Payload(PayloadError::TooShort { .. }))
                ));
            }
        }
    }

    #[test]
    fn every_payload_type_parses_from_its_message_types() {
        check::<IoPortInterceptMessage>(|p| matches!(p, X64Payload::IoPort(_)));
        check::<MsrInterceptMessage>(|p| matches!(p, X64Payload::Msr(_)));
        check::<CpuidInterceptMessage>(|p| matches!(p, X64Payload::Cpuid(_)));
        check::<ExceptionInterceptMessage>(|p| matches!(p, X64Payload::Exception(_)));
        check::<MemoryInterceptMessage>(|p| matches!(p, X64Payload::Memory(_)));
        check::<ApicEoiMessage>(|p| matches!(p, X64Payload::ApicEoi(_)));
        check::<UnsupportedFeatureMessage>(|p| matches!(p, X64Payload::UnsupportedFeature(_)));
        check::<InvalidVpRegisterMessage>(|p| matches!(p, X64Payload::InvalidVpRegister(_)));
        check::<OpaqueInterceptMessage>(|p| matches!(p, X64Payload::OpaqueIntercept(_)));
        check::<InterruptionDeliverableMessage>(|p| matches!(p, X64Payload::InterruptionDeliverable(_)));
        check::<SintDeliverableMessage>(|p| matches!(p, X64Payload::SintDeliverable(_)));
        check::<SipiInterceptMessage>(|p| matches!(p, X64Payload::Sipi(_)));
        check::<TimerMessage>(|p| matches!(p, X64Payload::Timer(_)));
        check::<HypercallInterceptMessage>(|p| matches!(p, X64Payload::Hypercall(_)));
        check::<RegisterInterceptMessage>(|p| matches!(p, X64Payload::Register(_)));
        check::<GpaAttributeInterceptMessage>(|p| matches!(p, X64Payload::GpaAttribute(_)));
        check::<VmgexitInterceptMessage>(|p| matches!(p, X64Payload::Vmgexit(_)));
    }

    #[test]
    fn layout_and_bytes_walk_any_payload() {
        let mut scratch = Message::new_zeroed();
        let mut m = message(MessageType::X64_IO_PORT_INTERCEPT, 128, 0);
        m.0[16 + 40] = 0xF8; // PortNumber, low byte
        let parsed = parse(&m.0[..256], &mut scratch).unwrap();
        let (layout, bytes) = parsed.payload.layout_and_bytes().unwrap();
        assert_eq!(
            (layout.tlfs_name, bytes.len()),
            ("HV_X64_IO_PORT_INTERCEPT_MESSAGE", 128)
        );
        let port = layout.fields.iter().find(|f| f.tlfs_name == "PortNumber").unwrap();
        assert_eq!(bytes[port.offset], 0xF8);
        assert_eq!(X64Payload::Other(&[1, 2]).layout_and_bytes(), None);
    }

    #[test]
    fn a_hypercall_intercept_of_mshvs_packed_size_is_refused_with_its_size() {
        let mut scratch = Message::new_zeroed();
        let m = message(MessageType::HYPERCALL_INTERCEPT, 196, 0);
        let err = parse(&m.0[..256], &mut scratch).unwrap_err();
        assert_eq!(
            err,
            ParseError::Payload(PayloadError::TooShort {
                payload: "HypercallInterceptMessage",
                need: 208,
                have: 196
            })
        );
    }

    #[test]
    fn aligned_messages_are_read_in_place_and_unaligned_ones_from_the_scratch() {
        let mut scratch = Message::new_zeroed();
        let m = message(MessageType::X64_HALT, 40, 0);
        let X64Payload::Halt(h) = parse(&m.0[..256], &mut scratch).unwrap().payload else {
            panic!()
        };
        assert_eq!(
            core::ptr::from_ref(h).cast::<u8>(),
            m.0[16..].as_ptr(),
            "borrowed in place"
        );
        let mut m = message(MessageType::X64_HALT, 40, 1);
        m.0[1 + 16 + 24] = 0x42; // RIP
        let X64Payload::Halt(h) = parse(&m.0[1..257], &mut scratch).unwrap().payload else {
            panic!()
        };
        assert_eq!(h.rip, 0x42);
        assert_eq!(scratch.header.payload_size, 40, "copied into the scratch message");
        let m = message(MessageType::from_bits(0x1234), 3, 0);
        assert_eq!(
            parse(&m.0[..19], &mut scratch).unwrap().payload,
            X64Payload::Other(&[0, 0, 0])
        );
    }

    #[test]
    fn payload_of_a_known_type_checks_the_same_things() {
        let mut scratch = Message::new_zeroed();
        let m = message(MessageType::X64_IO_PORT_INTERCEPT, 128, 1);
        assert!(payload::<IoPortInterceptMessage>(&m.0[1..], &mut scratch).is_ok());
        assert_eq!(
            payload::<MsrInterceptMessage>(&m.0[1..], &mut scratch),
            Err(ParseError::Payload(PayloadError::WrongType {
                payload: "MsrInterceptMessage",
                found: MessageType::X64_IO_PORT_INTERCEPT
            }))
        );
        let m = message(MessageType::X64_IO_PORT_INTERCEPT, 127, 0);
        assert!(matches!(
            payload::<IoPortInterceptMessage>(&m.0, &mut scratch),
            Err(ParseError::Payload(PayloadError::TooShort { need: 128, .. }))
        ));
        assert_eq!(
            payload::<IoPortInterceptMessage>(&m.0[..20], &mut scratch),
            Err(ParseError::Truncated { need: 143, have: 20 })
        );
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        let mut scratch = Message::new_zeroed();
        assert_eq!(parse(&[0; 15], &mut scratch), Err(ParseError::NoHeader { have: 15 }));
        let m = message(MessageType::X64_IO_PORT_INTERCEPT, 241, 0);
        assert_eq!(
            parse(&m.0, &mut scratch),
            Err(ParseError::PayloadTooLarge { payload_size: 241 })
        );
        let m = message(MessageType::X64_IO_PORT_INTERCEPT, 128, 0);
        let err = parse(&m.0[..100], &mut scratch).unwrap_err();
        assert_eq!(err, ParseError::Truncated { need: 144, have: 100 });
        assert_eq!(
            err.to_string(),
            "100 bytes given, the header says 144 (16 + payload_size): 44 missing"
        );
    }
}
