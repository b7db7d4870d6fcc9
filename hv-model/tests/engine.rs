//! The debugger engine: the full ordered trace for every SessionStatus value, interest masks per
//! callback, failing callbacks, extensions without a notify entry, and the value types' conversions.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use hv_abi::{HvStatus, PartitionId, PartitionPrivileges, PartitionPropertyCode};
use hv_model::engine::{
    CallbackError, ChangeDebuggeeState, ChangeEngineState, DEBUG_STATUS_NO_DEBUGGEE, EndSessionFlags, Engine,
    EngineError, Event, EventCallbacks, EventInterest, Extension, NotifySession, SessionStatus, UnknownValue,
};
use hv_model::{Config, Hypervisor, PartitionState};

const E_FAIL: CallbackError = CallbackError(0x8000_4005_u32 as i32);

/// What the callback objects themselves saw, to check that the trace is what they were called with.
type Log = Arc<Mutex<Vec<String>>>;

struct Recorder {
    name: &'static str,
    mask: EventInterest,
    fail_status: bool,
    mask_reads: Arc<AtomicU32>,
    log: Log,
}

impl EventCallbacks for Recorder {
    fn interest_mask(&self) -> Result<EventInterest, CallbackError> {
        self.mask_reads.fetch_add(1, Ordering::Relaxed);
        Ok(self.mask)
    }
    fn session_status(&mut self, status: SessionStatus) -> Result<(), CallbackError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}.session_status({})", self.name, status.name()));
        if self.fail_status { Err(E_FAIL) } else { Ok(()) }
    }
    fn change_debuggee_state(&mut self, flags: ChangeDebuggeeState, argument: u64) -> Result<(), CallbackError> {
        self.log.lock().unwrap().push(format!(
            "{}.change_debuggee_state({:#x}, {argument})",
            self.name,
            flags.bits()
        ));
        Ok(())
    }
    fn change_engine_state(&mut self, flags: ChangeEngineState, argument: u64) -> Result<(), CallbackError> {
        self.log.lock().unwrap().push(format!(
            "{}.change_engine_state({:#x}, {argument})",
            self.name,
            flags.bits()
        ));
        Ok(())
    }
}

struct Ext {
    name: &'static str,
    notify: bool,
    log: Log,
}

impl Extension for Ext {
    fn has_notify(&self) -> bool {
        self.notify
    }
    fn notify(&mut self, notify: NotifySession, argument: u64) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}.notify({}, {argument})", self.name, notify.name()));
    }
}

struct Setup {
    hv: Hypervisor,
    p: PartitionId,
    engine: Engine,
    log: Log,
}

/// Callbacks: 0 wants all three, 1 only SESSION_STATUS, 2 only the two change events.
/// Extensions: 0 and 2 export a notify entry, 1 does not.
fn setup() -> Setup {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
    let log = Log::default();
    let mut engine = Engine::new();
    let masks = [
        EventInterest::SESSION_STATUS | EventInterest::CHANGE_DEBUGGEE_STATE | EventInterest::CHANGE_ENGINE_STATE,
        EventInterest::SESSION_STATUS | EventInterest::BREAKPOINT,
        EventInterest::CHANGE_DEBUGGEE_STATE | EventInterest::CHANGE_ENGINE_STATE,
    ];
    for (name, mask) in ["cb0", "cb1", "cb2"].into_iter().zip(masks) {
        let r = Recorder {
            name,
            mask,
            fail_status: false,
            mask_reads: Arc::default(),
            log: log.clone(),
        };
        engine.register_callbacks(Box::new(r)).unwrap();
    }
    for (name, notify) in [("ext0", true), ("ext1", false), ("ext2", true)] {
        engine.load_extension(Box::new(Ext {
            name,
            notify,
            log: log.clone(),
        }));
    }
    Setup { hv, p, engine, log }
}

fn active_trace() -> Vec<Event> {
    let ss = |callbacks| Event::SessionStatus {
        callbacks,
        status: SessionStatus::Active,
        result: Ok(()),
    };
    let cds = |callbacks| Event::ChangeDebuggeeState {
        callbacks,
        flags: ChangeDebuggeeState::ALL,
        argument: 0,
        result: Ok(()),
    };
    let notify = |extension| Event::ExtensionNotify {
        extension,
        notify: NotifySession::Active,
        argument: 0,
    };
    vec![ss(0), ss(1), notify(0), notify(2), cds(0), cds(2)]
}

fn ending_trace(status: SessionStatus) -> Vec<Event> {
    let ces = |callbacks| Event::ChangeEngineState {
        callbacks,
        flags: ChangeEngineState::EXECUTION_STATUS,
        argument: DEBUG_STATUS_NO_DEBUGGEE,
        result: Ok(()),
    };
    let ss = |callbacks| Event::SessionStatus {
        callbacks,
        status,
        result: Ok(()),
    };
    let notify = |extension| Event::ExtensionNotify {
        extension,
        notify: NotifySession::Inactive,
        argument: 0,
    };
    vec![ces(0), ces(2), ss(0), ss(1), notify(0), notify(2)]
}

/// Attaches, clears the trace, and returns the set-up with an active session.
fn attached() -> Setup {
    let mut s = setup();
    s.engine.attach(&s.hv, s.p).unwrap();
    s.engine.take_trace();
    s.log.lock().unwrap().clear();
    s
}

#[test]
fn active_reports_status_then_extensions_then_debuggee_state() {
    let mut s = setup();
    s.engine.attach(&s.hv, s.p).unwrap();
    assert_eq!(s.engine.trace(), active_trace());
    assert_eq!(
        *s.log.lock().unwrap(),
        [
            "cb0.session_status(DEBUG_SESSION_ACTIVE)",
            "cb1.session_status(DEBUG_SESSION_ACTIVE)",
            "ext0.notify(DEBUG_NOTIFY_SESSION_ACTIVE, 0)",
            "ext2.notify(DEBUG_NOTIFY_SESSION_ACTIVE, 0)",
            "cb0.change_debuggee_state(0xffffffff, 0)",
            "cb2.change_debuggee_state(0xffffffff, 0)",
        ]
    );
    assert_eq!(s.engine.session(), Some(s.p));
}

#[test]
fn end_session_active_terminate_terminates_the_partition() {
    let mut s = attached();
    s.engine
        .end_session(&mut s.hv, EndSessionFlags::ActiveTerminate)
        .unwrap();
    assert_eq!(s.engine.trace(), ending_trace(SessionStatus::EndSessionActiveTerminate));
    assert_eq!(s.hv.partition(s.p).unwrap().state(), PartitionState::Terminated);
    assert_eq!(
        *s.log.lock().unwrap(),
        [
            "cb0.change_engine_state(0x10, 7)",
            "cb2.change_engine_state(0x10, 7)",
            "cb0.session_status(DEBUG_SESSION_END_SESSION_ACTIVE_TERMINATE)",
            "cb1.session_status(DEBUG_SESSION_END_SESSION_ACTIVE_TERMINATE)",
            "ext0.notify(DEBUG_NOTIFY_SESSION_INACTIVE, 0)",
            "ext2.notify(DEBUG_NOTIFY_SESSION_INACTIVE, 0)",
        ]
    );
}

#[test]
fn end_session_active_detach_leaves_the_partition_running() {
    let mut s = attached();
    s.engine.end_session(&mut s.hv, EndSessionFlags::ActiveDetach).unwrap();
    assert_eq!(s.engine.trace(), ending_trace(SessionStatus::EndSessionActiveDetach));
    assert_eq!(s.hv.partition(s.p).unwrap().state(), PartitionState::Running);
    assert_eq!(s.engine.session(), None);
}

#[test]
fn end_session_passive_reports_status_3() {
    let mut s = attached();
    s.engine.end_session(&mut s.hv, EndSessionFlags::Passive).unwrap();
    assert_eq!(s.engine.trace(), ending_trace(SessionStatus::EndSessionPassive));
    assert_eq!(EndSessionFlags::Passive as u32, 0);
    assert_eq!(SessionStatus::EndSessionPassive as u32, 3);
}

#[test]
fn run_to_completion_is_end() {
    let mut s = attached();
    let e = s.hv.complete(s.p).unwrap();
    s.engine.on_event(&s.hv, &e);
    assert_eq!(s.engine.trace(), ending_trace(SessionStatus::End));
}

#[test]
fn reset_is_reboot_and_the_session_goes_on() {
    let mut s = attached();
    let e = s.hv.reset(s.p).unwrap();
    s.engine.on_event(&s.hv, &e);
    let mut want = ending_trace(SessionStatus::Reboot);
    want.extend(active_trace());
    assert_eq!(s.engine.trace(), want);
    assert_eq!(s.engine.session(), Some(s.p));
}

#[test]
fn save_is_hibernate() {
    let mut s = attached();
    let e = s.hv.save(s.p).unwrap();
    s.engine.on_event(&s.hv, &e);
    assert_eq!(s.engine.trace(), ending_trace(SessionStatus::Hibernate));
    assert_eq!(s.engine.session(), None);
}

#[test]
fn every_loss_of_the_channel_is_failure() {
    type Lose = fn(&mut Hypervisor, PartitionId) -> hv_model::PartitionEvent;
    let causes: [(&str, Lose); 4] = [
        ("channel id cleared", |hv, p| {
            hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 0)
                .unwrap()
                .unwrap()
        }),
        ("privilege revoked", |hv, p| {
            hv.set_property(p, PartitionPropertyCode::PRIVILEGE_FLAGS, 0)
                .unwrap()
                .unwrap()
        }),
        ("debugging disabled", |hv, _| hv.set_debugging_enabled(false).unwrap()),
        ("terminated from outside", |hv, p| hv.terminate(p).unwrap()),
    ];
    for (what, lose) in causes {
        let mut s = attached();
        let e = lose(&mut s.hv, s.p);
        s.engine.on_event(&s.hv, &e);
        assert_eq!(s.engine.trace(), ending_trace(SessionStatus::Failure), "{what}");
        // Nothing is reported twice.
        s.engine.on_event(&s.hv, &e);
        assert_eq!(s.engine.trace().len(), 6, "{what}");
    }
}

#[test]
fn unrelated_events_report_nothing() {
    let mut s = attached();
    let other = s.hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    let e = s.hv.reset(other).unwrap();
    s.engine.on_event(&s.hv, &e);
    let keep = PartitionPrivileges::DEBUGGING | PartitionPrivileges::ACCESS_VSM;
    let e =
        s.hv.set_property(s.p, PartitionPropertyCode::PRIVILEGE_FLAGS, keep.bits())
            .unwrap()
            .unwrap();
    s.engine.on_event(&s.hv, &e);
    assert!(s.engine.trace().is_empty());
    assert_eq!(s.engine.session(), Some(s.p));
}

#[test]
fn nothing_is_reported_without_a_session() {
    let mut s = setup();
    let e = s.hv.reset(s.p).unwrap();
    s.engine.on_event(&s.hv, &e);
    assert_eq!(
        s.engine.end_session(&mut s.hv, EndSessionFlags::Passive),
        Err(EngineError::NoSession)
    );
    assert!(s.engine.trace().is_empty());
    assert!(s.log.lock().unwrap().is_empty());
}

#[test]
fn disconnect_keeps_the_session_and_reentrant_ends_it_silently() {
    let mut s = attached();
    s.engine.end_session(&mut s.hv, EndSessionFlags::Disconnect).unwrap();
    assert!(s.engine.trace().is_empty());
    assert_eq!(s.engine.session(), Some(s.p));
    // REENTRANT has no DEBUG_SESSION_* value and skips the locked clean-up that notifies anyone; the
    // engine is indeterminate afterwards and refuses further use.
    s.engine.end_session(&mut s.hv, EndSessionFlags::Reentrant).unwrap();
    assert!(s.engine.trace().is_empty());
    assert!(s.log.lock().unwrap().is_empty());
    assert_eq!(s.engine.session(), None);
    assert_eq!(s.engine.attach(&s.hv, s.p), Err(EngineError::Indeterminate));
    assert_eq!(
        s.engine.end_session(&mut s.hv, EndSessionFlags::Passive),
        Err(EngineError::Indeterminate)
    );
    let e = s.hv.reset(s.p).unwrap();
    s.engine.on_event(&s.hv, &e);
    assert!(s.engine.trace().is_empty());
}

#[test]
fn another_partition_taking_the_channel_id_is_failure() {
    let mut s = attached();
    let other = s.hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    let e =
        s.hv.set_property(other, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2)
            .unwrap()
            .unwrap();
    s.engine.on_event(&s.hv, &e);
    assert_eq!(s.engine.trace(), ending_trace(SessionStatus::Failure));
    assert_eq!(s.engine.session(), None);
    // The host can no longer fill a channel the guest cannot use; nothing is written or counted.
    let before = s.hv.accounting(s.p).unwrap();
    assert_eq!(
        s.hv.deliver(s.p, b"lost").unwrap_err().status(),
        HvStatus::OPERATION_DENIED
    );
    assert_eq!(s.hv.accounting(s.p).unwrap(), before);
    // Attaching again is refused until the id is unique once more.
    assert!(s.engine.attach(&s.hv, s.p).is_err());
    s.hv.set_property(other, PartitionPropertyCode::DEBUG_CHANNEL_ID, 3)
        .unwrap();
    s.engine.attach(&s.hv, s.p).unwrap();
    assert_eq!(s.hv.deliver(s.p, b"ok"), Ok(0));
}

#[test]
fn attach_refuses_a_second_session_and_an_unusable_channel() {
    let mut s = attached();
    assert_eq!(s.engine.attach(&s.hv, s.p), Err(EngineError::SessionActive));
    let mut engine = Engine::new();
    let q = s.hv.create_partition(PartitionPrivileges::empty(), 1).unwrap();
    let err = engine.attach(&s.hv, q).unwrap_err();
    assert_eq!(
        err,
        EngineError::Hypervisor(HvStatus::ACCESS_DENIED.result().unwrap_err())
    );
    let err = engine.attach(&s.hv, PartitionId(77)).unwrap_err();
    assert_eq!(
        err,
        EngineError::Hypervisor(HvStatus::INVALID_PARTITION_ID.result().unwrap_err())
    );
    assert!(engine.trace().is_empty());
}

#[test]
fn a_failing_callback_does_not_stop_the_others() {
    let mut s = setup();
    let log = s.log.clone();
    let failing = Recorder {
        name: "bad",
        mask: EventInterest::SESSION_STATUS,
        fail_status: true,
        mask_reads: Arc::default(),
        log,
    };
    s.engine.register_callbacks(Box::new(failing)).unwrap();
    s.engine.attach(&s.hv, s.p).unwrap();
    let trace = s.engine.trace();
    assert_eq!(
        trace[2],
        Event::SessionStatus {
            callbacks: 3,
            status: SessionStatus::Active,
            result: Err(E_FAIL)
        }
    );
    assert_eq!(trace.len(), 7, "everyone after the failing callback was still notified");
    assert_eq!(
        trace[3],
        Event::ExtensionNotify {
            extension: 0,
            notify: NotifySession::Active,
            argument: 0
        }
    );
    assert_eq!(
        trace[2].to_string(),
        "callbacks 3: SessionStatus(DEBUG_SESSION_ACTIVE) -> HRESULT 0x80004005"
    );
    assert_eq!(
        trace[3].to_string(),
        "extension 0: DebugExtensionNotify(DEBUG_NOTIFY_SESSION_ACTIVE, 0)"
    );
}

#[test]
fn the_interest_mask_is_read_once_and_a_failing_read_refuses_registration() {
    struct NoMask;
    impl EventCallbacks for NoMask {
        fn interest_mask(&self) -> Result<EventInterest, CallbackError> {
            Err(E_FAIL)
        }
        fn session_status(&mut self, _: SessionStatus) -> Result<(), CallbackError> {
            unreachable!("never registered")
        }
        fn change_debuggee_state(&mut self, _: ChangeDebuggeeState, _: u64) -> Result<(), CallbackError> {
            unreachable!("never registered")
        }
        fn change_engine_state(&mut self, _: ChangeEngineState, _: u64) -> Result<(), CallbackError> {
            unreachable!("never registered")
        }
    }
    let mut s = setup();
    assert_eq!(s.engine.register_callbacks(Box::new(NoMask)).unwrap_err(), E_FAIL);
    let reads = Arc::new(AtomicU32::new(0));
    let r = Recorder {
        name: "once",
        mask: EventInterest::SESSION_STATUS,
        fail_status: false,
        mask_reads: reads.clone(),
        log: s.log.clone(),
    };
    s.engine.register_callbacks(Box::new(r)).unwrap();
    s.engine.attach(&s.hv, s.p).unwrap();
    s.engine.end_session(&mut s.hv, EndSessionFlags::Passive).unwrap();
    assert_eq!(reads.load(Ordering::Relaxed), 1);
}

#[test]
fn raw_values_convert_or_name_the_unknown_value() {
    assert_eq!(SessionStatus::try_from(5), Ok(SessionStatus::Reboot));
    assert_eq!(
        SessionStatus::try_from(8),
        Err(UnknownValue {
            type_name: "SessionStatus",
            value: 8
        })
    );
    assert_eq!(EndSessionFlags::try_from(4), Ok(EndSessionFlags::Disconnect));
    assert_eq!(
        EndSessionFlags::try_from(5),
        Err(UnknownValue {
            type_name: "EndSessionFlags",
            value: 5
        })
    );
    assert_eq!(
        NotifySession::try_from(4),
        Err(UnknownValue {
            type_name: "NotifySession",
            value: 4
        })
    );
    assert_eq!(
        EventInterest::try_from(0x0E00),
        Ok(EventInterest::SESSION_STATUS | EventInterest::CHANGE_DEBUGGEE_STATE | EventInterest::CHANGE_ENGINE_STATE)
    );
    assert_eq!(
        EventInterest::try_from(0x4000),
        Err(UnknownValue {
            type_name: "EventInterest",
            value: 0x4000
        })
    );
    assert_eq!(ChangeDebuggeeState::try_from(u32::MAX), Ok(ChangeDebuggeeState::ALL));
    assert_eq!(
        ChangeDebuggeeState::try_from(0x8),
        Err(UnknownValue {
            type_name: "ChangeDebuggeeState",
            value: 8
        })
    );
    assert_eq!(
        ChangeEngineState::try_from(0x10),
        Ok(ChangeEngineState::EXECUTION_STATUS)
    );
    assert_eq!(
        ChangeEngineState::try_from(0x8000),
        Err(UnknownValue {
            type_name: "ChangeEngineState",
            value: 0x8000
        })
    );
    assert_eq!(SessionStatus::try_from(0).unwrap().name(), "DEBUG_SESSION_ACTIVE");
    assert_eq!(
        UnknownValue {
            type_name: "SessionStatus",
            value: 8
        }
        .to_string(),
        "0x8 is not a SessionStatus value"
    );
}

#[test]
fn the_documented_inactive_value_is_a_notify_value() {
    // The page's "DEBUG_SESSION_INACTIVE" does not exist; extensions get DEBUG_NOTIFY_SESSION_INACTIVE.
    // It shares the number 1 with DEBUG_SESSION_END_SESSION_ACTIVE_TERMINATE, so only the types keep
    // the two apart.
    assert_eq!(
        u32::from(NotifySession::Inactive),
        u32::from(SessionStatus::EndSessionActiveTerminate)
    );
    assert_eq!(NotifySession::Inactive.name(), "DEBUG_NOTIFY_SESSION_INACTIVE");
    assert_eq!(NotifySession::Active.name(), "DEBUG_NOTIFY_SESSION_ACTIVE");
}
