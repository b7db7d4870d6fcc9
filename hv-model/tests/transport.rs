//! `hv-guest`'s debug transport on every real host's profile of the model: random byte streams sent both
//! ways (the guest's in chunks through `Transport::send`, the debugger's as datagrams through the
//! partition's host end) arrive intact and in order, whatever each host does with PendingCount,
//! RemainingCount, Count, framing and waits. Raw on the hosts that carry bytes as they are, UDP-framed on
//! QEMU and VirtualBox.

mod common;

use common::{DEBUGGER, GUEST};
use hv_abi::{PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_guest::transport::{Framing, Raw, Transport, Udp};
use hv_model::guest::{GuestVp, ModelVp};
use hv_model::hosts::{Host, Profile};
use hv_model::{Config, Hypervisor};
use proptest::prelude::*;

/// One step of a session.
#[derive(Clone, Debug)]
enum Step {
    /// The guest sends this many bytes.
    GuestSends(usize),
    /// The debugger sends one datagram of this many bytes.
    DebuggerSends(usize),
    /// The guest reads into a buffer of this size.
    GuestReads(usize),
    /// The debugger reads up to this many bytes.
    DebuggerReads(usize),
}

fn steps(max_datagram: usize) -> impl Strategy<Value = Vec<Step>> {
    proptest::collection::vec(
        prop_oneof![
            (0usize..9000).prop_map(Step::GuestSends),
            (1usize..=max_datagram).prop_map(Step::DebuggerSends),
            (1usize..6000).prop_map(Step::GuestReads),
            (1usize..20_000).prop_map(Step::DebuggerReads),
        ],
        1..24,
    )
}

/// Both streams, as each end saw them.
#[derive(Default)]
struct Streams {
    guest_sent: Vec<u8>,
    debugger_got: Vec<u8>,
    debugger_sent: Vec<u8>,
    guest_got: Vec<u8>,
    next: u8,
}

impl Streams {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.next = self.next.wrapping_add(7);
                self.next
            })
            .collect()
    }
}

fn session<F: Framing>(host: Host, framing: F, steps: &[Step]) -> Result<(), TestCaseError> {
    let config = Config {
        profile: Profile::of(host),
        ..Config::default()
    };
    let mut hv = Hypervisor::new(config).expect("a valid configuration");
    let p = hv
        .create_partition(PartitionPrivileges::DEBUGGING, 1)
        .expect("a partition");
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2)
        .expect("a channel id");
    let vp = GuestVp::new(&mut hv, p, VpIndex(0), 0x1000, 0x2000).expect("the parameter pages");
    let mut transport = Transport::new(vp.on(&mut hv), framing);
    let mut s = Streams::default();
    let mut pending_out: Vec<u8> = Vec::new();
    let debugger_read = |t: &mut Transport<ModelVp<'_>, F>, s: &mut Streams, n: usize| {
        let mut buf = vec![0u8; n];
        let got = t.vp_mut().hypervisor().receive(p, &mut buf).expect("the host end");
        s.debugger_got.extend_from_slice(&buf[..got]);
    };
    for step in steps {
        match *step {
            Step::GuestSends(n) => {
                let data = s.bytes(n);
                pending_out.extend_from_slice(&data);
                s.guest_sent.extend_from_slice(&data);
            }
            Step::DebuggerSends(n) => {
                let data = s.bytes(n);
                let dropped = transport.vp_mut().hypervisor().deliver(p, &data).expect("the host end");
                // What a full incoming side had no room for is dropped on arrival (and counted); the
                // stream is what got in.
                s.debugger_sent.extend_from_slice(&data[..data.len() - dropped]);
            }
            Step::GuestReads(n) => {
                let mut buf = vec![0u8; n];
                let got = transport
                    .recv(&mut buf)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                s.guest_got.extend_from_slice(&buf[..got]);
            }
            Step::DebuggerReads(n) => debugger_read(&mut transport, &mut s, n),
        }
        // The guest keeps sending what it has not sent yet.
        let sent = transport
            .send(&pending_out)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        pending_out.drain(..sent);
    }
    // Drain both ways.
    for _ in 0..64 {
        debugger_read(&mut transport, &mut s, 64 * 1024);
        let sent = transport
            .send(&pending_out)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        pending_out.drain(..sent);
        let mut buf = vec![0u8; 8192];
        let got = transport
            .recv(&mut buf)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        s.guest_got.extend_from_slice(&buf[..got]);
        if pending_out.is_empty() && got == 0 && s.guest_got.len() == s.debugger_sent.len() {
            break;
        }
    }
    debugger_read(&mut transport, &mut s, 64 * 1024);
    prop_assert!(pending_out.is_empty(), "{} bytes never sent", pending_out.len());
    prop_assert!(
        s.debugger_got == s.guest_sent,
        "guest -> debugger: {} of {} bytes, or out of order",
        s.debugger_got.len(),
        s.guest_sent.len()
    );
    prop_assert!(
        s.guest_got == s.debugger_sent,
        "debugger -> guest: {} of {} bytes, or out of order",
        s.guest_got.len(),
        s.debugger_sent.len()
    );
    prop_assert_eq!(transport.stats().dropped, 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_byte_stream_arrives_intact_on_the_reference(steps in steps(4088)) {
        session(Host::Reference, Raw, &steps)?;
    }

    #[test]
    fn a_byte_stream_arrives_intact_on_kvm(steps in steps(4088)) {
        session(Host::Kvm, Raw, &steps)?;
    }

    #[test]
    fn a_byte_stream_arrives_intact_on_qemu_under_kvm(steps in steps(4046)) {
        session(Host::QemuKvm, Udp::new(GUEST, DEBUGGER), &steps)?;
    }

    /// VirtualBox forwards only frames whose UDP ports are both 0.
    #[test]
    fn a_byte_stream_arrives_intact_on_virtualbox(steps in steps(4046)) {
        let (mut guest, mut debugger) = (GUEST, DEBUGGER);
        (guest.port, debugger.port) = (0, 0);
        session(Host::VirtualBox, Udp::new(guest, debugger), &steps)?;
    }
}
