//! Fake hypervisors for the transport's tests, each answering the debug calls as one real host does
//! (real-hosts.md §2; row numbers below), with a debugger on the far side that sends and receives.
//!
//! [`Fake`] decodes the calls from the parameter pages and checks the transport's side of the contract
//! on every call (posts without options; retrieves with Count 4088, no options, Timeout 0; a fast reset).
//! The host behind it sees only the decoded call.

extern crate std;

use std::boxed::Box;
use std::collections::VecDeque;
use std::vec;
use std::vec::Vec;

use hv_abi::debug::HV_DEBUG_MAXIMUM_DATA_SIZE;
use hv_abi::{CallCode, HvStatus, HypercallInput, HypercallOutput};

use crate::{Hypercall, PAGE_SIZE, Page, ParameterPages};

pub(super) const INPUT_GPA: u64 = 0x1000;
pub(super) const OUTPUT_GPA: u64 = 0x2000;
/// The output page's data area starts after RetrievedCount and RemainingCount.
const DATA: usize = 8;

/// What a host does with each debug call. `out` is the guest's output page.
pub(super) trait Host {
    /// HvPostDebugData of `data`.
    fn post(&mut self, data: &[u8], out: &mut [u8; PAGE_SIZE]) -> HvStatus;
    /// HvRetrieveDebugData with `count`.
    fn retrieve(&mut self, count: u32, out: &mut [u8; PAGE_SIZE]) -> HvStatus;
    /// HvResetDebugSession, fast, with `options` in RDX and `r8` in R8.
    fn reset(&mut self, options: u64, r8: u64, out: &mut [u8; PAGE_SIZE]) -> HvStatus;
}

/// The debugger on the far side of a host.
pub(super) trait Debugger: Host {
    /// The debugger sends `bytes` (one datagram or one write).
    fn send_to_guest(&mut self, bytes: &[u8]);
    /// Everything the debugger has received from the guest since the last call, in order.
    fn take_received(&mut self) -> Vec<u8>;
    /// Whatever made the last post fail goes away (the debugger reads, a socket drains).
    fn make_room(&mut self);
    /// The host still holds data for the guest.
    fn has_data_for_guest(&self) -> bool;
}

/// A VP whose hypervisor is `host`, with its two parameter pages.
pub(super) struct Fake<H> {
    pub(super) host: H,
    /// The call codes issued, in order.
    pub(super) calls: Vec<CallCode>,
    input: Box<Page>,
    output: Box<Page>,
}

impl<H> Fake<H> {
    pub(super) fn new(host: H) -> Self {
        Self {
            host,
            calls: Vec::new(),
            input: Box::default(),
            output: Box::default(),
        }
    }

    pub(super) fn output_page(&self) -> &[u8; PAGE_SIZE] {
        &self.output.0
    }

    pub(super) fn count(&self, code: CallCode) -> usize {
        self.calls.iter().filter(|&&c| c == code).count()
    }
}

fn u32_at(page: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(page[at..at + 4].try_into().unwrap())
}

fn put_u32(page: &mut [u8], at: usize, value: u32) {
    page[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

impl<H: Host> Hypercall for Fake<H> {
    fn hypercall(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> HypercallOutput {
        let code = input.call_code();
        self.calls.push(code);
        let (page, out) = (&self.input.0, &mut self.output.0);
        let status = match code {
            CallCode::POST_DEBUG_DATA | CallCode::RETRIEVE_DEBUG_DATA => {
                assert!(!input.fast(), "{code:?} is a memory call");
                assert_eq!((rdx, r8), (INPUT_GPA, OUTPUT_GPA), "the parameter pages' GPAs");
                assert_eq!(u32_at(page, 4), 0, "{code:?} without options");
                if code == CallCode::POST_DEBUG_DATA {
                    let count = u32_at(page, 0) as usize;
                    assert!(
                        (1..=HV_DEBUG_MAXIMUM_DATA_SIZE).contains(&count),
                        "post of {count} bytes"
                    );
                    self.host.post(&page[8..8 + count], out)
                } else {
                    assert_eq!(u32_at(page, 0), 4088, "retrieve Count");
                    assert_eq!(&page[8..16], &[0; 8], "retrieve Timeout");
                    self.host.retrieve(4088, out)
                }
            }
            CallCode::RESET_DEBUG_SESSION => {
                assert!(input.fast(), "the transport's reset is the fast form");
                self.host.reset(rdx, r8, out)
            }
            other => panic!("the transport issued {other:?}"),
        };
        status.into()
    }
}

impl<H> ParameterPages for Fake<H> {
    fn input_gpa(&self) -> u64 {
        INPUT_GPA
    }
    fn output_gpa(&self) -> u64 {
        OUTPUT_GPA
    }
    fn input(&mut self) -> &mut [u8; PAGE_SIZE] {
        &mut self.input.0
    }
    fn output(&self) -> &[u8; PAGE_SIZE] {
        &self.output.0
    }
}

/// Writes RetrievedCount, RemainingCount and as much of `data` as the page holds after them; the rest
/// would land past the output page (QEMU and VirtualBox do not check) and is lost to the guest.
fn write_retrieved(out: &mut [u8; PAGE_SIZE], retrieved: u32, remaining: u32, data: &[u8]) {
    put_u32(out, 0, retrieved);
    put_u32(out, 4, remaining);
    let n = data.len().min(PAGE_SIZE - DATA);
    out[DATA..DATA + n].copy_from_slice(&data[..n]);
}

/// The 2013 reference (D), as `hv-model` implements it: byte buffers with exact counts.
///
/// Modelled: all-or-nothing posts into a bounded outgoing buffer (`INSUFFICIENT_BUFFERS` when it has
/// no room, output untouched), PendingCount = the buffer's length, retrieves of at most Count bytes with
/// RemainingCount = the bytes still pending, `NO_DATA` with nothing pending, resets that purge and say
/// `NO_DATA` when nothing was purged. Not modelled: the access gates, LOOP waits, TEST_ACTIVITY, a bound
/// on the incoming buffer.
pub(super) struct Reference {
    outgoing: VecDeque<u8>,
    capacity: usize,
    incoming: VecDeque<u8>,
    received: Vec<u8>,
}

impl Reference {
    /// An outgoing buffer of `capacity` bytes.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            outgoing: VecDeque::new(),
            capacity,
            incoming: VecDeque::new(),
            received: Vec::new(),
        }
    }
}

impl Host for Reference {
    fn post(&mut self, data: &[u8], out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if data.len() > self.capacity - self.outgoing.len() {
            return HvStatus::INSUFFICIENT_BUFFERS;
        }
        self.outgoing.extend(data);
        put_u32(out, 0, self.outgoing.len() as u32);
        HvStatus::SUCCESS
    }

    fn retrieve(&mut self, count: u32, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if self.incoming.is_empty() {
            return HvStatus::NO_DATA;
        }
        let n = (count as usize).min(self.incoming.len());
        let data: Vec<u8> = self.incoming.drain(..n).collect();
        write_retrieved(out, n as u32, self.incoming.len() as u32, &data);
        HvStatus::SUCCESS
    }

    fn reset(&mut self, options: u64, _r8: u64, _out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if options == 0 || options > 3 {
            return HvStatus::INVALID_PARAMETER;
        }
        let mut purged = 0;
        if options & 1 != 0 {
            purged += self.incoming.len();
            self.incoming.clear();
        }
        if options & 2 != 0 {
            purged += self.outgoing.len();
            self.outgoing.clear();
        }
        if purged == 0 {
            HvStatus::NO_DATA
        } else {
            HvStatus::SUCCESS
        }
    }
}

impl Debugger for Reference {
    fn send_to_guest(&mut self, bytes: &[u8]) {
        self.incoming.extend(bytes);
    }
    fn take_received(&mut self) -> Vec<u8> {
        self.make_room();
        core::mem::take(&mut self.received)
    }
    fn make_room(&mut self) {
        self.received.extend(self.outgoing.drain(..));
    }
    fn has_data_for_guest(&self) -> bool {
        !self.incoming.is_empty()
    }
}

/// QEMU's `hv-syndbg` under KVM (Q, `hw/hyperv/syndbg.c`, `hw/hyperv/hyperv.c`): a connected UDP socket
/// and no buffers.
///
/// Modelled: a post of 0 bytes is `INSUFFICIENT_MEMORY` (#14); a post is parsed as `get_udb_pkt_data`
/// does (EtherType, protocol, IHL; the IPv4 and UDP lengths are not read) and a frame that is not UDP
/// is dropped (counted in `non_udp`) with a random status (#18); the UDP payload, `Count − 42` bytes,
/// becomes one datagram, or `sendto` fails with `INSUFFICIENT_MEMORY` as `send_failures` says; PendingCount
/// 0; the source address of the last frame becomes the target address. A retrieve ignores Count, reads
/// one datagram of at most 4054 bytes and returns it behind a rebuilt header (zero MACs, TTL 64, the host
/// address and port as source, the target address, the host port as destination port, the IPv4 and UDP
/// checksums as `net_checksum_calculate` computes them), writing past the page when it is longer than
/// 4088; RetrievedCount = datagram + 42, RemainingCount = Count − RetrievedCount in u32; with nothing
/// pending Retrieved 0, Remaining = Count and `NO_DATA` (#19-22). A reset purges nothing, ignores its
/// options and writes 24 bytes at R8 (#9, #29-31). Not modelled: the KVM gates, a datagram lost on the
/// network, the pending-page MSR.
pub(super) struct Qemu {
    pub(super) host_ip: [u8; 4],
    pub(super) host_port: u16,
    target_ip: [u8; 4],
    datagrams: Vec<Vec<u8>>,
    incoming: VecDeque<Vec<u8>>,
    /// For each `sendto`, whether it fails; an empty schedule succeeds.
    pub(super) send_failures: VecDeque<bool>,
    /// Posts dropped because they were not Ethernet/IPv4/UDP frames.
    pub(super) non_udp: usize,
    /// Where a reset wrote its 24-byte output, when that was not the output page.
    pub(super) stray_writes: Vec<u64>,
}

/// The most QEMU reads of one datagram: a page less the 42 header bytes (`syndbg.c` `data_buf`).
const QEMU_RECV_MAX: usize = 4096 - 42;

impl Qemu {
    pub(super) fn new() -> Self {
        Self {
            host_ip: [10, 0, 2, 2],
            host_port: 50000,
            target_ip: [0; 4],
            datagrams: Vec::new(),
            incoming: VecDeque::new(),
            send_failures: VecDeque::new(),
            non_udp: 0,
            stray_writes: Vec::new(),
        }
    }

    /// The datagrams the debugger has received, as sent.
    pub(super) fn datagrams(&self) -> &[Vec<u8>] {
        &self.datagrams
    }

    /// `get_udb_pkt_data`: the UDP payload's offset and the IPv4 source, or `None` for a frame that is
    /// not UDP over IPv4.
    fn udp_payload(frame: &[u8]) -> Option<(usize, [u8; 4])> {
        if frame.len() < 14 || frame[12..14] != [0x08, 0x00] {
            return None;
        }
        if frame.len() - 14 < 20 || frame[14 + 9] != 17 {
            return None;
        }
        let ip_header = usize::from(frame[14] & 0xF) * 4;
        let rest = (frame.len() - 14).checked_sub(ip_header)?;
        if rest < 8 {
            return None;
        }
        Some((14 + ip_header + 8, frame[26..30].try_into().unwrap()))
    }

    /// `create_udp_pkt`, written out field by field, with `net_checksum_calculate`'s checksums.
    fn frame(&self, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 42 + payload.len()];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f[16..18].copy_from_slice(&((28 + payload.len()) as u16).to_be_bytes());
        f[22] = 64;
        f[23] = 17;
        f[26..30].copy_from_slice(&self.host_ip);
        f[30..34].copy_from_slice(&self.target_ip);
        let ip_checksum = !ones_complement_sum(&f[14..34]);
        f[24..26].copy_from_slice(&ip_checksum.to_be_bytes());
        f[34..36].copy_from_slice(&self.host_port.to_be_bytes());
        f[36..38].copy_from_slice(&self.host_port.to_be_bytes());
        let udp_len = (8 + payload.len()) as u16;
        f[38..40].copy_from_slice(&udp_len.to_be_bytes());
        f[42..].copy_from_slice(payload);
        // net_checksum_tcpudp: the UDP header and data, the two addresses, protocol and length; no
        // 0 -> 0xFFFF substitution.
        let mut pseudo = f[26..34].to_vec();
        pseudo.extend_from_slice(&[0, 17]);
        pseudo.extend_from_slice(&udp_len.to_be_bytes());
        pseudo.extend_from_slice(&f[34..]);
        let udp_checksum = !ones_complement_sum(&pseudo);
        f[40..42].copy_from_slice(&udp_checksum.to_be_bytes());
        f
    }
}

/// The folded one's-complement sum of big-endian 16-bit words, an odd last byte padded with zero.
fn ones_complement_sum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in bytes.chunks(2) {
        let word = u32::from(pair[0]) << 8 | u32::from(*pair.get(1).unwrap_or(&0));
        sum += word;
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum as u16
}

impl Host for Qemu {
    fn post(&mut self, data: &[u8], out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if data.is_empty() {
            return HvStatus::INSUFFICIENT_MEMORY;
        }
        let Some((offset, source)) = Self::udp_payload(data) else {
            // `msg` is uninitialised stack: the PendingCount is garbage, and nonzero garbage becomes
            // INSUFFICIENT_BUFFERS.
            self.non_udp += 1;
            put_u32(out, 0, 0xDEAD_BEEF);
            return if self.non_udp % 2 == 0 {
                HvStatus::SUCCESS
            } else {
                HvStatus::INSUFFICIENT_BUFFERS
            };
        };
        if self.send_failures.pop_front() == Some(true) {
            return HvStatus::INSUFFICIENT_MEMORY;
        }
        self.target_ip = source;
        self.datagrams.push(data[offset..].to_vec());
        put_u32(out, 0, 0);
        HvStatus::SUCCESS
    }

    fn retrieve(&mut self, count: u32, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        match self.incoming.pop_front() {
            Some(mut datagram) if !datagram.is_empty() => {
                datagram.truncate(QEMU_RECV_MAX);
                let frame = self.frame(&datagram);
                let retrieved = frame.len() as u32;
                write_retrieved(out, retrieved, count.wrapping_sub(retrieved), &frame);
                HvStatus::SUCCESS
            }
            // A 0-byte datagram is consumed by recv() and looks like nothing.
            _ => {
                write_retrieved(out, 0, count, &[]);
                HvStatus::NO_DATA
            }
        }
    }

    fn reset(&mut self, _options: u64, r8: u64, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if r8 == OUTPUT_GPA {
            // `hyperv_reset_debug_session_output` (hyperv-proto.h): host_ip, target_ip, host_port,
            // target_port (host byte order; the target is the host), host_mac, target_mac (zero).
            let ip = u32::from_be_bytes(self.host_ip);
            put_u32(out, 0, ip);
            put_u32(out, 4, ip);
            out[8..10].copy_from_slice(&self.host_port.to_le_bytes());
            out[10..12].copy_from_slice(&self.host_port.to_le_bytes());
            out[12..24].fill(0);
        } else {
            self.stray_writes.push(r8);
        }
        HvStatus::SUCCESS
    }
}

impl Debugger for Qemu {
    fn send_to_guest(&mut self, bytes: &[u8]) {
        self.incoming.push_back(bytes.to_vec());
    }
    fn take_received(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.datagrams).concat()
    }
    fn make_room(&mut self) {}
    fn has_data_for_guest(&self) -> bool {
        self.incoming.iter().any(|d| !d.is_empty())
    }
}

/// VirtualBox's GIM Hyper-V provider (V, `GIMHv.cpp`) passing raw bytes to and from its debug stream.
///
/// Modelled: a post is written whole, PendingCount 0; a failed write (as `write_failures` says) is
/// `INSUFFICIENT_BUFFER` (0x33, `GIM_HV_STATUS_INSUFFICIENT_BUFFER`) with the previous PendingCount
/// written back (#16-17); a retrieve writes
/// Retrieved 0 and Remaining = Count first, then returns one buffered chunk whole, not bounded by Count
/// (written past the page when longer than 4088), with RemainingCount = Count − RetrievedCount in u32,
/// or `NO_DATA` (#20-22); a reset purges nothing (#29). Not modelled: the vendor "Microsoft Hv" that the
/// debug calls need, and the UDP framing it brings (see the transport's module documentation); a short
/// write, which sends part of the post and still fails it; Count above 4088, Count 0 and TEST_ACTIVITY,
/// which the transport never sends.
pub(super) struct VirtualBox {
    written: Vec<u8>,
    pending_out: u32,
    incoming: VecDeque<Vec<u8>>,
    /// For each write to the stream, whether it fails; an empty schedule succeeds.
    pub(super) write_failures: VecDeque<bool>,
}

impl VirtualBox {
    pub(super) fn new() -> Self {
        Self {
            written: Vec::new(),
            pending_out: 0,
            incoming: VecDeque::new(),
            write_failures: VecDeque::new(),
        }
    }
}

impl Host for VirtualBox {
    fn post(&mut self, data: &[u8], out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if self.write_failures.pop_front() == Some(true) {
            put_u32(out, 0, self.pending_out);
            return HvStatus::INSUFFICIENT_BUFFER;
        }
        self.written.extend_from_slice(data);
        self.pending_out = 0;
        put_u32(out, 0, 0);
        HvStatus::SUCCESS
    }

    fn retrieve(&mut self, count: u32, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        write_retrieved(out, 0, count, &[]);
        match self.incoming.pop_front() {
            Some(chunk) => {
                let retrieved = chunk.len() as u32;
                write_retrieved(out, retrieved, count.wrapping_sub(retrieved), &chunk);
                HvStatus::SUCCESS
            }
            None => HvStatus::NO_DATA,
        }
    }

    fn reset(&mut self, options: u64, _r8: u64, _out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        if options as u32 == 0 {
            HvStatus::INVALID_PARAMETER
        } else {
            HvStatus::SUCCESS
        }
    }
}

impl Debugger for VirtualBox {
    fn send_to_guest(&mut self, bytes: &[u8]) {
        // The stream delivers bytes, never an empty chunk.
        if !bytes.is_empty() {
            self.incoming.push_back(bytes.to_vec());
        }
    }
    fn take_received(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.written)
    }
    fn make_room(&mut self) {}
    fn has_data_for_guest(&self) -> bool {
        !self.incoming.is_empty()
    }
}

/// A host that answers each call with the next scripted status and output page bytes, whatever they
/// are: for hostile and failing answers.
pub(super) struct Scripted {
    pub(super) answers: VecDeque<(HvStatus, Vec<u8>)>,
}

impl Scripted {
    fn answer(&mut self, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        let (status, bytes) = self.answers.pop_front().expect("a scripted answer for every call");
        let n = bytes.len().min(PAGE_SIZE);
        out[..n].copy_from_slice(&bytes[..n]);
        status
    }
}

impl Host for Scripted {
    fn post(&mut self, _data: &[u8], out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        self.answer(out)
    }
    fn retrieve(&mut self, _count: u32, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        self.answer(out)
    }
    fn reset(&mut self, _options: u64, _r8: u64, out: &mut [u8; PAGE_SIZE]) -> HvStatus {
        self.answer(out)
    }
}
