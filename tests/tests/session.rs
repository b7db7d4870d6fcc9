//! End to end: a guest posts, the engine reads, the host breaks in, the guest retrieves the break-in,
//! the partition resets (REBOOT, buffers purged), HvResetDebugSession finds nothing to purge, the session
//! goes on, and the engine detaches.

use hv_abi::debug::{
    DebugChannelId, DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, MuxPacketHeader, MuxPacketType,
};
use hv_abi::{HvStatus, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_guest::debug::{DebugCalls, Retrieved};
use hv_model::engine::{EndSessionFlags, Engine, EngineError, Event, EventInterest, SessionStatus, TraceOnly};
use hv_model::guest::GuestVp;
use hv_model::{Config, Hypervisor, PartitionState};
use zerocopy::{FromBytes, IntoBytes};

/// The session-status values in a trace, in order.
fn statuses(trace: &[Event]) -> Vec<SessionStatus> {
    trace
        .iter()
        .filter_map(|e| {
            if let Event::SessionStatus { status, .. } = e {
                Some(*status)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn a_debug_session_from_attach_to_detach() {
    let channel = DebugChannelId(2);
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(channel.0))
        .unwrap();
    let guest = GuestVp::new(&mut hv, p, VpIndex(0), 0x10_000, 0x11_000).unwrap();
    let mut engine = Engine::new();
    engine
        .register_callbacks(Box::new(TraceOnly(EventInterest::SESSION_STATUS)))
        .unwrap();
    engine.attach(&hv, p).unwrap();

    // The guest posts; the engine reads exactly that.
    assert_eq!(
        guest.on(&mut hv).post(b"KD: state change", DebugPostOptions::empty()),
        Ok(16)
    );
    let mut buf = [0u8; 64];
    let n = engine.read(&mut hv, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"KD: state change");

    // The host breaks in; the guest retrieves the break-in packet.
    engine
        .send(&mut hv, MuxPacketHeader::break_in(channel).as_bytes())
        .unwrap();
    let mut got = [0u8; 4088];
    let r = guest
        .on(&mut hv)
        .retrieve(&mut got, DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY, 0)
        .unwrap();
    assert_eq!(
        r,
        Retrieved {
            retrieved: 16,
            remaining: 0
        }
    );
    let (packet, _) = MuxPacketHeader::read_from_prefix(&got[..]).unwrap();
    assert_eq!(
        (packet.packet_type, packet.channel.get()),
        (MuxPacketType::BREAKIN, channel.0)
    );

    // Data in flight both ways, then the partition resets: REBOOT, buffers purged, session goes on.
    guest.on(&mut hv).post(b"unsent", DebugPostOptions::empty()).unwrap();
    engine.send(&mut hv, b"unread").unwrap();
    let event = hv.reset(p).unwrap();
    engine.on_event(&hv, &event);
    assert_eq!(
        statuses(engine.trace()),
        [SessionStatus::Active, SessionStatus::Reboot, SessionStatus::Active]
    );
    let (inc, out) = hv.accounting(p).unwrap();
    assert_eq!((inc.pending, inc.purged, out.pending, out.purged), (0, 6, 0, 6));

    // Nothing left to purge.
    let purge_all = DebugPurgeOptions::PURGE_INCOMING_DATA | DebugPurgeOptions::PURGE_OUTGOING_DATA;
    assert_eq!(
        guest.on(&mut hv).reset(purge_all).unwrap_err().status(),
        HvStatus::NO_DATA
    );

    // The session goes on.
    assert_eq!(engine.session(), Some(p));
    guest
        .on(&mut hv)
        .post(b"after reboot", DebugPostOptions::empty())
        .unwrap();
    let n = engine.read(&mut hv, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"after reboot");

    engine.end_session(&mut hv, EndSessionFlags::ActiveDetach).unwrap();
    assert_eq!(
        statuses(engine.trace()).last(),
        Some(&SessionStatus::EndSessionActiveDetach)
    );
    assert_eq!(
        hv.partition(p).unwrap().state(),
        PartitionState::Running,
        "detach leaves the partition running"
    );
    assert_eq!(engine.read(&mut hv, &mut buf).unwrap_err(), EngineError::NoSession);
    let (inc, out) = hv.accounting(p).unwrap();
    assert!(inc.balanced() && out.balanced());
}
