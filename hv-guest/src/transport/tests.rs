//! The transport against fake hosts that behave like the reference, QEMU and VirtualBox
//! ([`hosts`]): byte streams both ways, and each host's odd answers.

extern crate std;

mod hosts;

use std::collections::VecDeque;
use std::vec;
use std::vec::Vec;

use hv_abi::{CallCode, HvStatus};
use proptest::prelude::*;

use super::udp::{self, Endpoint, FrameError};
use super::{Framing, Raw, Stats, Transport, TransportError, Udp};
use crate::ParameterPages;
use hosts::{Debugger, Fake, Qemu, Reference, Scripted, VirtualBox};

const GUEST: Endpoint = Endpoint {
    mac: [2, 0, 0, 0, 0, 1],
    ip: [10, 0, 2, 15],
    port: 50001,
};
const DEBUGGER: Endpoint = Endpoint {
    mac: [0; 6],
    ip: [10, 0, 2, 2],
    port: 50000,
};

fn udp() -> Udp {
    Udp::new(GUEST, DEBUGGER)
}

/// Byte `i` of a stream: no period a reordering or a repeat could hide in.
fn stream_byte(seed: u32, i: usize) -> u8 {
    ((i as u32 ^ seed).wrapping_mul(0x9E37_79B1) >> 24) as u8
}

fn stream(seed: u32, range: core::ops::Range<usize>) -> Vec<u8> {
    range.map(|i| stream_byte(seed, i)).collect()
}

/// One step of a conversation.
#[derive(Clone, Debug)]
enum Op {
    /// The guest sends this many bytes (offering the rest again until all went).
    GuestSends(usize),
    /// The debugger sends this many bytes as one datagram or write.
    DebuggerSends(usize),
    /// The guest calls `recv` with a buffer of this size.
    GuestReads(usize),
}

fn ops(max_datagram: usize) -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (0usize..10_000).prop_map(Op::GuestSends),
        (0..=max_datagram).prop_map(Op::DebuggerSends),
        (0usize..5000).prop_map(Op::GuestReads),
    ];
    proptest::collection::vec(op, 0..24)
}

/// Sends `data` whole, making room at the host whenever the transport says it had none.
fn send_all<H: Debugger, F: Framing>(t: &mut Transport<Fake<H>, F>, data: &[u8]) -> Result<(), TestCaseError> {
    let mut rest = data;
    for _ in 0..1000 {
        let n = t
            .send(rest)
            .map_err(|e| TestCaseError::fail(std::format!("send: {e}")))?;
        prop_assert!(n <= rest.len());
        rest = &rest[n..];
        if rest.is_empty() {
            return Ok(());
        }
        t.vp_mut().host.make_room();
    }
    Err(TestCaseError::fail("send made no progress"))
}

/// Runs `ops`, then drains both directions, and checks that each side got the other's stream intact
/// and in order.
fn converse<H: Debugger, F: Framing>(t: &mut Transport<Fake<H>, F>, ops: &[Op]) -> Result<(), TestCaseError> {
    let (mut sent_up, mut sent_down) = (0, 0);
    let (mut got_up, mut got_down) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 10_000];
    for op in ops {
        match *op {
            Op::GuestSends(n) => {
                send_all(t, &stream(1, sent_up..sent_up + n))?;
                sent_up += n;
            }
            Op::DebuggerSends(n) => {
                t.vp_mut().host.send_to_guest(&stream(2, sent_down..sent_down + n));
                sent_down += n;
            }
            Op::GuestReads(n) => {
                let got = t
                    .recv(&mut buf[..n])
                    .map_err(|e| TestCaseError::fail(std::format!("recv: {e}")))?;
                prop_assert!(got <= n);
                got_down.extend_from_slice(&buf[..got]);
            }
        }
        got_up.extend(t.vp_mut().host.take_received());
    }
    // Read until the host has nothing more and the transport holds nothing back.
    for _ in 0..10_000 {
        let got = t
            .recv(&mut buf[..997])
            .map_err(|e| TestCaseError::fail(std::format!("recv: {e}")))?;
        got_down.extend_from_slice(&buf[..got]);
        if got == 0 && !t.vp().host.has_data_for_guest() && t.buffered() == 0 {
            break;
        }
    }
    got_up.extend(t.vp_mut().host.take_received());
    prop_assert_eq!(got_up.len(), sent_up, "guest to debugger: length");
    prop_assert!(got_up == stream(1, 0..sent_up), "guest to debugger: contents");
    prop_assert_eq!(got_down.len(), sent_down, "debugger to guest: length");
    prop_assert!(got_down == stream(2, 0..sent_down), "debugger to guest: contents");
    let stats = t.stats();
    prop_assert_eq!((stats.dropped, stats.oversized, stats.last_drop), (0, 0, None));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_reference_carries_streams_both_ways(ops in ops(10_000), capacity in 4088usize..12_000) {
        let mut t = Transport::new(Fake::new(Reference::new(capacity)), Raw);
        converse(&mut t, &ops)?;
    }

    #[test]
    fn qemu_carries_streams_both_ways(
        ops in ops(Udp::MAX_PAYLOAD),
        failures in proptest::collection::vec(proptest::bool::weighted(0.2), 0..40),
    ) {
        let mut qemu = Qemu::new();
        qemu.send_failures = VecDeque::from(failures);
        let mut t = Transport::new(Fake::new(qemu), udp());
        converse(&mut t, &ops)?;
        let qemu = &t.vp().host;
        prop_assert_eq!(qemu.non_udp, 0, "every post was a UDP frame");
        prop_assert!(qemu.datagrams().is_empty());
    }

    #[test]
    fn virtualbox_carries_streams_both_ways(
        ops in ops(4088),
        failures in proptest::collection::vec(proptest::bool::weighted(0.2), 0..40),
    ) {
        let mut vbox = VirtualBox::new();
        vbox.write_failures = VecDeque::from(failures);
        let mut t = Transport::new(Fake::new(vbox), Raw);
        converse(&mut t, &ops)?;
    }

    /// Whatever a host answers (status, RetrievedCount, RemainingCount, data), `recv` does not panic,
    /// delivers no more than the buffer or the page, and accounts for the datagram.
    #[test]
    fn recv_survives_any_answer(
        status in 0u16..0x40,
        retrieved in prop_oneof![0u32..5000, any::<u32>()],
        remaining in any::<u32>(),
        data in proptest::collection::vec(any::<u8>(), 0..4100),
        buf_len in 0usize..5000,
        framed in any::<bool>(),
    ) {
        let mut page = retrieved.to_le_bytes().to_vec();
        page.extend_from_slice(&remaining.to_le_bytes());
        page.extend_from_slice(&data);
        let status = HvStatus::from_bits(status);
        let host = Scripted { answers: VecDeque::from([(status, page)]) };
        let mut buf = vec![0u8; buf_len];
        let (got, stats) = if framed {
            let mut t = Transport::new(Fake::new(host), udp());
            (t.recv(&mut buf), t.stats())
        } else {
            let mut t = Transport::new(Fake::new(host), Raw);
            (t.recv(&mut buf), t.stats())
        };
        if buf_len == 0 {
            prop_assert_eq!(got, Ok(0));
            return Ok(());
        }
        match status {
            HvStatus::SUCCESS => {
                let n = got.unwrap();
                prop_assert!(n <= buf_len && n <= 4088 && n <= retrieved as usize);
                prop_assert_eq!(stats.oversized, u64::from(retrieved > 4088));
                let accounted = stats.received + stats.dropped;
                prop_assert_eq!(accounted, u64::from(retrieved != 0));
                if !framed {
                    let copied = n.min(data.len());
                    prop_assert_eq!(&buf[..copied], &data[..copied]);
                }
            }
            HvStatus::NO_DATA => prop_assert_eq!(got, Ok(0)),
            _ => prop_assert_eq!(got.map_err(|e| match e {
                TransportError::Retrieve { status } => status.status(),
                _ => HvStatus::SUCCESS,
            }), Err(status)),
        }
    }
}

#[test]
fn send_posts_one_datagram_per_chunk_of_the_framings_payload() {
    let mut t = Transport::new(Fake::new(Qemu::new()), udp());
    let data = stream(3, 0..10_000);
    assert_eq!(t.send(&data), Ok(10_000));
    let sizes: Vec<usize> = t.vp().host.datagrams().iter().map(Vec::len).collect();
    assert_eq!(sizes, [4046, 4046, 1908]);
    assert_eq!(t.vp().host.datagrams().concat(), data);
    assert_eq!(t.stats().sent, 3);

    let mut t = Transport::new(Fake::new(Reference::new(100_000)), Raw);
    assert_eq!(t.send(&data), Ok(10_000));
    assert_eq!(t.vp().count(CallCode::POST_DEBUG_DATA), 3, "4088 + 4088 + 1824");
    assert_eq!(t.send(&[]), Ok(0));
    assert_eq!(t.vp().calls.len(), 3, "nothing to send is no hypercall");
}

#[test]
fn send_stops_where_the_host_had_no_room() {
    // The reference's outgoing buffer holds 5000 bytes: the second chunk does not fit.
    let mut t = Transport::new(Fake::new(Reference::new(5000)), Raw);
    let data = stream(4, 0..9000);
    assert_eq!(t.send(&data), Ok(4088));
    assert_eq!((t.stats().sent, t.stats().busy), (1, 1));
    t.vp_mut().host.make_room();
    assert_eq!(t.send(&data[4088..]), Ok(4912));
    assert_eq!(t.vp_mut().host.take_received(), data);

    // QEMU's sendto fails: INSUFFICIENT_MEMORY, nothing sent.
    let mut qemu = Qemu::new();
    qemu.send_failures = VecDeque::from([false, true]);
    let mut t = Transport::new(Fake::new(qemu), udp());
    assert_eq!(t.send(&data), Ok(4046));
    assert_eq!(t.send(&data[4046..]), Ok(4954));
    assert_eq!(t.vp_mut().host.take_received(), data);
    assert_eq!((t.stats().sent, t.stats().busy), (3, 1));
}

#[test]
fn a_failed_post_says_which_status_after_how_many_bytes() {
    let ok = (HvStatus::SUCCESS, vec![0xFF; 4]);
    let denied = (HvStatus::ACCESS_DENIED, vec![]);
    let host = Scripted {
        answers: VecDeque::from([ok, denied]),
    };
    let mut t = Transport::new(Fake::new(host), Raw);
    let err = t.send(&[1; 5000]).unwrap_err();
    let status = HvStatus::ACCESS_DENIED.result().unwrap_err();
    assert_eq!(err, TransportError::Post { status, sent: 4088 });
    assert_eq!(
        std::format!("{err}"),
        std::format!("HvPostDebugData failed after 4088 bytes were sent: {status}")
    );
}

#[test]
fn a_framing_that_cannot_carry_a_chunk_is_an_encode_error() {
    /// Claims 4088 bytes a post but adds a UDP header: the second chunk does not fit the page.
    struct Oversold(Udp);
    impl Framing for Oversold {
        const MAX_PAYLOAD: usize = 4088;
        fn encode<'a>(&'a mut self, payload: &'a [u8]) -> Result<&'a [u8], FrameError> {
            self.0.encode(payload)
        }
        fn decode(&self, datagram: &[u8]) -> Result<core::ops::Range<usize>, FrameError> {
            self.0.decode(datagram)
        }
    }
    let mut t = Transport::new(Fake::new(Qemu::new()), Oversold(udp()));
    assert_eq!(t.send(&[0; 10]), Ok(10), "a short chunk fits");
    let err = t.send(&[0; 5000]).unwrap_err();
    let error = FrameError::BufferTooSmall {
        needed: 4130,
        len: 4088,
    };
    assert_eq!(err, TransportError::Encode { error, sent: 0 });
    assert_eq!(
        std::format!("{err}"),
        "a chunk could not be framed after 0 bytes were sent: the frame needs 4130 bytes, the buffer has 4088"
    );
}

#[test]
fn recv_keeps_the_rest_of_a_datagram_for_the_next_calls() {
    let mut t = Transport::new(Fake::new(Qemu::new()), udp());
    let first = stream(5, 0..3000);
    let second = stream(5, 3000..3100);
    t.vp_mut().host.send_to_guest(&first);
    t.vp_mut().host.send_to_guest(&second);
    let mut got = Vec::new();
    let mut buf = [0u8; 1000];
    for expected_buffered in [2000, 1000, 0] {
        assert_eq!(t.recv(&mut buf), Ok(1000));
        got.extend_from_slice(&buf);
        assert_eq!(t.buffered(), expected_buffered);
    }
    assert_eq!(
        t.vp().count(CallCode::RETRIEVE_DEBUG_DATA),
        1,
        "one datagram, one retrieve"
    );
    assert_eq!(t.recv(&mut buf), Ok(100));
    got.extend_from_slice(&buf[..100]);
    assert_eq!(got, [first, second].concat());
    assert_eq!(t.recv(&mut buf), Ok(0), "NO_DATA");
    assert_eq!(t.recv(&mut []), Ok(0));
    assert_eq!(
        t.vp().count(CallCode::RETRIEVE_DEBUG_DATA),
        3,
        "an empty buffer retrieves nothing"
    );
    assert_eq!(t.stats().received, 2);
}

#[test]
fn a_datagram_qemu_writes_past_the_page_is_dropped_and_counted() {
    let mut t = Transport::new(Fake::new(Qemu::new()), udp());
    // 4054 bytes: QEMU writes 4096 bytes from offset 8, 8 past the page, and reports 4096.
    t.vp_mut().host.send_to_guest(&[7; 4054]);
    t.vp_mut().host.send_to_guest(b"next");
    let mut buf = [0u8; 5000];
    assert_eq!(t.recv(&mut buf), Ok(0));
    let stats = t.stats();
    assert_eq!((stats.oversized, stats.dropped, stats.received), (1, 1, 0));
    assert_eq!(
        stats.last_drop,
        Some(FrameError::Ipv4Length {
            total_length: 4082,
            frame_len: 4088
        })
    );
    assert_eq!(
        u32::from_le_bytes(t.vp().output_page()[4..8].try_into().unwrap()),
        4088u32.wrapping_sub(4096)
    );
    assert_eq!(t.recv(&mut buf), Ok(4), "the stream goes on");
    assert_eq!(&buf[..4], b"next");
}

#[test]
fn a_retrieved_frame_that_does_not_parse_is_dropped_and_counted() {
    let mut frame = vec![0u8; 4 + 4 + 60];
    frame[..4].copy_from_slice(&60u32.to_le_bytes());
    frame[8 + 12..8 + 14].copy_from_slice(&[0x08, 0x06]); // ARP
    let host = Scripted {
        answers: VecDeque::from([(HvStatus::SUCCESS, frame)]),
    };
    let mut t = Transport::new(Fake::new(host), udp());
    assert_eq!(t.recv(&mut [0; 100]), Ok(0));
    assert_eq!(
        t.stats(),
        Stats {
            dropped: 1,
            last_drop: Some(FrameError::NotIpv4 { ethertype: 0x0806 }),
            ..Stats::default()
        }
    );
}

#[test]
fn reset_drops_the_rest_and_qemu_writes_its_output_into_the_output_page() {
    let mut t = Transport::new(Fake::new(Qemu::new()), udp());
    t.vp_mut().host.send_to_guest(b"stale datagram");
    t.vp_mut().host.send_to_guest(b"sent before the reset");
    let mut buf = [0u8; 5];
    assert_eq!(t.recv(&mut buf), Ok(5));
    assert_eq!(t.reset(), Ok(()));
    assert_eq!(t.buffered(), 0, "the rest of the datagram is gone");
    assert!(
        t.vp().host.stray_writes.is_empty(),
        "QEMU wrote at R8 = the output page"
    );
    assert_eq!(&t.vp().output_page()[..4], &0x0A00_0202u32.to_le_bytes());
    // QEMU purges nothing: what the debugger sent before the reset still arrives.
    let mut buf = [0u8; 100];
    assert_eq!(t.recv(&mut buf), Ok(21));
    assert_eq!(&buf[..21], b"sent before the reset");
}

#[test]
fn reset_on_the_reference_purges_and_nothing_to_purge_is_success() {
    let mut t = Transport::new(Fake::new(Reference::new(10_000)), Raw);
    t.vp_mut().host.send_to_guest(b"old");
    assert_eq!(t.send(b"unread"), Ok(6));
    assert_eq!(t.reset(), Ok(()));
    assert_eq!(t.vp_mut().host.take_received(), b"", "purged");
    assert_eq!(t.recv(&mut [0; 10]), Ok(0), "purged");
    assert_eq!(t.reset(), Ok(()), "NO_DATA: nothing to purge");

    let host = Scripted {
        answers: VecDeque::from([(HvStatus::INVALID_PARAMETER, vec![])]),
    };
    let mut t = Transport::new(Fake::new(host), Raw);
    let status = HvStatus::INVALID_PARAMETER.result().unwrap_err();
    assert_eq!(t.reset(), Err(TransportError::Reset { status }));
}

#[test]
fn raw_posts_are_lost_on_qemu_so_it_needs_udp_framing() {
    let mut t = Transport::new(Fake::new(Qemu::new()), Raw);
    let _ = t.send(&stream(6, 0..100));
    assert_eq!(t.vp().host.non_udp, 1);
    assert!(t.vp().host.datagrams().is_empty());
}

#[test]
fn a_failed_retrieve_says_which_status() {
    let host = Scripted {
        answers: VecDeque::from([(HvStatus::ACCESS_DENIED, vec![])]),
    };
    let mut t = Transport::new(Fake::new(host), Raw);
    let status = HvStatus::ACCESS_DENIED.result().unwrap_err();
    let err = t.recv(&mut [0; 8]).unwrap_err();
    assert_eq!(err, TransportError::Retrieve { status });
    assert_eq!(
        std::format!("{err}"),
        std::format!("HvRetrieveDebugData failed: {status}")
    );
}

#[test]
fn udp_frames_carry_the_endpoints() {
    let mut t = Transport::new(
        Fake::new(Scripted {
            answers: VecDeque::from([(HvStatus::SUCCESS, vec![0; 4])]),
        }),
        udp(),
    );
    assert_eq!(t.send(b"x"), Ok(1));
    let posted = &ParameterPages::input(t.vp_mut())[8..8 + udp::HEADER_LEN + 1];
    let frame = udp::parse(posted).unwrap();
    assert_eq!((frame.src, frame.dst, frame.payload), (GUEST, DEBUGGER, &b"x"[..]));
}
