//! The conformance suite on the reference model, on every real host's profile (each failing exactly the
//! cases its rules explain), and on an implementation that is wrong everywhere; and the differential
//! check of random call sequences, which finds a profile's divergences and shrinks them to a short
//! sequence, and holds for each profile against itself.

use hv_abi::debug::DebugChannelId;
use hv_abi::{HvStatus, HypercallOutput, PartitionPrivileges};
use hv_model::Registers;
use hv_model::conformance::{self, Cell, Implementation, Model, Outcome, Reference};
use hv_model::hosts::Host;
use proptest::test_runner::{Config, TestError, TestRunner};

fn failed(results: &[(&conformance::Case, Result<(), String>)]) -> Vec<&'static str> {
    results
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(c, _)| c.name)
        .collect()
}

#[test]
fn the_reference_model_passes_every_case() {
    let results = conformance::run(&mut Reference::new());
    for (case, result) in &results {
        assert!(result.is_ok(), "{}: {}", case.name, result.as_ref().unwrap_err());
    }
    assert!(results.len() >= 20, "{} cases", results.len());
}

#[test]
fn every_profile_fails_exactly_the_cases_its_rules_explain() {
    for &host in Host::ALL {
        let results = conformance::run(&mut Model::of(host));
        let expected: Vec<&str> = conformance::CASES
            .iter()
            .map(|c| c.name)
            .filter(|name| host.divergences().iter().any(|(case, _, _)| case == name))
            .collect();
        assert_eq!(failed(&results), expected, "{host}");
    }
    for (case, cells) in conformance::matrix() {
        for (host, cell) in Host::ALL.iter().zip(&cells) {
            assert!(!matches!(cell, Cell::Fail(_)), "{} on {host}: {cell:?}", case.name);
        }
    }
}

/// Answers SUCCESS to every call and keeps nothing: every case must catch it.
struct AlwaysSuccess;

impl Implementation for AlwaysSuccess {
    fn fresh(&mut self) {}
    fn call(&mut self, _: Registers) -> Outcome {
        Outcome::Complete(HypercallOutput::from_status(HvStatus::SUCCESS))
    }
    fn write(&mut self, _: u64, _: &[u8]) {}
    fn read(&mut self, _: u64, buf: &mut [u8]) {
        buf.fill(0);
    }
    fn deliver(&mut self, _: &[u8]) -> usize {
        0
    }
    fn receive(&mut self, _: &mut [u8]) -> usize {
        0
    }
    fn set_privileges(&mut self, _: PartitionPrivileges) {}
    fn set_channel_id(&mut self, _: DebugChannelId) {}
    fn set_debugging(&mut self, _: bool) {}
    fn advance(&mut self, _: u64) -> Option<HypercallOutput> {
        None
    }
}

#[test]
fn no_case_passes_an_implementation_that_answers_success_to_everything() {
    let results = conformance::run(&mut AlwaysSuccess);
    let passed: Vec<_> = results.iter().filter(|(_, r)| r.is_ok()).map(|(c, _)| c.name).collect();
    assert!(passed.is_empty(), "cases that cannot fail: {passed:?}");
}

#[test]
fn random_sequences_agree_on_the_reference_and_find_and_shrink_a_hosts_divergences() {
    let config = Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new(config.clone())
        .run(&conformance::ops(), |ops| {
            conformance::differential(&mut Reference::new(), &ops)
                .map_err(|d| proptest::test_runner::TestCaseError::fail(format!("{d:?}")))
        })
        .expect("the reference agrees with itself");
    // Checked against a profile instead, the reference's own buffers are a divergence from VirtualBox.
    let against_virtualbox = TestRunner::new(config.clone()).run(&conformance::ops(), |ops| {
        conformance::differential_with(&mut Reference::new(), Host::VirtualBox, &ops)
            .map_err(|d| proptest::test_runner::TestCaseError::fail(format!("{d:?}")))
    });
    assert!(against_virtualbox.is_err(), "the reference passed for VirtualBox");
    let found = TestRunner::new(config).run(&conformance::ops(), |ops| {
        conformance::differential(&mut Model::of(Host::QemuKvm), &ops)
            .map_err(|d| proptest::test_runner::TestCaseError::fail(format!("{d:?}")))
    });
    match found {
        Err(TestError::Fail(why, minimal)) => {
            assert!(
                minimal.len() <= 3,
                "shrunk to {} steps: {minimal:?} ({why})",
                minimal.len()
            );
        }
        other => panic!("QEMU's divergences from the reference went unnoticed: {other:?}"),
    }
}
