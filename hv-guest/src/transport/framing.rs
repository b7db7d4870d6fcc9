//! How a [`Transport`](super::Transport) wraps each chunk it posts and unwraps each datagram it
//! retrieves: [`Raw`] (the bytes as they are) or [`Udp`] (an Ethernet/IPv4/UDP frame, [`udp`]).

use core::fmt;
use core::ops::Range;

use hv_abi::debug::HV_DEBUG_MAXIMUM_DATA_SIZE;

use super::udp::{self, Endpoint, FrameError};

/// A way to put one chunk of the stream into one HvPostDebugData datagram and to take it out of one
/// HvRetrieveDebugData datagram.
///
/// The contract the transport relies on: [`encode`](Self::encode) of at most
/// [`MAX_PAYLOAD`](Self::MAX_PAYLOAD) bytes gives at most `HV_DEBUG_MAXIMUM_DATA_SIZE` (4088) bytes, and
/// [`decode`](Self::decode) gives a range within the datagram. (A range outside it is clamped, never
/// indexed.)
pub trait Framing {
    /// The most stream bytes one post carries: 4088, `HV_DEBUG_MAXIMUM_DATA_SIZE`, less the framing's
    /// overhead. At least 1.
    const MAX_PAYLOAD: usize;

    /// The bytes to post for `payload` (at most [`MAX_PAYLOAD`](Self::MAX_PAYLOAD) bytes).
    ///
    /// # Errors
    ///
    /// The framing cannot carry `payload`.
    fn encode<'a>(&'a mut self, payload: &'a [u8]) -> Result<&'a [u8], FrameError>;

    /// Where the stream bytes are in a retrieved datagram.
    ///
    /// # Errors
    ///
    /// Why the datagram is not one of this framing's; the transport drops it.
    fn decode(&self, datagram: &[u8]) -> Result<Range<usize>, FrameError>;
}

/// No framing: each chunk is posted as it is, and each retrieved datagram is stream bytes. For the
/// reference (the 2013 WDK pages' byte buffers), which carries opaque bytes (real-hosts.md row 18).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Raw;

impl Framing for Raw {
    const MAX_PAYLOAD: usize = HV_DEBUG_MAXIMUM_DATA_SIZE;

    fn encode<'a>(&'a mut self, payload: &'a [u8]) -> Result<&'a [u8], FrameError> {
        Ok(payload)
    }

    fn decode(&self, datagram: &[u8]) -> Result<Range<usize>, FrameError> {
        Ok(0..datagram.len())
    }
}

/// Ethernet II / IPv4 / UDP framing ([`udp`]): each chunk is posted as one frame from `local` to `peer`,
/// and each retrieved datagram must be a frame [`udp::parse`] accepts. For QEMU's `hv-syndbg` device,
/// which sends the UDP payload of a posted frame and drops anything else, and returns each received
/// datagram behind a rebuilt 42-byte header (real-hosts.md rows 18 and 20).
///
/// Received frames are not filtered by address or port: QEMU rebuilds them with zero MACs, its own
/// address and port as the source, and its port as the destination port too (`syndbg.c:143-185`), so
/// they do not name `local`. Holds one 4088-byte buffer to build frames in.
#[derive(Clone)]
pub struct Udp {
    local: Endpoint,
    peer: Endpoint,
    frame: [u8; HV_DEBUG_MAXIMUM_DATA_SIZE],
}

impl Udp {
    /// Frames from `local` (this guest) to `peer` (the debugger).
    #[must_use]
    pub const fn new(local: Endpoint, peer: Endpoint) -> Self {
        Self {
            local,
            peer,
            frame: [0; HV_DEBUG_MAXIMUM_DATA_SIZE],
        }
    }
}

impl fmt::Debug for Udp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Udp")
            .field("local", &self.local)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl Framing for Udp {
    /// 4088 − 42 = 4046 bytes.
    const MAX_PAYLOAD: usize = HV_DEBUG_MAXIMUM_DATA_SIZE - udp::HEADER_LEN;

    fn encode<'a>(&'a mut self, payload: &'a [u8]) -> Result<&'a [u8], FrameError> {
        let len = udp::build(&self.local, &self.peer, payload, &mut self.frame)?;
        Ok(&self.frame[..len])
    }

    fn decode(&self, datagram: &[u8]) -> Result<Range<usize>, FrameError> {
        // `parse` accepts only IHL 5, so the payload starts right after the 42 header bytes.
        let frame = udp::parse(datagram)?;
        Ok(udp::HEADER_LEN..udp::HEADER_LEN + frame.payload.len())
    }
}
