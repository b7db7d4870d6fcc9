//! The conformance suite on hv-kvm's exit path: every hypercall issued by the test guest's vCPU through
//! its hypercall page, served by the VMM. It must pass every case the reference model passes.

mod common;

use common::kvm;
use hv_kvm::session::KvmSession;
use hv_model::conformance;

#[test]
fn the_kvm_exit_path_passes_every_case() {
    if !kvm("the_kvm_exit_path_passes_every_case") {
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let mut session = KvmSession::new(guest).unwrap_or_else(|e| panic!("{e}"));
    let results = conformance::run(&mut session);
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(case, r)| r.as_ref().err().map(|why| format!("{}: {why}", case.name)))
        .collect();
    assert!(failed.is_empty(), "{failed:#?} (session error: {:?})", session.error());
    assert_eq!(results.len(), conformance::CASES.len());
}

#[test]
fn random_sequences_agree_with_the_reference_on_kvm() {
    if !kvm("random_sequences_agree_with_the_reference_on_kvm") {
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let session = std::cell::RefCell::new(KvmSession::new(guest).unwrap_or_else(|e| panic!("{e}")));
    let config = proptest::test_runner::Config {
        cases: 32,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    };
    proptest::test_runner::TestRunner::new(config)
        .run(&conformance::ops(), |ops| {
            conformance::differential(&mut *session.borrow_mut(), &ops)
                .map_err(|d| proptest::test_runner::TestCaseError::fail(format!("{d:?}")))
        })
        .expect("the KVM exit path agrees with the reference");
}

/// The sequence the random check once shrank to: a wait a delivery ended, then a second wait the clock
/// ends. The clock's result is the second wait's, not the first's untaken one.
#[test]
fn a_wait_the_clock_ends_supersedes_an_earlier_waits_result() {
    use hv_model::conformance::Op;
    if !kvm("a_wait_the_clock_ends_supersedes_an_earlier_waits_result") {
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let mut session = KvmSession::new(guest).unwrap_or_else(|e| panic!("{e}"));
    let wait = Op::Retrieve {
        count: 0,
        options: 1,
        timeout: 1,
    };
    let ops = [
        wait.clone(),
        Op::Deliver(1),
        Op::Retrieve {
            count: 1,
            options: 0,
            timeout: 0,
        },
        wait,
        Op::Advance(1),
    ];
    assert_eq!(conformance::differential(&mut session, &ops), Ok(()));
}
