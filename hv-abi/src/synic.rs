//! SynIC messages: `HV_MESSAGE_TYPE`, `HV_MESSAGE_HEADER` (16 bytes) and `HV_MESSAGE` (256 bytes).

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::{Layout, layout};

/// `HV_MESSAGE_TYPE` (TLFS `datatypes/hv_message_type.md`; 2013 WDK ff540140).
///
/// Open: unknown types round-trip. Where sources give one value two names, the TLFS name is canonical
/// and the other is an alias.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct MessageType(u32);

impl MessageType {
    /// `HV_MESSAGE_TYPE_HYPERVISOR_MASK`: set in every type the hypervisor itself sends.
    pub const HYPERVISOR_MASK: u32 = 0x8000_0000;

    /// `true` for types the hypervisor sends (bit 31 set).
    #[must_use]
    pub const fn is_hypervisor(self) -> bool {
        self.0 & Self::HYPERVISOR_MASK != 0
    }
}

#[crate::open_enum(u32)]
impl MessageType {
    /// No message: the slot is free.
    #[tlfs = "HvMessageTypeNone"]
    pub const NONE: Self = Self(0x0000_0000);
    /// A guest access to an unmapped GPA (a memory intercept).
    #[tlfs = "HvMessageTypeUnmappedGpa"]
    pub const UNMAPPED_GPA: Self = Self(0x8000_0000);
    /// A guest access to a GPA with an intercept installed (a memory intercept).
    #[tlfs = "HvMessageTypeGpaIntercept"]
    pub const GPA_INTERCEPT: Self = Self(0x8000_0001);
    /// A guest access to an unaccepted GPA.
    #[tlfs = "HvMessageTypeUnacceptedGpa"]
    pub const UNACCEPTED_GPA: Self = Self(0x8000_0003);
    /// A GPA attribute intercept.
    #[tlfs = "HvMessageTypeGpaAttributeIntercept"]
    pub const GPA_ATTRIBUTE_INTERCEPT: Self = Self(0x8000_0004);
    /// A synthetic timer expired.
    #[tlfs = "HvMessageTimerExpired"]
    pub const TIMER_EXPIRED: Self = Self(0x8000_0010);
    /// A VP register holds an invalid value.
    #[tlfs = "HvMessageTypeInvalidVpRegisterValue"]
    pub const INVALID_VP_REGISTER_VALUE: Self = Self(0x8000_0020);
    /// The VP hit an unrecoverable exception.
    #[tlfs = "HvMessageTypeUnrecoverableException"]
    pub const UNRECOVERABLE_EXCEPTION: Self = Self(0x8000_0021);
    /// The VP used an unsupported feature.
    #[tlfs = "HvMessageTypeUnsupportedFeature"]
    pub const UNSUPPORTED_FEATURE: Self = Self(0x8000_0022);
    /// An opaque intercept.
    #[tlfs = "HvMessageTypeOpaqueIntercept"]
    pub const OPAQUE_INTERCEPT: Self = Self(0x8000_003F);
    /// An event-log buffer is complete.
    #[tlfs = "HvMessageTypeEventLogBufferComplete"]
    pub const EVENT_LOG_BUFFER_COMPLETE: Self = Self(0x8000_0040);
    /// A hypercall intercept.
    #[tlfs = "HvMessageTypeHypercallIntercept"]
    pub const HYPERCALL_INTERCEPT: Self = Self(0x8000_0050);
    /// A SynIC event intercept.
    #[tlfs = "HvMessageTypeSynicEventIntercept"]
    pub const SYNIC_EVENT_INTERCEPT: Self = Self(0x8000_0060);
    /// A SynIC SINT intercept.
    #[tlfs = "HvMessageTypeSynicSintIntercept"]
    pub const SYNIC_SINT_INTERCEPT: Self = Self(0x8000_0061);
    /// A SynIC SINT became deliverable.
    #[tlfs = "HvMessageTypeSynicSintDeliverable"]
    pub const SYNIC_SINT_DELIVERABLE: Self = Self(0x8000_0062);
    /// An asynchronous call completed.
    #[tlfs = "HvMessageTypeAsyncCallCompletion"]
    pub const ASYNC_CALL_COMPLETION: Self = Self(0x8000_0070);
    /// An x64 I/O port intercept.
    #[tlfs = "HvMessageTypeX64IoPortIntercept"]
    pub const X64_IO_PORT_INTERCEPT: Self = Self(0x8001_0000);
    /// An x64 MSR intercept (TLFS and OpenVMM: `HvMessageTypeMsrIntercept`).
    #[tlfs = "HvMessageTypeMsrIntercept"]
    pub const X64_MSR_INTERCEPT: Self = Self(0x8001_0001);
    /// The 2013 name of [`X64_MSR_INTERCEPT`](Self::X64_MSR_INTERCEPT).
    #[tlfs = "HvMessageTypeX64MsrIntercept"]
    #[alias]
    pub const X64_MSR_INTERCEPT_2013: Self = Self(0x8001_0001);
    /// An x64 CPUID intercept.
    #[tlfs = "HvMessageTypeX64CpuidIntercept"]
    pub const X64_CPUID_INTERCEPT: Self = Self(0x8001_0002);
    /// An x64 exception intercept (TLFS and OpenVMM: `HvMessageTypeExceptionIntercept`).
    #[tlfs = "HvMessageTypeExceptionIntercept"]
    pub const X64_EXCEPTION_INTERCEPT: Self = Self(0x8001_0003);
    /// The 2013 name of [`X64_EXCEPTION_INTERCEPT`](Self::X64_EXCEPTION_INTERCEPT).
    #[tlfs = "HvMessageTypeX64ExceptionIntercept"]
    #[alias]
    pub const X64_EXCEPTION_INTERCEPT_2013: Self = Self(0x8001_0003);
    /// An x64 APIC EOI.
    #[tlfs = "HvMessageTypeX64ApicEoi"]
    pub const X64_APIC_EOI: Self = Self(0x8001_0004);
    /// An x64 legacy FP error (2013, Linux, HDK; OpenVMM gives 0x80010005 to an IOMMU PRQ message, and
    /// the TLFS does not list it).
    #[tlfs = "HvMessageTypeX64LegacyFpError"]
    pub const X64_LEGACY_FP_ERROR: Self = Self(0x8001_0005);
    /// A register intercept (TLFS, OpenVMM, HDK; Linux and mshv call 0x80010006 `X64_IOMMU_PRQ`).
    #[tlfs = "HvMessageTypeRegisterIntercept"]
    pub const REGISTER_INTERCEPT: Self = Self(0x8001_0006);
    /// The x64 VP halted.
    #[tlfs = "HvMessageTypeX64Halt"]
    pub const X64_HALT: Self = Self(0x8001_0007);
    /// An x64 interruption became deliverable.
    #[tlfs = "HvMessageTypeX64InterruptionDeliverable"]
    pub const X64_INTERRUPTION_DELIVERABLE: Self = Self(0x8001_0008);
    /// An x64 SIPI intercept.
    #[tlfs = "HvMessageTypeX64SipiIntercept"]
    pub const X64_SIPI_INTERCEPT: Self = Self(0x8001_0009);
    /// An x64 RDTSC intercept.
    #[tlfs = "HvMessageTypeX64RdtscIntercept"]
    pub const X64_RDTSC_INTERCEPT: Self = Self(0x8001_000A);
    /// An x64 APIC SMI intercept.
    #[tlfs = "HvMessageTypeX64ApicSmiIntercept"]
    pub const X64_APIC_SMI_INTERCEPT: Self = Self(0x8001_000B);
    /// An ARM64 reset intercept.
    #[tlfs = "HvMessageTypeArm64ResetIntercept"]
    pub const ARM64_RESET_INTERCEPT: Self = Self(0x8001_000C);
    /// An x64 APIC INIT/SIPI intercept.
    #[tlfs = "HvMessageTypeX64ApicInitSipiIntercept"]
    pub const X64_APIC_INIT_SIPI_INTERCEPT: Self = Self(0x8001_000D);
    /// An x64 APIC write intercept.
    #[tlfs = "HvMessageTypeX64ApicWriteIntercept"]
    pub const X64_APIC_WRITE_INTERCEPT: Self = Self(0x8001_000E);
    /// An x64 SNP guest-request intercept.
    #[tlfs = "HvMessageTypeX64SnpGuestRequestIntercept"]
    pub const X64_SNP_GUEST_REQUEST_INTERCEPT: Self = Self(0x8001_0011);
    /// An x64 exception-trap intercept.
    #[tlfs = "HvMessageTypeX64ExceptionTrapIntercept"]
    pub const X64_EXCEPTION_TRAP_INTERCEPT: Self = Self(0x8001_0012);
    /// An x64 SEV VMGEXIT intercept.
    #[tlfs = "HvMessageTypeX64SevVmgexitIntercept"]
    pub const X64_SEV_VMGEXIT_INTERCEPT: Self = Self(0x8001_0013);
}

/// `HV_MESSAGE_FLAGS` (TLFS `hv_message.md`): byte 5 of the message header.
#[crate::bitfield(u8, tlfs = "HV_MESSAGE_FLAGS")]
pub struct MessageFlags {
    /// Another message is waiting in the hypervisor's queue for this SINT; write EOM to get it.
    #[bits(0, tlfs = "MessagePending")]
    pub message_pending: bool,
    #[bits(1..=7, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_MESSAGE_HEADER` (TLFS `hv_message.md`; 2013 WDK ff540129).
#[layout(tlfs = "HV_MESSAGE_HEADER", size = 16, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct MessageHeader {
    /// What the message is.
    #[hv(offset = 0, tlfs = "MessageType")]
    pub message_type: MessageType,
    /// Payload bytes in use (at most [`Message::PAYLOAD_SIZE`]).
    #[hv(offset = 4, tlfs = "PayloadSize")]
    pub payload_size: u8,
    /// Message flags.
    #[hv(offset = 5, tlfs = "MessageFlags")]
    pub message_flags: MessageFlags,
    /// Reserved.
    #[hv(offset = 6, tlfs = "Reserved")]
    pub reserved: u16,
    /// The sender: a partition id or port id, depending on the type (`Sender` / `Port` /
    /// `OriginationId` in the union).
    #[hv(offset = 8, tlfs = "Sender")]
    pub sender: u64,
}

/// `HV_MESSAGE` (TLFS `hv_message.md`): a 16-byte header and a 240-byte payload.
#[layout(tlfs = "HV_MESSAGE", size = 256, align = 8)]
#[derive(Clone, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Message {
    /// The header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: MessageHeader,
    /// The payload (`UINT64 Payload[30]` in C; bytes here, so any payload type can be read from it).
    #[hv(offset = 16, tlfs = "Payload")]
    pub payload: [u8; Message::PAYLOAD_SIZE],
}

static_assertions::const_assert_eq!(size_of::<Message>(), size_of::<MessageHeader>() + Message::PAYLOAD_SIZE);

/// A type that is the payload of some SynIC message types (the x64 intercept messages, say).
pub trait MessagePayload: FromBytes + KnownLayout + Immutable + Layout {
    /// The message types whose payload is this type.
    const MESSAGE_TYPES: &'static [MessageType];
}

/// Why a message's payload could not be read as the requested type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadError {
    /// The message's type is not one this payload type belongs to.
    WrongType {
        /// The payload type asked for.
        payload: &'static str,
        /// The type the message has.
        found: MessageType,
    },
    /// `payload_size` is smaller than the payload type.
    TooShort {
        /// The payload type asked for.
        payload: &'static str,
        /// Its size.
        need: usize,
        /// The message's `payload_size`.
        have: u8,
    },
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType { payload, found } => {
                write!(f, "a {found:?} message does not carry a {payload}")
            }
            Self::TooShort { payload, need, have } => {
                write!(f, "payload_size {have} is smaller than {payload} ({need} bytes)")
            }
        }
    }
}

impl core::error::Error for PayloadError {}

impl Message {
    /// Size of the payload area in bytes.
    pub const PAYLOAD_SIZE: usize = 240;

    /// A message of `message_type` from `sender` carrying `payload`: `payload_size` is the payload type's
    /// size, the rest of the area is zero, no flag is set. [`PayloadError::WrongType`] when `message_type`
    /// is not one the payload type belongs to; a payload type larger than 240 bytes does not compile.
    pub fn new<T: MessagePayload + IntoBytes>(
        message_type: MessageType,
        sender: u64,
        payload: &T,
    ) -> Result<Self, PayloadError> {
        const {
            assert!(
                size_of::<T>() <= Message::PAYLOAD_SIZE,
                "a payload type must fit 240 bytes"
            )
        };
        if !T::MESSAGE_TYPES.contains(&message_type) {
            return Err(PayloadError::WrongType {
                payload: T::TYPE_LAYOUT.name,
                found: message_type,
            });
        }
        let mut message = Self {
            header: MessageHeader {
                message_type,
                payload_size: size_of::<T>() as u8,
                message_flags: MessageFlags::new(),
                reserved: 0,
                sender,
            },
            payload: [0; Self::PAYLOAD_SIZE],
        };
        message.payload[..size_of::<T>()].copy_from_slice(payload.as_bytes());
        Ok(message)
    }

    /// The payload as `T`, borrowed in place, after checking the message type and `payload_size`.
    pub fn payload<T: MessagePayload>(&self) -> Result<&T, PayloadError> {
        let name = T::TYPE_LAYOUT.name;
        let found = self.header.message_type;
        if !T::MESSAGE_TYPES.contains(&found) {
            return Err(PayloadError::WrongType { payload: name, found });
        }
        let need = T::TYPE_LAYOUT.size;
        let have = self.header.payload_size;
        if usize::from(have) < need {
            return Err(PayloadError::TooShort {
                payload: name,
                need,
                have,
            });
        }
        // `have` can exceed the 240-byte area, so a payload type larger than the area fails here.
        let bytes = self.payload.get(..need).ok_or(PayloadError::TooShort {
            payload: name,
            need,
            have,
        })?;
        T::ref_from_bytes(bytes).map_err(|_| PayloadError::TooShort {
            payload: name,
            need,
            have,
        })
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let used = usize::from(self.header.payload_size).min(Self::PAYLOAD_SIZE);
        f.debug_struct("Message")
            .field("header", &self.header)
            .field("payload", &&self.payload[..used])
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A small payload type for the tests, as the x64 crate declares its messages.
    #[layout(tlfs = "TEST_PAYLOAD", size = 8, align = 4)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
    #[repr(C)]
    struct TestPayload {
        #[hv(offset = 0)]
        a: u32,
        #[hv(offset = 4)]
        b: u32,
    }

    impl MessagePayload for TestPayload {
        const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_APIC_EOI];
    }

    #[test]
    fn new_builds_a_message_its_payload_reads_back_from() {
        let p = TestPayload { a: 7, b: 0x51 };
        let m = Message::new(MessageType::X64_APIC_EOI, 3, &p).unwrap();
        assert_eq!((m.header.payload_size, m.header.sender), (8, 3));
        assert_eq!(m.payload::<TestPayload>(), Ok(&p));
        assert!(m.payload[8..].iter().all(|&b| b == 0));
        assert_eq!(
            Message::new(MessageType::X64_HALT, 0, &p).unwrap_err(),
            PayloadError::WrongType {
                payload: "TestPayload",
                found: MessageType::X64_HALT
            }
        );
    }

    #[test]
    fn message_types() {
        assert_eq!(MessageType::X64_IO_PORT_INTERCEPT.into_bits(), 0x8001_0000);
        assert!(MessageType::X64_HALT.is_hypervisor());
        assert!(!MessageType::NONE.is_hypervisor());
        assert_eq!(
            MessageType::from_name("HvMessageTypeX64MsrIntercept"),
            Some(MessageType::X64_MSR_INTERCEPT)
        );
        assert_eq!(MessageType::X64_MSR_INTERCEPT.name(), Some("HvMessageTypeMsrIntercept"));
    }

    proptest! {
        #[test]
        fn header_round_trips(bytes: [u8; 16]) {
            let h = MessageHeader::read_from_bytes(&bytes).unwrap();
            prop_assert_eq!(h.as_bytes(), &bytes);
            prop_assert_eq!(h.message_flags.message_pending(), bytes[5] & 1 == 1);
            prop_assert_eq!(h.message_flags.reserved_bits(), bytes[5] & 0xFE);
        }
    }
}
