//! A hostile guest: random hypercall input values, GPAs (unaligned, across pages, past the end of
//! memory) and input-page contents, issued through the hypercall page on KVM. The calls may fail; the
//! VMM may not: every call gets a status the dispatcher documents, the guest runs to its end, and every
//! byte on the channel is accounted for.

mod common;

use common::kvm;
use hv_abi::HvStatus;
use hv_kvm::{Config, HostEnd, Record};
use proptest::prelude::*;

/// Answers every post at once and every wait, so retrieves find data as often as not.
struct Chatty;

impl HostEnd for Chatty {
    fn on_receive(&mut self, posted: &[u8]) -> Vec<u8> {
        posted.iter().rev().take(100).copied().collect()
    }

    fn on_wait(&mut self) -> Vec<u8> {
        b"data for a waiting VP".to_vec()
    }
}

const DOCUMENTED: [HvStatus; 8] = [
    HvStatus::SUCCESS,
    HvStatus::INVALID_HYPERCALL_CODE,
    HvStatus::INVALID_HYPERCALL_INPUT,
    HvStatus::INVALID_ALIGNMENT,
    HvStatus::INVALID_PARAMETER,
    HvStatus::INSUFFICIENT_BUFFERS,
    HvStatus::NO_DATA,
    HvStatus::INACTIVE,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_hypercalls_fail_cleanly_and_lose_nothing(seed in any::<u32>(), count in 30u16..300) {
        if !kvm("random_hypercalls_fail_cleanly_and_lose_nothing") {
            return Ok(());
        }
        let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
        let config = Config {
            boot_word: 3 | u64::from(count) << 16 | u64::from(seed) << 32,
            ..Config::default()
        };
        let report = hv_kvm::run(&config, guest, Box::new(Chatty)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let statuses: Vec<HvStatus> = report
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Hypercall { output, .. } => Some(output.status()),
                _ => None,
            })
            .collect();
        // The set-up's calls are none: the random ones are all there.
        prop_assert_eq!(statuses.len(), usize::from(count));
        for s in &statuses {
            prop_assert!(DOCUMENTED.contains(s), "{} is not a status these calls return", s);
        }
        prop_assert!(report.incoming.balanced(), "{:?}", report.incoming);
        prop_assert!(report.outgoing.balanced(), "{:?}", report.outgoing);
        let finished = report.records.iter().any(|r| matches!(r, Record::Intercept { message, state }
            if message.header.message_type == hv_abi::synic::MessageType::X64_IO_PORT_INTERCEPT && state.rax & 0xFF == 0));
        prop_assert!(finished, "the guest reached its end");
        let halted = matches!(report.records.last(), Some(Record::Halted { vp: 0 }));
        prop_assert!(halted, "the guest halted last");
    }
}
