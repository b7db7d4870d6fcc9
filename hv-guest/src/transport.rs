//! A byte-stream transport over the debug hypercalls HvPostDebugData (0x69), HvRetrieveDebugData (0x6A)
//! and HvResetDebugSession (0x6B), built on what every host that implements them really does, not on
//! what the 2013 WDK reference pages promise.
//!
//! [`Transport`] carries a stream intact and in order across the hypercall interface of the reference
//! (the 2013 pages, as `hv-model` implements them), QEMU's `hv-syndbg` under KVM and VirtualBox. How they
//! differ (`real-hosts.md` §2, row numbers below):
//!
//! | | reference | QEMU under KVM | VirtualBox |
//! |---|---|---|---|
//! | post (#16-18) | all or nothing into a buffer; `INSUFFICIENT_BUFFERS` when full; `PendingCount` = bytes buffered | one UDP datagram; `PendingCount` 0; a failed `sendto` is `INSUFFICIENT_MEMORY`; a post that is not an Ethernet/IPv4/UDP frame is dropped | one write of the whole post; `PendingCount` 0; a failed or short write is `INSUFFICIENT_BUFFER` (0x33, not 0x13) |
//! | post of 0 bytes (#14) | `SUCCESS` | `INSUFFICIENT_MEMORY` | `SUCCESS` |
//! | retrieve (#20-21) | at most `Count` bytes; `RemainingCount` = bytes still pending | one datagram behind a rebuilt 42-byte header, whatever `Count` is; `RemainingCount` = `Count − RetrievedCount` (u32) | one buffered chunk, not bounded by `Count`; `RemainingCount` = `Count − RetrievedCount` |
//! | LOOP, TEST_ACTIVITY (#25-26) | waits; `INACTIVE` | ignored | LOOP ignored; TEST_ACTIVITY is `SUCCESS` with 0 bytes |
//! | reset (#9, #29-31) | purges; `NO_DATA` if nothing was | purges nothing; writes 24 bytes at R8, even in the fast form | purges nothing |
//!
//! So the transport relies only on what they share:
//!
//! - **One datagram per chunk.** [`Transport::send`] cuts the data into chunks of at most
//!   [`Framing::MAX_PAYLOAD`] bytes (4088, or 4046 inside a UDP frame) and posts each as one datagram,
//!   without `POST_LOOP`. It never posts 0 bytes (QEMU refuses them).
//! - **`SUCCESS` means the whole chunk was taken.** `PendingCount` is never read: the reference counts
//!   buffered bytes, QEMU and VirtualBox report 0. `INSUFFICIENT_BUFFERS` (the reference),
//!   `INSUFFICIENT_MEMORY` (QEMU) and `INSUFFICIENT_BUFFER` (VirtualBox, `GIMHv.cpp`
//!   `gimR3HvHypercallPostDebugData`) mean the chunk was not taken, so `send` stops there and returns how
//!   many bytes went; the caller offers the rest again later.
//! - **A retrieve is a poll.** [`Transport::recv`] retrieves with `Count` = 4088, no options (no
//!   `RETRIEVE_LOOP`: only the reference waits, and it would hold the VP; no `RETRIEVE_TEST_ACTIVITY`:
//!   VirtualBox answers it with 0 bytes) and `Timeout` 0. It takes `RetrievedCount` bytes, bounded by the
//!   page, and never reads `RemainingCount` (`Count − RetrievedCount` on QEMU and VirtualBox, not what is
//!   pending). `NO_DATA` means nothing now.
//! - **Nothing is lost between the retrieve and the caller.** A retrieve returns a whole datagram, which
//!   may be longer than the caller's buffer. The rest stays in the transport's own 4088-byte buffer and
//!   the next `recv` hands it out before it retrieves again.
//! - **A reset is local.** [`Transport::reset`] drops the transport's undelivered rest and asks the host
//!   to purge both directions, but QEMU and VirtualBox purge nothing, so stale data sent before the reset
//!   may still arrive after it. A protocol on top that needs a clean start must recognise old data
//!   itself (a session number, for instance).
//!
//! The framing is a type parameter ([`Framing`]): [`Raw`] posts the bytes as they are and takes every
//! retrieved datagram as stream bytes (the reference); [`Udp`] wraps each chunk in an Ethernet/IPv4/UDP
//! frame and checks and strips the frame of each datagram retrieved, dropping (and counting) one that is
//! not a valid frame (QEMU, which sends only the UDP payload of a posted frame). It is a type, not a
//! run-time flag, so the raw transport carries no frame buffer, and the trait stays open for a host that
//! frames differently.
//!
//! Limits:
//!
//! - QEMU reads a datagram of up to 4054 bytes and writes it behind its header at the output page's data
//!   area, 4096 bytes for 4054: 8 bytes past the page (#20). Such a retrieve is counted in
//!   [`Stats::oversized`] and its frame, cut at the page, is dropped. The debugger must send datagrams
//!   of at most 4046 bytes, as this transport does.
//! - "Intact and in order" is a property of the hypercall interface. Between QEMU and the debugger the
//!   datagrams travel over a real UDP socket, which may lose them; retransmission is the debugger
//!   protocol's job, not this transport's.
//! - A short write to VirtualBox's debug stream sends part of a post and still fails it with
//!   `INSUFFICIENT_BUFFER` (`gimR3DebugWrite` passes the stream's partial count through); the transport
//!   sends the whole chunk again, so the debugger may see that part twice.
//! - VirtualBox enables the debug calls only with the vendor "Microsoft Hv" (otherwise they are
//!   `ACCESS_DENIED`, #2), and with that vendor its post and retrieve also expect Ethernet/IPv4/UDP frames
//!   (`GIMHv.cpp`: `gimR3HvDebugWrite` and `gimR3HvDebugRead` get `fUdpPkt = fIsVendorMsHv`). It forwards
//!   only frames whose UDP ports are both 0. Use [`Udp`] with port-0 endpoints there.
//!
//! ```
//! use hv_abi::{CallCode, HvStatus, HypercallInput, HypercallOutput};
//! use hv_guest::transport::{Raw, Transport};
//! use hv_guest::{Hypercall, PAGE_SIZE, ParameterPages};
//!
//! /// A host that loops every post back to the next retrieve.
//! struct Loopback { input: [u8; PAGE_SIZE], output: [u8; PAGE_SIZE], looped: Vec<u8> }
//! impl Hypercall for Loopback {
//!     fn hypercall(&mut self, input: HypercallInput, _: u64, _: u64) -> HypercallOutput {
//!         let count = u32::from_le_bytes(self.input[..4].try_into().unwrap()) as usize;
//!         if input.call_code() == CallCode::POST_DEBUG_DATA {
//!             self.looped = self.input[8..8 + count].to_vec();
//!         } else if self.looped.is_empty() {
//!             return HvStatus::NO_DATA.into();
//!         } else {
//!             let n = self.looped.len();
//!             self.output[..4].copy_from_slice(&(n as u32).to_le_bytes());
//!             self.output[8..8 + n].copy_from_slice(&self.looped);
//!             self.looped.clear();
//!         }
//!         HvStatus::SUCCESS.into()
//!     }
//! }
//! impl ParameterPages for Loopback {
//!     fn input_gpa(&self) -> u64 { 0x1000 }
//!     fn output_gpa(&self) -> u64 { 0x2000 }
//!     fn input(&mut self) -> &mut [u8; PAGE_SIZE] { &mut self.input }
//!     fn output(&self) -> &[u8; PAGE_SIZE] { &self.output }
//! }
//!
//! let host = Loopback { input: [0; PAGE_SIZE], output: [0; PAGE_SIZE], looped: Vec::new() };
//! let mut transport = Transport::new(host, Raw);
//! assert_eq!(transport.send(b"hello"), Ok(5));
//! let mut buf = [0u8; 3];
//! assert_eq!(transport.recv(&mut buf), Ok(3)); // one retrieve: "hel", and "lo" kept
//! assert_eq!(&buf, b"hel");
//! assert_eq!(transport.recv(&mut buf), Ok(2)); // the rest, without a retrieve
//! assert_eq!(&buf[..2], b"lo");
//! assert_eq!(transport.recv(&mut buf), Ok(0)); // NO_DATA
//! assert_eq!((transport.stats().sent, transport.stats().received), (1, 1));
//! ```

mod framing;
pub mod udp;

pub use framing::{Framing, Raw, Udp};

use core::fmt;

use hv_abi::debug::{DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, HV_DEBUG_MAXIMUM_DATA_SIZE};
use hv_abi::{CallCode, HvError, HvStatus, HypercallInput};

use crate::debug::DebugCalls;
use udp::FrameError;

/// The statuses with which a host refuses a post it has no room for, having taken nothing: the
/// reference's `INSUFFICIENT_BUFFERS`, QEMU's `INSUFFICIENT_MEMORY` (a failed `sendto`, `syndbg.c`) and
/// VirtualBox's `INSUFFICIENT_BUFFER` (0x33, a failed stream write).
const NO_ROOM: [HvStatus; 3] = [
    HvStatus::INSUFFICIENT_BUFFERS,
    HvStatus::INSUFFICIENT_MEMORY,
    HvStatus::INSUFFICIENT_BUFFER,
];

/// What a [`Transport`] has done since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams posted: HvPostDebugData returned `HV_STATUS_SUCCESS`.
    pub sent: u64,
    /// Posts refused for want of room (`HV_STATUS_INSUFFICIENT_BUFFERS`, `HV_STATUS_INSUFFICIENT_MEMORY` or
    /// `HV_STATUS_INSUFFICIENT_BUFFER`): the chunk was not taken and [`Transport::send`] returned early.
    pub busy: u64,
    /// Datagrams retrieved (HvRetrieveDebugData returned `HV_STATUS_SUCCESS` with data) that the framing
    /// accepted.
    pub received: u64,
    /// Datagrams retrieved that the framing refused: their bytes were not delivered.
    pub dropped: u64,
    /// Retrieves whose `RetrievedCount` exceeded the 4088 bytes of the output page's data area: the host
    /// wrote past the page, and only the first 4088 bytes were read.
    pub oversized: u64,
    /// Why the last dropped datagram was refused.
    pub last_drop: Option<FrameError>,
}

/// Why a [`Transport`] call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// HvPostDebugData failed with a status other than those that mean "no room now"
    /// (`INSUFFICIENT_BUFFERS`, `INSUFFICIENT_MEMORY`, `INSUFFICIENT_BUFFER`).
    Post {
        /// The status.
        status: HvError,
        /// The bytes of this `send` posted before the failing chunk.
        sent: usize,
    },
    /// The framing could not carry a chunk (a [`Framing`] that breaks its contract).
    Encode {
        /// The framing's reason.
        error: FrameError,
        /// The bytes of this `send` posted before the failing chunk.
        sent: usize,
    },
    /// HvRetrieveDebugData failed with a status other than `HV_STATUS_NO_DATA`.
    Retrieve {
        /// The status.
        status: HvError,
    },
    /// HvResetDebugSession failed with a status other than `HV_STATUS_NO_DATA`.
    Reset {
        /// The status.
        status: HvError,
    },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Post { status, sent } => write!(f, "HvPostDebugData failed after {sent} bytes were sent: {status}"),
            Self::Encode { error, sent } => {
                write!(f, "a chunk could not be framed after {sent} bytes were sent: {error}")
            }
            Self::Retrieve { status } => write!(f, "HvRetrieveDebugData failed: {status}"),
            Self::Reset { status } => write!(f, "HvResetDebugSession failed: {status}"),
        }
    }
}

impl core::error::Error for TransportError {}

/// A byte stream over the debug hypercalls of `vp`, framed by `F`. See the [module documentation](self)
/// for what it relies on.
///
/// Holds one 4088-byte receive buffer (and [`Udp`] one more to build frames in); allocates nothing.
pub struct Transport<V, F> {
    vp: V,
    framing: F,
    /// The last datagram retrieved; `rx[start..end]` is its payload not yet delivered.
    rx: [u8; HV_DEBUG_MAXIMUM_DATA_SIZE],
    start: usize,
    end: usize,
    stats: Stats,
}

impl<V: DebugCalls, F: Framing> Transport<V, F> {
    /// A transport over `vp`'s debug calls and parameter pages.
    pub fn new(vp: V, framing: F) -> Self {
        const { assert!(F::MAX_PAYLOAD > 0, "Framing::MAX_PAYLOAD must be at least 1") };
        Self {
            vp,
            framing,
            rx: [0; HV_DEBUG_MAXIMUM_DATA_SIZE],
            start: 0,
            end: 0,
            stats: Stats::default(),
        }
    }

    /// Posts `data` with HvPostDebugData, one datagram per chunk of at most [`Framing::MAX_PAYLOAD`]
    /// bytes, and returns how many bytes were posted: all of them, or fewer when the host had no room for
    /// a chunk (`HV_STATUS_INSUFFICIENT_BUFFERS`, `HV_STATUS_INSUFFICIENT_MEMORY` or
    /// `HV_STATUS_INSUFFICIENT_BUFFER`: that chunk was not taken). The caller sends the rest again later.
    /// Empty `data` makes no hypercall.
    ///
    /// # Errors
    ///
    /// [`TransportError::Post`] for any other failing status, with the bytes posted before it.
    pub fn send(&mut self, data: &[u8]) -> Result<usize, TransportError> {
        let mut sent = 0;
        for chunk in data.chunks(F::MAX_PAYLOAD) {
            let datagram = self
                .framing
                .encode(chunk)
                .map_err(|error| TransportError::Encode { error, sent })?;
            match self.vp.post(datagram, DebugPostOptions::empty()) {
                // PendingCount is what the host has buffered (reference) or 0 (QEMU, VirtualBox): never
                // what is left of this chunk.
                Ok(_pending) => {
                    sent += chunk.len();
                    self.stats.sent = self.stats.sent.wrapping_add(1);
                }
                Err(e) if NO_ROOM.contains(&e.status()) => {
                    self.stats.busy = self.stats.busy.wrapping_add(1);
                    return Ok(sent);
                }
                Err(status) => return Err(TransportError::Post { status, sent }),
            }
        }
        Ok(sent)
    }

    /// Fills `buf` with received bytes and returns how many: first the rest of the last datagram, if
    /// any is left, without a hypercall; otherwise the payload of one datagram retrieved now with
    /// HvRetrieveDebugData, as much as fits (the rest is kept for the next call). 0 when nothing is
    /// pending (`HV_STATUS_NO_DATA`), when the datagram was dropped ([`Stats::dropped`]), or when `buf`
    /// is empty (then no hypercall is made). Never waits.
    ///
    /// # Errors
    ///
    /// [`TransportError::Retrieve`] for a failing status other than `HV_STATUS_NO_DATA`.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize, TransportError> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.start == self.end {
            self.retrieve()?;
        }
        let rest = &self.rx[self.start..self.end];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.start += n;
        Ok(n)
    }

    /// Drops the undelivered rest of the last datagram and asks the host to purge both directions with
    /// HvResetDebugSession (`PURGE_INCOMING_DATA | PURGE_OUTGOING_DATA`; `HV_STATUS_NO_DATA`, nothing to
    /// purge, is success). QEMU and VirtualBox purge nothing: data sent before the reset may still
    /// arrive after it.
    ///
    /// The call is the fast form with R8 = the output page's GPA, not 0: QEMU writes a 24-byte output at
    /// R8 even in the fast form (real-hosts.md rows 9 and 31), and R8 = 0 would put it at GPA 0. The
    /// reference and VirtualBox ignore R8 here.
    ///
    /// # Errors
    ///
    /// [`TransportError::Reset`] for a failing status other than `HV_STATUS_NO_DATA`. The rest is dropped
    /// either way.
    pub fn reset(&mut self) -> Result<(), TransportError> {
        self.start = 0;
        self.end = 0;
        let input = HypercallInput::new()
            .with_call_code(CallCode::RESET_DEBUG_SESSION)
            .with_fast(true);
        let options = u64::from(DebugPurgeOptions::all().bits());
        let output_gpa = self.vp.output_gpa();
        match self.vp.hypercall(input, options, output_gpa).status().result() {
            Err(status) if status.status() != HvStatus::NO_DATA => Err(TransportError::Reset { status }),
            _ => Ok(()),
        }
    }

    /// What the transport has done so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The bytes of the last datagram retrieved that the next [`recv`](Self::recv) hands out.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// The VP the transport calls through.
    #[must_use]
    pub fn vp(&self) -> &V {
        &self.vp
    }

    /// The VP the transport calls through, to issue other hypercalls with. A debug call made through it
    /// bypasses the transport: a retrieve takes a datagram the transport never sees.
    pub fn vp_mut(&mut self) -> &mut V {
        &mut self.vp
    }

    /// One HvRetrieveDebugData poll into `rx`; on a datagram the framing accepts, its payload becomes the
    /// rest to deliver.
    fn retrieve(&mut self) -> Result<(), TransportError> {
        let retrieved = match self.vp.retrieve(&mut self.rx, DebugRetrieveOptions::empty(), 0) {
            Ok(r) => r.retrieved as usize,
            Err(status) if status.status() == HvStatus::NO_DATA => return Ok(()),
            Err(status) => return Err(TransportError::Retrieve { status }),
        };
        // `DebugCalls::retrieve` copied no more than the page holds.
        if retrieved > self.rx.len() {
            self.stats.oversized = self.stats.oversized.wrapping_add(1);
        }
        let datagram = &self.rx[..retrieved.min(self.rx.len())];
        // A successful retrieve of nothing (VirtualBox's answer to TEST_ACTIVITY or Count 0) is no datagram.
        if datagram.is_empty() {
            return Ok(());
        }
        match self.framing.decode(datagram) {
            Ok(payload) => {
                // Clamped: a framing that breaks its contract cannot make this index out of bounds.
                self.end = payload.end.min(datagram.len());
                self.start = payload.start.min(self.end);
                self.stats.received = self.stats.received.wrapping_add(1);
            }
            Err(e) => {
                self.stats.dropped = self.stats.dropped.wrapping_add(1);
                self.stats.last_drop = Some(e);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
