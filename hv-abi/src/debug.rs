//! The debug hypercalls: HvPostDebugData (0x69), HvRetrieveDebugData (0x6A), HvResetDebugSession (0x6B).
//!
//! The only public text for these calls is the 2013 WDK hypervisor reference ("Debugging Data Types",
//! ff538590, and the three call pages). Every struct carries `HV_CALL_ATTRIBUTES` (8-byte alignment).
//!
//! Each call has its own option type: the values 0x1 and 0x2 mean different things for post, retrieve
//! and reset. Newer Windows headers add flags (`HV_DEBUG_POST_RAW_PACKET` 0x2, `HV_DEBUG_RETRIEVE_RAW_PACKET`
//! 0x4, reset's `HV_DEBUG_RETRIEVE_DEBUG_CONFIG` 0x4 and `HV_DEBUG_USE_RAW_PACKETS` 0x8) and a 24-byte
//! reset output; those are not in the 2013 reference, so here they are unknown bits.

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::layout;

/// `HV_DEBUG_MAXIMUM_DATA_SIZE`: the most data one post or retrieve moves, 4096 − 8 = 4088 bytes.
pub const HV_DEBUG_MAXIMUM_DATA_SIZE: usize = 4088;

// The data area is what is left of a page after the 8-byte header, in both directions.
static_assertions::const_assert_eq!(HV_DEBUG_MAXIMUM_DATA_SIZE, 4096 - PostDebugDataInput::HEADER_SIZE);
static_assertions::const_assert_eq!(HV_DEBUG_MAXIMUM_DATA_SIZE, 4096 - RetrieveDebugDataOutput::HEADER_SIZE);

crate::flags! {
    /// `HV_DEBUG_OPTIONS` for HvPostDebugData.
    pub struct DebugPostOptions(u32) tlfs_prefix "HV_DEBUG_" {
        /// The caller will retry until the data is posted; the hypervisor may suspend the VP until
        /// outgoing space frees rather than return at once (a hint).
        const POST_LOOP = 0x1;
    }
}

crate::flags! {
    /// `HV_DEBUG_OPTIONS` for HvRetrieveDebugData.
    pub struct DebugRetrieveOptions(u32) tlfs_prefix "HV_DEBUG_" {
        /// With no data pending, the hypervisor may suspend the VP for up to `Timeout` (a hint).
        const RETRIEVE_LOOP = 0x1;
        /// Checked before anything else: `HV_STATUS_INACTIVE` if nothing was received since this
        /// partition's last retrieve attempt.
        const RETRIEVE_TEST_ACTIVITY = 0x2;
    }
}

crate::flags! {
    /// `HV_DEBUG_OPTIONS` for HvResetDebugSession. At least one flag must be set.
    pub struct DebugPurgeOptions(u32) tlfs_prefix "HV_DEBUG_" {
        /// Discard all incoming data pending retrieval.
        const PURGE_INCOMING_DATA = 0x1;
        /// Discard all outgoing data pending transmission.
        const PURGE_OUTGOING_DATA = 0x2;
    }
}

/// `HV_DEBUG_CHANNEL_IDENTIFIER`: the 16-bit partition property that names a debug session.
///
/// Zero means "not assigned" and makes every debug call fail with `HV_STATUS_OPERATION_DENIED`.
#[repr(transparent)]
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug, FromBytes, IntoBytes, KnownLayout, Immutable,
)]
pub struct DebugChannelId(pub u16);

impl DebugChannelId {
    /// `HV_DEBUG_CHANNEL_ID_HYPERVISOR` (0): also the "unassigned" value for a partition.
    pub const HYPERVISOR: Self = Self(0x0);
    /// `HV_DEBUG_CHANNEL_ID_ROOT`.
    pub const ROOT: Self = Self(0x1);
    /// `HV_DEBUG_CHANNEL_ID_ASSIGN_START`: the first id handed to guests.
    pub const ASSIGN_START: Self = Self(0x2);
    /// `HV_DEBUG_CHANNEL_ID_FW_MAX`.
    pub const FW_MAX: Self = Self(0x3E);
    /// `HV_DEBUG_CHANNEL_ID_DEFAULT`.
    pub const DEFAULT: Self = Self(0xBADA);

    /// `false` for the unassigned value 0.
    #[must_use]
    pub const fn is_assigned(self) -> bool {
        self.0 != 0
    }
}

/// `Count` exceeds [`HV_DEBUG_MAXIMUM_DATA_SIZE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountTooLarge(pub u32);

impl fmt::Display for CountTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "count {} exceeds HV_DEBUG_MAXIMUM_DATA_SIZE ({HV_DEBUG_MAXIMUM_DATA_SIZE})",
            self.0
        )
    }
}

impl core::error::Error for CountTooLarge {}

fn data_prefix(data: &[u8; HV_DEBUG_MAXIMUM_DATA_SIZE], count: u32) -> Result<&[u8], CountTooLarge> {
    data.get(..count as usize).ok_or(CountTooLarge(count))
}

/// `HV_INPUT_POST_DEBUG_DATA` (ff539094): 8-byte header, then `count` data bytes.
#[layout(tlfs = "HV_INPUT_POST_DEBUG_DATA", size = 4096, align = 8)]
#[derive(Clone, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(8))]
pub struct PostDebugDataInput {
    /// Number of data bytes to post, 0 to 4088 (0 probes for pending output).
    #[hv(offset = 0, tlfs = "Count")]
    pub count: u32,
    /// Post options.
    #[hv(offset = 4, tlfs = "Options")]
    pub options: DebugPostOptions,
    /// The data; only the first `count` bytes are read.
    #[hv(offset = 8, tlfs = "Data")]
    pub data: [u8; HV_DEBUG_MAXIMUM_DATA_SIZE],
}

impl PostDebugDataInput {
    /// Size of the fixed part before `Data`.
    pub const HEADER_SIZE: usize = 8;

    /// The `count` bytes to post.
    pub fn payload(&self) -> Result<&[u8], CountTooLarge> {
        data_prefix(&self.data, self.count)
    }
}

impl fmt::Debug for PostDebugDataInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostDebugDataInput")
            .field("count", &self.count)
            .field("options", &self.options)
            .field("payload", &self.payload())
            .finish()
    }
}

/// `HV_OUTPUT_POST_DEBUG_DATA` (ff539094).
#[layout(tlfs = "HV_OUTPUT_POST_DEBUG_DATA", size = 8, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(8))]
pub struct PostDebugDataOutput {
    /// Bytes pending transmission in the outgoing buffer, including the ones just posted.
    #[hv(offset = 0, tlfs = "PendingCount")]
    pub pending_count: u32,
    /// Padding to 8 bytes.
    #[hv(offset = 4, tlfs = "Padding")]
    pub padding: u32,
}

/// `HV_INPUT_RETRIEVE_DEBUG_DATA` (ff539134).
#[layout(tlfs = "HV_INPUT_RETRIEVE_DEBUG_DATA", size = 16, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(8))]
pub struct RetrieveDebugDataInput {
    /// Most bytes to retrieve, 0 to 4088 (0 probes for pending input).
    #[hv(offset = 0, tlfs = "Count")]
    pub count: u32,
    /// Retrieve options.
    #[hv(offset = 4, tlfs = "Options")]
    pub options: DebugRetrieveOptions,
    /// `HV_NANO100_DURATION`: how long a `RETRIEVE_LOOP` wait may last, in 100 ns units.
    #[hv(offset = 8, tlfs = "Timeout")]
    pub timeout: u64,
}

/// `HV_OUTPUT_RETRIEVE_DEBUG_DATA` (ff539134): 8-byte header, then `retrieved_count` data bytes.
#[layout(tlfs = "HV_OUTPUT_RETRIEVE_DEBUG_DATA", size = 4096, align = 8)]
#[derive(Clone, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(8))]
pub struct RetrieveDebugDataOutput {
    /// Bytes returned in `data`.
    #[hv(offset = 0, tlfs = "RetrievedCount")]
    pub retrieved_count: u32,
    /// Bytes still pending in the incoming buffer after this call (the 2013 page labels it `[in]`, a
    /// documentation slip).
    #[hv(offset = 4, tlfs = "RemainingCount")]
    pub remaining_count: u32,
    /// The data; the first `retrieved_count` bytes are valid.
    #[hv(offset = 8, tlfs = "Data")]
    pub data: [u8; HV_DEBUG_MAXIMUM_DATA_SIZE],
}

impl RetrieveDebugDataOutput {
    /// Size of the fixed part before `Data`.
    pub const HEADER_SIZE: usize = 8;

    /// The `retrieved_count` bytes returned.
    pub fn payload(&self) -> Result<&[u8], CountTooLarge> {
        data_prefix(&self.data, self.retrieved_count)
    }
}

impl fmt::Debug for RetrieveDebugDataOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetrieveDebugDataOutput")
            .field("retrieved_count", &self.retrieved_count)
            .field("remaining_count", &self.remaining_count)
            .field("payload", &self.payload())
            .finish()
    }
}

/// `HV_INPUT_RESET_DEBUG_SESSION` (ff539121): a fast call, so on x64 these 8 bytes arrive in RDX.
#[layout(tlfs = "HV_INPUT_RESET_DEBUG_SESSION", size = 8, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(8))]
pub struct ResetDebugSessionInput {
    /// Which buffers to purge.
    #[hv(offset = 0, tlfs = "Options")]
    pub options: DebugPurgeOptions,
    /// Padding to 8 bytes.
    #[hv(offset = 4, tlfs = "Padding")]
    pub padding: u32,
}

/// `HV_DEBUG_NET_DATA` (newer Windows `hvgdk_mini.h`): the network endpoints of a kdnet debug session.
#[layout(tlfs = "HV_DEBUG_NET_DATA", size = 24, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct DebugNetData {
    /// The debugger host's IPv4 address.
    #[hv(offset = 0, tlfs = "HostIp")]
    pub host_ip: u32,
    /// The target's IPv4 address.
    #[hv(offset = 4, tlfs = "TargetIp")]
    pub target_ip: u32,
    /// The host's port.
    #[hv(offset = 8, tlfs = "HostPort")]
    pub host_port: u16,
    /// The target's port.
    #[hv(offset = 10, tlfs = "TargetPort")]
    pub target_port: u16,
    /// The host's MAC address.
    #[hv(offset = 12, tlfs = "HostMac")]
    pub host_mac: [u8; 6],
    /// The target's MAC address.
    #[hv(offset = 18, tlfs = "TargetMac")]
    pub target_mac: [u8; 6],
}

/// `HV_OUTPUT_RESET_DEBUG_SESSION` as newer Windows headers define it: 24 bytes of [`DebugNetData`],
/// returned when the reset asks for the debug configuration (`HV_DEBUG_RETRIEVE_DEBUG_CONFIG`, 0x4).
///
/// The 2013 reference, which the reference dispatcher follows, gives HvResetDebugSession no output and
/// no such flag (an unknown bit of [`DebugPurgeOptions`]); QEMU writes this output on every reset.
#[layout(tlfs = "HV_OUTPUT_RESET_DEBUG_SESSION", size = 24, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(8))]
pub struct ResetDebugSessionOutput {
    /// The session's network endpoints.
    #[hv(offset = 0, tlfs = "NetData")]
    pub net_data: DebugNetData,
}

/// `HV_MUX_PACKET_LEADER` (HDK `hvgdk.h`): the first four bytes of every mux packet, 0x11223344.
pub const HV_MUX_PACKET_LEADER: u32 = 0x1122_3344;

/// The name 0.1 gave [`HV_MUX_PACKET_LEADER`]; no header spells it this way.
#[deprecated(since = "0.2.0", note = "the HDK name is HV_MUX_PACKET_LEADER")]
pub const HV_DEBUG_MUX_PACKET_LEADER: u32 = HV_MUX_PACKET_LEADER;

/// The `Type` of a mux packet (HDK `hvgdk.h` `HV_MUX_PACKET_TYPE_*`).
#[repr(transparent)]
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, Debug, FromBytes, IntoBytes, KnownLayout, Immutable, zerocopy::Unaligned,
)]
pub struct MuxPacketType(pub zerocopy::little_endian::U16);

crate::arbitrary_from_bytes!(DebugChannelId, MuxPacketType);

impl MuxPacketType {
    /// `HV_MUX_PACKET_TYPE_DATA`: debug data for the channel.
    pub const DATA: Self = Self(zerocopy::little_endian::U16::new(1));
    /// `HV_MUX_PACKET_TYPE_BREAKIN`: a break-in request: the one message in the otherwise opaque byte stream.
    pub const BREAKIN: Self = Self(zerocopy::little_endian::U16::new(2));
    /// `HV_MUX_PACKET_TYPE_QUERY_CHANNELS`: a query for the channels.
    pub const QUERY_CHANNELS: Self = Self(zerocopy::little_endian::U16::new(3));
}

/// `HV_MUX_PACKET_HEADER` (HDK `hvgdk.h`, `#pragma pack(1)`): the header of a packet on the multiplexed
/// debug transport. The debug data is otherwise an opaque byte stream; the break-in is the exception.
#[layout(tlfs = "HV_MUX_PACKET_HEADER", size = 16, align = 1)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, zerocopy::Unaligned)]
#[repr(C)]
pub struct MuxPacketHeader {
    /// [`HV_MUX_PACKET_LEADER`].
    #[hv(offset = 0, tlfs = "Leader")]
    pub leader: zerocopy::little_endian::U32,
    /// What the packet is.
    #[hv(offset = 4, tlfs = "Type")]
    pub packet_type: MuxPacketType,
    /// Bytes of data after the header.
    #[hv(offset = 6, tlfs = "Length")]
    pub length: zerocopy::little_endian::U16,
    /// Checksum of the data.
    #[hv(offset = 8, tlfs = "CRC")]
    pub crc: zerocopy::little_endian::U32,
    /// The debug channel the packet belongs to.
    #[hv(offset = 12, tlfs = "Channel")]
    pub channel: zerocopy::little_endian::U16,
    /// Reserved.
    #[hv(offset = 14, tlfs = "Reserved")]
    pub reserved: zerocopy::little_endian::U16,
}

impl MuxPacketHeader {
    /// A break-in packet for `channel`: no data follows.
    #[must_use]
    pub fn break_in(channel: DebugChannelId) -> Self {
        Self {
            leader: HV_MUX_PACKET_LEADER.into(),
            packet_type: MuxPacketType::BREAKIN,
            length: 0.into(),
            crc: 0.into(),
            channel: channel.0.into(),
            reserved: 0.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;
    use crate::Layout;
    use crate::flags::UnknownFlags;
    use proptest::prelude::*;
    use zerocopy::FromZeros;

    #[test]
    fn flag_values_and_unknown_bits() {
        assert_eq!(DebugPostOptions::POST_LOOP.bits(), 1);
        assert_eq!(DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY.bits(), 2);
        assert_eq!(DebugPurgeOptions::all().bits(), 3);
        let raw_packet = DebugPostOptions::from_bits_retain(0x3);
        assert_eq!(raw_packet.unknown_bits(), 0x2);
        assert_eq!(
            raw_packet.validate(),
            Err(UnknownFlags {
                type_name: "DebugPostOptions",
                bits: 2
            })
        );
        assert_eq!(format!("{raw_packet:?}"), "DebugPostOptions(POST_LOOP | 0x2)");
        assert_eq!(format!("{:?}", DebugPurgeOptions::empty()), "DebugPurgeOptions()");
        assert_eq!(DebugPurgeOptions::all().validate(), Ok(DebugPurgeOptions::all()));
        assert_eq!(
            DebugPurgeOptions::FLAG_TABLE.entries[1].tlfs_name,
            "HV_DEBUG_PURGE_OUTGOING_DATA"
        );
    }

    #[test]
    fn payload_is_bounded_by_count() {
        let mut input = PostDebugDataInput::new_zeroed();
        input.count = 3;
        input.data[..4].copy_from_slice(b"abcd");
        assert_eq!(input.payload(), Ok(&b"abc"[..]));
        input.count = 4089;
        assert_eq!(input.payload(), Err(CountTooLarge(4089)));
    }

    #[test]
    fn break_in_packet_bytes() {
        let p = MuxPacketHeader::break_in(DebugChannelId(0x0102));
        assert_eq!(
            p.as_bytes(),
            &[0x44, 0x33, 0x22, 0x11, 2, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x01, 0, 0]
        );
        let (back, rest) = MuxPacketHeader::ref_from_prefix(p.as_bytes()).unwrap();
        assert_eq!((back.packet_type, rest.len()), (MuxPacketType::BREAKIN, 0));
    }

    #[test]
    fn mux_names_are_the_hdk_names() {
        // hvgdk.h spells them HV_MUX_PACKET_*; 0.1 invented an HV_DEBUG_ prefix.
        assert_eq!(MuxPacketHeader::TYPE_LAYOUT.tlfs_name, "HV_MUX_PACKET_HEADER");
        assert_eq!(HV_MUX_PACKET_LEADER, 0x1122_3344);
    }

    #[test]
    fn channel_ids() {
        assert!(!DebugChannelId::HYPERVISOR.is_assigned());
        assert!(DebugChannelId::DEFAULT.is_assigned());
        assert_eq!(DebugChannelId::DEFAULT.0, 0xBADA);
    }

    proptest! {
        #[test]
        fn retrieve_input_round_trips(bytes: [u8; 16]) {
            let v = RetrieveDebugDataInput::read_from_bytes(&bytes).unwrap();
            prop_assert_eq!(v.as_bytes(), &bytes);
        }

        #[test]
        fn reset_input_keeps_unknown_bits(bytes: [u8; 8]) {
            let v = ResetDebugSessionInput::read_from_bytes(&bytes).unwrap();
            prop_assert_eq!(v.as_bytes(), &bytes);
            prop_assert_eq!(v.options.bits(), u32::from_le_bytes(bytes[..4].try_into().unwrap()));
        }

        #[test]
        fn post_input_round_trips(head: [u8; 8], fill: u8) {
            let mut bytes = [fill; 4096];
            bytes[..8].copy_from_slice(&head);
            let v = PostDebugDataInput::read_from_bytes(&bytes[..]).unwrap();
            prop_assert_eq!(v.as_bytes(), &bytes[..]);
        }
    }
}
